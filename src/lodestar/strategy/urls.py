"""Strategy and the decision log (namespace `strategy`)."""

from django.urls import path

from lodestar.strategy import views

app_name = "strategy"
urlpatterns = [
    path("w/<slug:slug>/strategy/", views.objectives, name="objectives"),
    path("w/<slug:slug>/strategy/tree/<str:product_key>/", views.product_tree, name="tree"),
    path(
        "w/<slug:slug>/strategy/objectives/<str:objective_key>/",
        views.objective_detail,
        name="objective",
    ),
    path(
        "w/<slug:slug>/strategy/key-results/<str:kr_key>/",
        views.key_result_detail,
        name="key_result",
    ),
    path(
        "w/<slug:slug>/strategy/objectives/<str:objective_key>/delete/",
        views.objective_delete,
        name="objective_delete",
    ),
    path(
        "w/<slug:slug>/strategy/key-results/<str:kr_key>/delete/",
        views.key_result_delete,
        name="key_result_delete",
    ),
    path(
        "w/<slug:slug>/decisions/<str:decision_key>/delete/",
        views.decision_delete,
        name="decision_delete",
    ),
    path("w/<slug:slug>/decisions/", views.decisions, name="decisions"),
    path("w/<slug:slug>/decisions/new/", views.decision_new, name="decision_new"),
    path("w/<slug:slug>/decisions/<str:decision_key>/", views.decision_detail, name="decision"),
]
