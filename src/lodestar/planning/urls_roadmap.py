"""URLs of the Plan stage: the roadmap timeline and its exports (docs/plan-roadmap.md), and
the boards (docs/plan-*.md)."""

from django.urls import path

from lodestar.planning.views import boards as board_views
from lodestar.planning.views import exports as export_views
from lodestar.planning.views import timeline as timeline_views

app_name = "roadmap"

urlpatterns: list = [
    path("w/<slug:slug>/roadmap/", timeline_views.roadmap, name="timeline"),
    *[
        path(
            f"w/<slug:slug>/roadmap/export.{fmt}",
            export_views.roadmap_export,
            {"fmt": fmt},
            name=f"export_{fmt}",
        )
        for fmt in export_views.FORMATS
    ],
    # boards
    path("w/<slug:slug>/roadmap/board/", board_views.board, name="board"),
    path("w/<slug:slug>/roadmap/board/move/", board_views.board_move, name="board_move"),
    path("w/<slug:slug>/roadmap/changes/", board_views.changes, name="changes"),
    path("w/<slug:slug>/roadmap/views/", board_views.saved_views, name="saved_views"),
    path(
        "w/<slug:slug>/roadmap/views/<str:view_key>/",
        board_views.saved_view_update,
        name="saved_view",
    ),
    path(
        "w/<slug:slug>/roadmap/views/<str:view_key>/delete/",
        board_views.saved_view_delete,
        name="saved_view_delete",
    ),
]
