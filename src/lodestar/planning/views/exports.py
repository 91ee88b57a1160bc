"""The roadmap's exports, with the timeline page's filters: /w/<slug>/roadmap/export.<format>
for csv, json, svg, png, ics and atom (see docs/plan-roadmap.md)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse

from lodestar.planning import exports
from lodestar.planning.views.timeline import Filters, roadmap_filters
from lodestar.planning.visibility import Visible
from lodestar.workspaces.access import WorkspaceRequest, workspace_view

FORMATS = list(exports.FORMATS)


def export_filename(slug: str, filters: Filters, fmt: str) -> str:
    name = f"roadmap-{slug}"
    if filters.product is not None:
        name += f"-{filters.product.key}"
    return f"{name}.{fmt}"


@workspace_view(read="roadmap.view")
def roadmap_export(request: WorkspaceRequest, fmt: str) -> HttpResponse:
    filters = roadmap_filters(request)
    content_type, download = exports.FORMATS[fmt]
    query = filters.query()
    feed_path = reverse(f"roadmap:export_{fmt}", args=[request.workspace.slug])
    body = exports.export(
        fmt,
        workspace=request.workspace,
        products=filters.products,
        visible=Visible.for_member(request.membership),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        group=filters.group,
        zoom=filters.zoom,
        feed_url=feed_path + (f"?{query}" if query else ""),
    )
    response = HttpResponse(body, content_type=content_type)
    filename = export_filename(request.workspace.slug, filters, fmt)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
