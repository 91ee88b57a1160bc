"""The roadmap timeline page: releases and milestones on a month or quarter axis, grouped by
team, objective or product, drawn as server-rendered SVG (no script needed)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from lodestar.core.errors import Invalid
from lodestar.planning.board_forms import SavedViewForm
from lodestar.planning.models import ReleaseStatus
from lodestar.planning.saved_views import saved_view_menu
from lodestar.planning.timeline import (
    FEATURES_SHOWN,
    GROUPS,
    STATUS_COLOURS,
    UNSCHEDULED_SHOWN,
    ZOOMS,
    timeline_build,
)
from lodestar.planning.timeline_svg import timeline_svg
from lodestar.planning.visibility import Visible
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.models import Product
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import product_get, product_list

GROUP_LABELS = {"team": "Team", "objective": "Objective", "product": "Product"}
ZOOM_LABELS = {"month": "Months", "quarter": "Quarters"}


@dataclass
class Filters:
    product: Product | None  # None: every product
    products: list[Product]
    group: str
    zoom: str

    def query(self, **changes: str) -> str:
        values = {
            "product": self.product.key if self.product else "",
            "group": self.group,
            "zoom": self.zoom,
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v})


def roadmap_filters(request: WorkspaceRequest) -> Filters:
    """?product=KEY (default: all), ?group=team|objective|product, ?zoom=month|quarter; an
    unknown product is a 404, an unknown grouping or zoom a 400 naming the choices."""
    group = request.GET.get("group") or "team"
    zoom = request.GET.get("zoom") or "quarter"
    if group not in GROUPS:
        raise Invalid(f"Group by one of: {', '.join(GROUPS)}.", fields={"group": "Unknown."})
    if zoom not in ZOOMS:
        raise Invalid(f"Zoom to one of: {', '.join(ZOOMS)}.", fields={"zoom": "Unknown."})
    all_products = list(product_list(workspace=request.workspace))
    key = request.GET.get("product", "")
    if key:
        product = product_get(workspace=request.workspace, key=key)
        return Filters(product, [product], group, zoom)
    return Filters(None, all_products, group, zoom)


@workspace_view(read="roadmap.view")
def roadmap(request: WorkspaceRequest) -> HttpResponse:
    filters = roadmap_filters(request)
    visible = Visible.for_member(request.membership)
    timeline = timeline_build(
        workspace=request.workspace,
        products=filters.products,
        group=filters.group,
        zoom=filters.zoom,
        visible=visible,
    )
    svg = "" if timeline.is_empty else timeline_svg(timeline)
    return render(
        request,
        "planning/timeline.html",
        {
            "timeline": timeline,
            # reviewed: timeline_svg escapes every text and attribute it writes
            "svg": mark_safe(svg),  # noqa: S308
            "filters": filters,
            "products": list(product_list(workspace=request.workspace)),
            "groups": [
                (g, GROUP_LABELS[g], filters.query(group=g), g == filters.group) for g in GROUPS
            ],
            "zooms": [(z, ZOOM_LABELS[z], filters.query(zoom=z), z == filters.zoom) for z in ZOOMS],
            "query": filters.query(),
            "saved_views": saved_view_menu(membership=request.membership),
            "save_form": SavedViewForm(
                initial={"view": "timeline"},
                can_share=role_can(request.membership.role, "view.share"),
            ),
            "statuses": [(ReleaseStatus(v).label, c) for v, c in STATUS_COLOURS.items()],
            "features_shown": FEATURES_SHOWN,
            "unscheduled_shown": UNSCHEDULED_SHOWN,
            "exports": [
                ("csv", "CSV"),
                ("json", "JSON"),
                ("svg", "SVG"),
                ("png", "PNG"),
                ("ics", "iCal"),
                ("atom", "Atom"),
            ],
        },
    )
