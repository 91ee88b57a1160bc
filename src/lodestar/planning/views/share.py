"""Share links: the planners' page that creates and revokes them, and the public read-only
roadmap at /s/<token>/ (its views as tabs, the iCal and Atom feeds).

The public pages are `public` (no sign-in): the token is the only key. They are never cached
(no-store), never indexed, never send the token on as a Referer, and hide every internal
field the link does not turn on (planning.visibility.Visible.for_link)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import partial, wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from lodestar.core.access import public
from lodestar.core.errors import NotFound, RateLimited
from lodestar.core.forms import form_status, submit
from lodestar.core.ratelimit import client_ip
from lodestar.planning import exports
from lodestar.planning import share_selectors as selectors
from lodestar.planning import share_services as services
from lodestar.planning.boards import board_build
from lodestar.planning.roadmap_models import RoadmapView, ShareLink
from lodestar.planning.share_forms import ShareLinkForm
from lodestar.planning.timeline import timeline_build
from lodestar.planning.timeline_svg import timeline_svg
from lodestar.planning.visibility import Visible
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import product_list

# -- management -----------------------------------------------------------------------------


CREATED_KEY = "share_link_created"


def share_url(request: HttpRequest, link: ShareLink) -> str:
    return request.build_absolute_uri(reverse("share:home", args=[link.token]))


def _row(request: HttpRequest, link: ShareLink, now) -> dict[str, Any]:
    """One line of the management list."""
    return {
        "link": link,
        "state": selectors.share_link_state(link, now),
        "url": share_url(request, link),
        "views": [label for _value, label in selectors.link_views(link)],
        "shown": [
            label
            for on, label in (
                (link.show_customers, "customer names"),
                (link.show_arr, "ARR"),
                (link.show_scores, "scores"),
                (link.show_comments, "comments"),
            )
            if on
        ],
        "expires_on": services.expires_on(link),
    }


@workspace_view(read="share.manage", write="share.manage")
def share_links(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    _today, default, _latest = services.expiry_bounds(workspace)
    products = [(p.key, p.name) for p in product_list(workspace=workspace)[:200]]
    form = ShareLinkForm(request.POST or None, products=products, default_expiry=default)
    done = submit(
        request,
        form,
        partial(services.share_link_create, workspace=workspace, actor=request.user),
    )
    if done.ok:
        # Redirect, so reloading the page cannot create the link twice; the new address is
        # shown once, on the page the redirect leads to.
        new_link: ShareLink = done.result
        request.session[CREATED_KEY] = new_link.key
        return redirect("share:manage", slug=workspace.slug)
    created_key = request.session.pop(CREATED_KEY, None) if request.method == "GET" else None
    now = timezone.now()
    rows = [
        _row(request, link, now) for link in selectors.share_link_list(workspace=workspace)[:200]
    ]
    created = next((row for row in rows if row["link"].key == created_key), None)
    return render(
        request,
        "planning/share_links.html",
        {
            "form": form,
            "created": created["link"] if created else None,
            "created_url": created["url"] if created else "",
            "rows": rows,
            "has_products": bool(products),
        },
        status=form_status(form),
    )


@workspace_view(read="share.manage", write="share.manage")
def share_link_revoke(request: WorkspaceRequest, share_key: str) -> HttpResponse:
    """GET asks to confirm; POST revokes for good."""
    workspace = request.workspace
    link = selectors.share_link_get(workspace=workspace, key=share_key)
    if request.method == "POST":
        services.share_link_revoke(link=link, actor=request.user)
        messages.success(
            request, f"The link “{link.label}” is revoked: opening it now says so (410 Gone)."
        )
        return redirect("share:manage", slug=workspace.slug)
    return render(
        request,
        "planning/share_revoke.html",
        {"link": link, "state": selectors.share_link_state(link), "url": share_url(request, link)},
    )


# -- the public pages ----------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """Headers of every /s/ response: the roadmap behind a secret is not for caches, search
    engines, or the sites its links lead to."""
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _bad(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "planning/share_error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def _shared(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open the link behind the `share_token` in the URL (or answer 404 / 410 / 429 with a
    plain page), then call `view(request, link, ...)` in the workspace's time zone."""

    @wraps(view)
    def wrapped(request: HttpRequest, share_token: str, **kwargs) -> HttpResponse:
        try:
            link = services.share_link_use(token=share_token, ip=client_ip(request))
            with timezone.override(zoneinfo.ZoneInfo(link.workspace.time_zone)):
                response = view(request, link, **kwargs)
        except RateLimited as exc:
            response = _bad(request, 429, "Slow down", exc.message)
            if exc.retry_after:
                response["Retry-After"] = str(exc.retry_after)
        except NotFound as exc:
            response = _bad(request, 404, "Not found", exc.message)
        except services.LinkGone as exc:
            response = _bad(request, 410, "This link no longer works", exc.message)
        return _private(response)

    return public(require_safe(wrapped))


def _tab_url(link: ShareLink, view: str, product_key: str = "") -> str:
    url = reverse(f"share:{view}", args=[link.token])
    return f"{url}?{urlencode({'product': product_key})}" if product_key else url


def _render_view(request: HttpRequest, link: ShareLink, view: str) -> HttpResponse:
    if view not in link.views:
        raise NotFound("This link does not show that view.")
    product_key = request.GET.get("product", "")[:40]
    products = selectors.link_scope(link, product_key)
    all_products = selectors.link_products(link) if product_key else products
    visible = Visible.for_link(link)
    workspace = link.workspace
    context = {
        "link": link,
        "workspace": workspace,
        "view": view,
        "visible": visible,
        "tabs": [
            (value, label, _tab_url(link, value, product_key))
            for value, label in selectors.link_views(link)
        ],
        "product_tabs": [
            (p, _tab_url(link, view, p.key), p.key == product_key) for p in all_products
        ]
        if len(all_products) > 1
        else [],
        "all_products_url": _tab_url(link, view),
        "product_key": product_key,
        "products": products,
        "expires_on": services.expires_on(link),
        "feeds": {
            "ics": reverse("share:ics", args=[link.token]),
            "atom": reverse("share:atom", args=[link.token]),
        },
    }
    context.update(VIEW_BUILDERS[view](workspace, products, visible))
    return render(request, "planning/share_public.html", context)


def _timeline(workspace, products, visible: Visible) -> dict:
    timeline = timeline_build(
        workspace=workspace,
        products=products,
        group="product" if len(products) > 1 else "team",
        zoom="quarter",
        visible=visible,
    )
    return {"svg": timeline_svg(timeline, links=False), "timeline": timeline}


def _board(view: str) -> Callable[..., dict]:
    def build(workspace, products, visible: Visible) -> dict:
        board = board_build(workspace=workspace, products=products, view=view, visible=visible)
        return {"board": board}

    return build


def _releases(workspace, products, visible: Visible) -> dict:
    return {
        "releases": selectors.shared_releases(
            workspace=workspace, products=products, visible=visible
        )
    }


VIEW_BUILDERS: dict[str, Callable[..., dict]] = {
    RoadmapView.TIMELINE: _timeline,
    RoadmapView.HORIZONS: _board("horizons"),
    RoadmapView.STATUS: _board("status"),
    RoadmapView.RELEASES: _releases,
}


@_shared
def home(request: HttpRequest, link: ShareLink) -> HttpResponse:
    """The link's first view."""
    views = selectors.link_views(link)
    if not views:
        raise NotFound("This link shows no view.")
    return _render_view(request, link, views[0][0])


def _view_page(view: str) -> Callable[..., HttpResponse]:
    @_shared
    def page(request: HttpRequest, link: ShareLink) -> HttpResponse:
        return _render_view(request, link, view)

    page.__name__ = page.__qualname__ = f"{view}_page"
    return page


timeline_page = _view_page(RoadmapView.TIMELINE)
horizons_page = _view_page(RoadmapView.HORIZONS)
status_page = _view_page(RoadmapView.STATUS)
releases_page = _view_page(RoadmapView.RELEASES)


def _feed_links(request: HttpRequest, link: ShareLink) -> dict:
    """Where feed entries point: the link's own pages (a subscriber has no account)."""
    view = RoadmapView.RELEASES if RoadmapView.RELEASES in link.views else ""
    page = (
        reverse(f"share:{view}", args=[link.token])
        if view
        else reverse("share:home", args=[link.token])
    )
    # link_path is a format string ({key}); a token holds only [A-Za-z0-9_-].
    return {"base_url": request.build_absolute_uri("/"), "link_path": page}


@_shared
def releases_ics(request: HttpRequest, link: ShareLink) -> HttpResponse:
    """The link's release dates as an iCal feed a calendar can subscribe to."""
    products = selectors.link_scope(link, request.GET.get("product", "")[:40])
    body = exports.releases_ics(
        workspace=link.workspace,
        products=products,
        visible=Visible.for_link(link),
        name=f"{link.workspace.name} roadmap: {link.label}",
        **_feed_links(request, link),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="releases.ics"'
    return response


@_shared
def shipped_atom(request: HttpRequest, link: ShareLink) -> HttpResponse:
    """The link's shipped features as an Atom feed."""
    products = selectors.link_scope(link, request.GET.get("product", "")[:40])
    body = exports.shipped_atom(
        workspace=link.workspace,
        products=products,
        visible=Visible.for_link(link),
        feed_url=reverse("share:atom", args=[link.token]),
        **_feed_links(request, link),
    )
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
