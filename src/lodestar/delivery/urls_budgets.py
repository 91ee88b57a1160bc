"""Delivery: budgets (namespace `budgets`); see docs/ship-budgets.md."""

from django.urls import path

from lodestar.delivery.views import budgets as views

app_name = "budgets"
urlpatterns: list = [
    path("w/<slug:slug>/ship/budgets/", views.budgets, name="budgets"),
    path("w/<slug:slug>/ship/budgets/<str:release_key>/", views.budget, name="release"),
    path(
        "w/<slug:slug>/ship/budgets/<str:release_key>/lines/",
        views.cost_line_add,
        name="line_add",
    ),
    path(
        "w/<slug:slug>/ship/budgets/<str:release_key>/lines/<str:cost_line_key>/",
        views.cost_line_edit,
        name="line",
    ),
    path(
        "w/<slug:slug>/ship/budgets/<str:release_key>/lines/<str:cost_line_key>/delete/",
        views.cost_line_delete,
        name="line_delete",
    ),
]
