"""URLs of the Plan stage: releases and milestones, dependencies between features (see
docs/plan-releases.md)."""

from django.urls import path

from lodestar.planning.views import my_work
from lodestar.planning.views import releases as views

app_name = "releases"
urlpatterns = [
    path("w/<slug:slug>/releases/", views.releases, name="releases"),
    path("w/<slug:slug>/my-work/", my_work.my_work_page, name="my_work"),
    path("w/<slug:slug>/releases/new/", views.release_new, name="release_new"),
    path("w/<slug:slug>/releases/<str:release_key>/", views.release_detail, name="release"),
    path(
        "w/<slug:slug>/releases/<str:release_key>/features/",
        views.release_feature_add,
        name="release_feature_add",
    ),
    path(
        "w/<slug:slug>/releases/<str:release_key>/features/remove/",
        views.release_feature_remove,
        name="release_feature_remove",
    ),
    path(
        "w/<slug:slug>/releases/<str:release_key>/delete/",
        views.release_delete,
        name="release_delete",
    ),
    path(
        "w/<slug:slug>/features/<str:feature_key>/dependencies/",
        views.dependency_add,
        name="dependency_add",
    ),
    path(
        "w/<slug:slug>/features/<str:feature_key>/dependencies/remove/",
        views.dependency_remove,
        name="dependency_remove",
    ),
]
