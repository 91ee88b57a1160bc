"""Competitors and the capability matrix: our features (rows) against competitors (columns).

A cell is edited in place with htmx (its form replaces the cell, saving swaps the cell back);
without JavaScript the same URL is a small page with the form, which returns to the matrix.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.customers import market_selectors as selectors
from lodestar.customers import market_services as services
from lodestar.customers.market_forms import CapabilityForm, CompetitorForm, MatrixFilterForm
from lodestar.customers.market_models import Level
from lodestar.planning.selectors import feature_get
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import product_list


def _can_manage(request: WorkspaceRequest) -> bool:
    return role_can(request.membership.role, "market.manage")


def _initial(competitor) -> dict:
    return {
        "name": competitor.name,
        "website": competitor.website,
        "description": competitor.description,
        "notes": competitor.notes,
    }


@workspace_view(read="market.view", write="market.manage")
def competitors(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = CompetitorForm(request.POST or None)
    done = submit(
        request, form, partial(services.competitor_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result.name} was added.")
        return redirect("market:competitor", slug=workspace.slug, competitor_key=done.result.key)
    q = request.GET.get("q", "")[:100]
    rows = selectors.competitor_list(workspace=workspace, q=q).annotate(
        has=Count("capabilities", filter=Q(capabilities__level=Level.HAS)),
        partly=Count("capabilities", filter=Q(capabilities__level=Level.PARTIAL)),
        lacks=Count("capabilities", filter=Q(capabilities__level=Level.NONE)),
    )
    page = paginate(rows, cursor=request.GET.get("cursor"), limit=50, order_by="name")
    return render(
        request,
        "customers/competitors.html",
        {
            "page": page,
            "form": form,
            "q": q,
            "query": f"q={q}" if q else "",
            "can_manage": _can_manage(request),
        },
        status=form_status(form),
    )


@workspace_view(read="market.view", write="market.manage")
def competitor_detail(request: WorkspaceRequest, competitor_key: str) -> HttpResponse:
    competitor = selectors.competitor_get(workspace=request.workspace, key=competitor_key)
    form = CompetitorForm(request.POST or None, initial=_initial(competitor))
    action = partial(services.competitor_update, competitor=competitor, actor=request.user)
    if submit(request, form, action).ok:
        messages.success(request, f"{competitor.name} was saved.")
        return redirect(
            "market:competitor", slug=request.workspace.slug, competitor_key=competitor.key
        )
    return render(
        request,
        "customers/competitor.html",
        {
            "competitor": competitor,
            "form": form,
            "levels": selectors.competitor_levels(competitor=competitor),
            "capabilities": selectors.competitor_capabilities(competitor=competitor),
            "notes": selectors.notes_mentioning(competitor=competitor),
            "can_manage": _can_manage(request),
        },
        status=form_status(form),
    )


@workspace_view(read="market.manage", write="market.manage")
def competitor_delete(request: WorkspaceRequest, competitor_key: str) -> HttpResponse:
    competitor = selectors.competitor_get(workspace=request.workspace, key=competitor_key)
    if request.method == "POST":
        services.competitor_delete(competitor=competitor, actor=request.user)
        messages.success(request, f"{competitor.name} was deleted, with its matrix column.")
        return redirect("market:competitors", slug=request.workspace.slug)
    return render(request, "customers/competitor_delete.html", {"competitor": competitor})


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:50]]


@workspace_view(read="market.view")
def matrix(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    # Once anything is compared, show the compared features first: a large workspace has
    # thousands of features, most never looked at against a competitor.
    default = "assessed" if selectors.matrix_any(workspace=workspace) else "all"
    data = request.GET.copy()
    data.setdefault("show", default)
    filters = MatrixFilterForm(data, products=_products(workspace))
    filters.is_valid()  # a bad value drops that filter only
    chosen = getattr(filters, "cleaned_data", {})
    show = chosen.get("show") or default
    rows = selectors.matrix_features(
        workspace=workspace,
        show=show,
        q=chosen.get("q", ""),
        product_key=chosen.get("product", ""),
        status=chosen.get("status", ""),
    )
    page = paginate(rows, cursor=request.GET.get("cursor"), limit=50, order_by="title")
    competitors = selectors.competitor_list(workspace=workspace).order_by("name", "pk")
    columns = list(competitors[: selectors.MAX_COLUMNS])
    cells = selectors.matrix_cells(features=page.items, competitors=columns)
    query = request.GET.copy()
    query.pop("cursor", None)
    back = request.GET.urlencode()
    grid = [
        (feature, [(c, cells.get((feature.pk, c.pk))) for c in columns]) for feature in page.items
    ]
    return render(
        request,
        "customers/competitors_matrix.html",
        {
            "page": page,
            "grid": grid,
            "columns": columns,
            "filters": filters,
            "show": show,
            "show_label": selectors.MATRIX_SHOWS.get(show, ("", ""))[1],
            "query": query.urlencode(),
            "back": back,
            "filtered": any(request.GET.get(k) for k in ("q", "product", "status", "show")),
            "can_manage": _can_manage(request),
        },
    )


def _cell_context(request, competitor, feature, capability, **extra) -> dict:
    back = QueryDict(request.GET.get("back") or request.POST.get("back", "")).urlencode()
    return {
        "competitor": competitor,
        "feature": feature,
        "cap": capability,
        "back": back,
        "can_manage": _can_manage(request),
        **extra,
    }


@workspace_view(read="market.view", write="market.manage")
def capability_cell(request: WorkspaceRequest, competitor_key: str, feature_key: str):
    """One cell: htmx gets the cell's form (or, with ?cancel, the cell again); a plain GET
    gets a page with the form; a POST saves."""
    competitor = selectors.competitor_get(workspace=request.workspace, key=competitor_key)
    feature = feature_get(workspace=request.workspace, key=feature_key)
    capability = selectors.capability_get(competitor=competitor, feature=feature)
    initial = {"level": "", "note": "", "source_url": ""}
    if capability is not None:
        initial = {k: getattr(capability, k) for k in initial}
    prefix = f"cell-{feature.key}-{competitor.key}-%s"
    form = CapabilityForm(request.POST or None, initial=initial, auto_id=prefix)
    action = partial(
        services.capability_set, competitor=competitor, feature=feature, actor=request.user
    )
    done = submit(request, form, action)
    htmx = bool(getattr(request, "htmx", False))
    if done.ok:
        if htmx:
            context = _cell_context(request, competitor, feature, done.result, focus=True)
            return render(request, "customers/_matrix_cell.html", context)
        messages.success(request, f"Saved {competitor.name} for {feature.title}.")
        back = _cell_context(request, competitor, feature, None)["back"]
        matrix_url = reverse("market:matrix", args=[request.workspace.slug])
        return redirect(f"{matrix_url}?{back}" if back else matrix_url)
    context = _cell_context(request, competitor, feature, capability, form=form)
    if htmx:
        # htmx swaps only 2xx answers: a form with errors comes back 200 and shows them.
        editing = _can_manage(request) and "cancel" not in request.GET
        form.fields["level"].widget.attrs["autofocus"] = True
        template = "customers/_cell_form.html" if editing else "customers/_matrix_cell.html"
        return render(request, template, {**context, "focus": True})
    return render(request, "customers/competitors_cell.html", context, status=form_status(form))
