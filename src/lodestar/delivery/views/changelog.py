"""The changelog: members write entries from shipped features under /w/<slug>/ship/changelog/;
customers read the published ones on the portal, /p/<slug>/changelog/, and in its Atom feed.

The portal pages follow the ideas portal's own rules (lodestar.feedback.views.portal): nothing
when the portal is off (404); on a private portal, only signed-in visitors whose email the
workspace knows (others are sent to sign in). Drafts are never public: a draft's key is a 404.
"""

from __future__ import annotations

import zoneinfo
from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from lodestar.core.access import public
from lodestar.core.errors import Invalid
from lodestar.core.forms import form_status, submit
from lodestar.core.markdown import render as markdown
from lodestar.core.pagination import paginate
from lodestar.delivery import changelog_selectors as selectors
from lodestar.delivery import changelog_services as services
from lodestar.delivery.changelog_forms import DraftForm, EntryForm
from lodestar.delivery.models import ChangelogEntry

# The portal's own gate, so the changelog can never be more open than the ideas beside it.
from lodestar.feedback.views.portal import SESSION_KEY, _gate, _open
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import product_list

PAGE_SIZE = 20


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:100]]


def _public_url(request: HttpRequest, entry: ChangelogEntry) -> str:
    return request.build_absolute_uri(
        reverse("changelog:public_entry", args=[entry.workspace.slug, entry.key])
    )


def _back(request: WorkspaceRequest, entry: ChangelogEntry):
    return redirect("changelog:entry", slug=request.workspace.slug, changelog_key=entry.key)


# -- members -------------------------------------------------------------------------------


@workspace_view(read="roadmap.view")
def entries(request: WorkspaceRequest) -> HttpResponse:
    """Drafts and published entries, the newest first."""
    workspace = request.workspace
    page = paginate(
        selectors.entry_list(workspace=workspace),
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
        newest_first=True,
    )
    return render(
        request,
        "delivery/changelog_list.html",
        {
            "page": page,
            "can_manage": role_can(request.membership.role, "changelog.manage"),
            "waiting": sum(c.suggested for c in selectors.candidates(workspace=workspace)),
        },
    )


@workspace_view(read="changelog.manage", write="changelog.manage")
def new(request: WorkspaceRequest) -> HttpResponse:
    """Pick shipped features (those new since the last published entry are ticked) and get a
    draft with its title and body written from them."""
    workspace = request.workspace
    include_used = request.GET.get("all") == "1"
    candidates = selectors.candidates(workspace=workspace, include_used=include_used)
    choices = [
        (c.feature.key, c.feature.title + (" (already in an entry)" if c.in_entry else ""))
        for c in candidates
    ]
    form = DraftForm(
        request.POST if request.method == "POST" else None,
        features=choices,
        products=_products(workspace),
        initial={"feature_keys": [c.feature.key for c in candidates if c.suggested]},
    )
    action = partial(services.changelog_draft, workspace=workspace, actor=request.user)
    done = submit(request, form, action)
    if done.ok:
        messages.success(request, "The draft is written: edit it, preview it, then publish it.")
        return _back(request, done.result)
    return render(
        request,
        "delivery/changelog_new.html",
        {"form": form, "candidates": candidates, "include_used": include_used},
        status=form_status(form),
    )


def _initial(entry: ChangelogEntry) -> dict:
    return {
        "title": entry.title,
        "body": entry.body,
        "product_key": entry.product.key if entry.product else "",
        "feature_keys": [f.key for f in entry.features.all()],
    }


@workspace_view(read="roadmap.view", write="changelog.manage")
def entry(request: WorkspaceRequest, changelog_key: str) -> HttpResponse:
    """One entry as customers will read it, and its edit form. POST `action=preview` shows
    the edited text rendered without saving it; any other POST saves."""
    workspace = request.workspace
    item = selectors.entry_get(workspace=workspace, key=changelog_key)
    form = EntryForm(
        request.POST if request.method == "POST" else None,
        features=selectors.feature_choices(workspace=workspace, entry=item),
        products=_products(workspace),
        initial=_initial(item),
    )
    preview = None
    if request.method == "POST" and request.POST.get("action") == "preview":
        if form.is_valid():
            preview = markdown(form.cleaned_data["body"])
    else:
        action = partial(services.changelog_update, entry=item, actor=request.user)
        if submit(request, form, action).ok:
            messages.success(request, "The entry was saved.")
            return _back(request, item)
    return render(
        request,
        "delivery/changelog_entry.html",
        {
            "entry": item,
            "features": selectors.entry_features(item),
            "ideas": selectors.entry_ideas(item),
            "form": form,
            "preview": preview,
            "public_url": reverse("changelog:public_entry", args=[workspace.slug, item.key]),
            "can_manage": role_can(request.membership.role, "changelog.manage"),
        },
        status=form_status(form),
    )


def _confirm(request, *, title: str, consequence: str, button: str, cancel: str, danger=False):
    return render(
        request,
        "delivery/changelog_confirm.html",
        {
            "title": title,
            "consequence": consequence,
            "button": button,
            "cancel": cancel,
            "danger": danger,
        },
    )


@workspace_view(read="changelog.manage", write="changelog.manage")
def publish(request: WorkspaceRequest, changelog_key: str) -> HttpResponse:
    item = selectors.entry_get(workspace=request.workspace, key=changelog_key)
    cancel = reverse("changelog:entry", args=[request.workspace.slug, item.key])
    if request.method == "POST":
        try:
            done = services.changelog_publish(
                entry=item, actor=request.user, entry_url=_public_url(request, item)
            )
        except Invalid as exc:
            reasons = [m for field in exc.fields.values() for m in field]
            messages.error(request, reasons[0] if reasons else exc.message)
            return _back(request, item)
        if done.failed:
            messages.error(
                request, "Published, but the mail server refused the emails: nobody was told."
            )
        elif done.first:
            messages.success(
                request,
                f"Published. {done.emailed} {'person was' if done.emailed == 1 else 'people were'}"
                " emailed.",
            )
        else:
            messages.success(request, "Published. Nobody was emailed: they were told before.")
        return _back(request, item)
    if item.published_at is not None:
        messages.info(request, "This entry is already published.")
        return _back(request, item)
    if selectors.was_published(item):
        told = "It was published before, so nobody is emailed again."
    else:
        n = len(selectors.requesters(features=item.features.all()))
        told = (
            f"{n} {'person who asked' if n == 1 else 'people who asked'} for its features "
            f"will be emailed, once."
            if n
            else "Nobody asked for its features, so nobody is emailed."
        )
    return _confirm(
        request,
        title=f"Publish “{item.title}”?",
        consequence=f"It appears on the portal's changelog and in its Atom feed. {told}",
        button="Publish",
        cancel=cancel,
    )


@workspace_view(read="changelog.manage", write="changelog.manage")
def unpublish(request: WorkspaceRequest, changelog_key: str) -> HttpResponse:
    item = selectors.entry_get(workspace=request.workspace, key=changelog_key)
    if request.method == "POST":
        services.changelog_unpublish(entry=item, actor=request.user)
        messages.success(request, "The entry is a draft again: it left the portal and the feed.")
        return _back(request, item)
    return _confirm(
        request,
        title=f"Unpublish “{item.title}”?",
        consequence="It leaves the portal and the Atom feed (feed readers that fetched it keep "
        "their copy) and becomes a draft. Publishing it again emails nobody.",
        button="Unpublish",
        cancel=reverse("changelog:entry", args=[request.workspace.slug, item.key]),
    )


@workspace_view(read="changelog.manage", write="changelog.manage")
def delete(request: WorkspaceRequest, changelog_key: str) -> HttpResponse:
    item = selectors.entry_get(workspace=request.workspace, key=changelog_key)
    if request.method == "POST":
        services.changelog_delete(entry=item, actor=request.user)
        messages.success(request, f"“{item.title}” was deleted.")
        return redirect("changelog:entries", slug=request.workspace.slug)
    if item.published_at is not None:
        messages.info(request, "This entry is published: unpublish it first, then delete it.")
        return _back(request, item)
    return _confirm(
        request,
        title=f"Delete “{item.title}”?",
        consequence="The draft is deleted. Its features can go in another entry. It cannot be "
        "undone.",
        button="Delete draft",
        cancel=reverse("changelog:entry", args=[request.workspace.slug, item.key]),
        danger=True,
    )


# -- the portal ----------------------------------------------------------------------------


def _portal_page(request, template: str, portal, email: str, context: dict) -> HttpResponse:
    with timezone.override(zoneinfo.ZoneInfo(portal.workspace.time_zone)):
        return render(
            request,
            f"delivery/{template}",
            {
                "portal": portal,
                "workspace": portal.workspace,
                "visitor": email,
                "by_link": bool(request.session.get(SESSION_KEY, {}).get(str(portal.workspace_id))),
                **context,
            },
        )


@public
@require_GET
def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    portal, email = _open(request, slug)
    if gate := _gate(request, portal, email):
        return gate
    page = paginate(
        selectors.entry_published(workspace=portal.workspace),
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
        order_by="-published_at",
        count=False,
    )
    return _portal_page(request, "changelog_public_list.html", portal, email, {"page": page})


@public
@require_GET
def public_entry(request: HttpRequest, slug: str, changelog_key: str) -> HttpResponse:
    portal, email = _open(request, slug)
    if gate := _gate(request, portal, email):
        return gate
    item = selectors.entry_public(workspace=portal.workspace, key=changelog_key)
    return _portal_page(
        request,
        "changelog_public_entry.html",
        portal,
        email,
        {"entry": item, "ideas": selectors.entry_ideas(item)},
    )


class ChangelogFeed(Atom1Feed):
    """Atom with each entry's full text as <content type="html"> (Django's Atom1Feed writes
    only a <summary>)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def changelog_atom(request: HttpRequest, workspace, rows: list[ChangelogEntry]) -> str:
    """The Atom document for `rows`, with absolute links built from `request`."""
    slug = workspace.slug
    feed = ChangelogFeed(
        title=f"{workspace.name} changelog",
        link=request.build_absolute_uri(reverse("changelog:public_list", args=[slug])),
        description=f"What shipped in {workspace.name}.",
        feed_url=request.build_absolute_uri(reverse("changelog:feed", args=[slug])),
        feed_guid=f"tag:lodestar,2026:{slug}/changelog",
        author_name=workspace.name,
        language="en",
    )
    for row in rows:
        html = str(markdown(row.body))
        assert row.published_at is not None  # feed_entries returns published entries only
        feed.add_item(
            title=row.title,
            link=_public_url(request, row),
            description=escape(Truncator(" ".join(strip_tags(html).split())).chars(300)),
            content=html,
            unique_id=f"tag:lodestar,2026:changelog/{row.key}",
            unique_id_is_permalink=False,
            pubdate=row.published_at,
            updateddate=max(row.updated_at, row.published_at),
            categories=[row.product.name] if row.product else None,
        )
    return feed.writeString("utf-8")


@public
@require_GET
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    portal, email = _open(request, slug)
    if gate := _gate(request, portal, email):
        return gate
    rows = selectors.feed_entries(workspace=portal.workspace)
    return HttpResponse(
        changelog_atom(request, portal.workspace, rows),
        content_type="application/atom+xml; charset=utf-8",
    )
