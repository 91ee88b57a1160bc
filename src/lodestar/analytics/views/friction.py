"""The friction report page, and linking one of its rows to a feature."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from lodestar.analytics import friction as services
from lodestar.analytics.queries import friction as query
from lodestar.analytics.queries.base import source_for
from lodestar.core.errors import Invalid
from lodestar.planning.selectors import feature_choices
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.product_choice import chosen_product


def _query_data(request: WorkspaceRequest) -> dict[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return {k: source.get(k, "") for k in ("days", "conversion", "sort")}


@workspace_view(read="analytics.view", write="analytics.manage")
def friction(request: WorkspaceRequest):
    products, product = chosen_product(request)
    errors: dict[str, list[str]] = {}
    link_error: dict[str, str] = {}
    try:
        params = query.parse(_query_data(request))
    except Invalid as exc:
        errors = exc.fields
        params = query.Params()
    if product is not None:
        params = query.Params(
            product=product.key, days=params.days, conversion=params.conversion, sort=params.sort
        )
    if request.method == "POST":
        if product is None:
            raise Invalid("Add a product first: friction is reported per product.")
        if errors:
            raise Invalid(fields=errors)
        form = {k: request.POST.get(k, "") for k in ("kind", "page", "element", "feature")}
        try:
            link = services.friction_link(
                membership=request.membership,
                product=product,
                params=params,
                kind=form["kind"],
                page=form["page"],
                element=form["element"],
                feature_key=form["feature"],
            )
        except Invalid as exc:
            link_error = {
                **form,
                "message": "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message,
            }
        else:
            feature = link.insight.feature
            messages.success(request, f"Linked to “{feature.title}” as evidence (an insight).")
            kept = {"product": product.key, "days": str(params.days), "sort": params.sort}
            if params.conversion:
                kept["conversion"] = params.conversion
            query_string = urlencode(kept)
            return redirect(
                reverse("analytics_friction:friction", args=[request.workspace.slug])
                + "?"
                + query_string
            )
    result = None
    if product is not None and not errors:
        with source_for(request.workspace) as src:
            result = query.run(src, params)
    rows: list[dict] = []
    links = services.links_for(product) if product is not None and result else {}
    for item in (result or {}).get("items", []):
        key = (item["kind"], item["page"], item["element"])
        rows.append({**item, "links": links.get(key, []), "form_id": f"link-{len(rows)}"})
    can_link = role_can(request.membership.role, "analytics.manage") and role_can(
        request.membership.role, "insight.link"
    )
    features = feature_choices(workspace=request.workspace) if can_link and rows else []
    context = {
        "product": product,
        "products": products,
        "params": params,
        "periods": query.PERIODS,
        "sorts": query.SORTS.items(),
        "errors": errors,
        "result": result,
        "rows": rows,
        "figure": query.figure(result) if result and result["items"] else None,
        "poor": query.POOR,
        "can_link": can_link,
        "features": features,
        "link_error": link_error,
    }
    status = 400 if errors or link_error else 200
    return render(request, "analytics/friction.html", context, status=status)
