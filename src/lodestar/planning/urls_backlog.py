"""URLs of the Plan stage: the product owner's backlog (see docs/plan-backlog.md)."""

from django.urls import path

from lodestar.planning.views import backlog as views
from lodestar.planning.views import iterations

app_name = "backlog"
urlpatterns = [
    path("w/<slug:slug>/backlog/", views.backlog, name="backlog"),
    path("w/<slug:slug>/backlog/rank/", views.story_rank, name="rank"),
    path("w/<slug:slug>/backlog/stories/<str:story_key>/", views.story_detail, name="story"),
    path(
        "w/<slug:slug>/backlog/stories/<str:story_key>/delete/",
        views.story_delete,
        name="story_delete",
    ),
    path(
        "w/<slug:slug>/backlog/stories/<str:story_key>/status/",
        views.story_status,
        name="story_status",
    ),
    path(
        "w/<slug:slug>/backlog/stories/<str:story_key>/criteria/",
        views.criteria_add,
        name="criteria_add",
    ),
    path(
        "w/<slug:slug>/backlog/stories/<str:story_key>/criteria/<int:criterion_id>/",
        views.criterion_edit,
        name="criterion",
    ),
    path(
        "w/<slug:slug>/backlog/stories/<str:story_key>/criteria/<int:criterion_id>/tick/",
        views.criterion_tick,
        name="criterion_tick",
    ),
    path("w/<slug:slug>/iterations/", iterations.iterations, name="iterations"),
    path(
        "w/<slug:slug>/iterations/<str:iteration_key>/",
        iterations.iteration_detail,
        name="iteration",
    ),
    path(
        "w/<slug:slug>/teams/<str:team_key>/throughput/",
        iterations.team_throughput,
        name="throughput",
    ),
]
