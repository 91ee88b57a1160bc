"""Competitors, the capability matrix and research notes (namespace `market`)."""

from django.urls import path

from lodestar.customers.views import market, research

app_name = "market"
urlpatterns = [
    path("w/<slug:slug>/competitors/", market.competitors, name="competitors"),
    path("w/<slug:slug>/competitors/matrix/", market.matrix, name="matrix"),
    path(
        "w/<slug:slug>/competitors/<str:competitor_key>/",
        market.competitor_detail,
        name="competitor",
    ),
    path(
        "w/<slug:slug>/competitors/<str:competitor_key>/delete/",
        market.competitor_delete,
        name="competitor_delete",
    ),
    path(
        "w/<slug:slug>/competitors/<str:competitor_key>/features/<str:feature_key>/",
        market.capability_cell,
        name="cell",
    ),
    path("w/<slug:slug>/research/", research.notes, name="notes"),
    path("w/<slug:slug>/research/new/", research.note_new, name="note_new"),
    path("w/<slug:slug>/research/<str:note_key>/", research.note_detail, name="note"),
    path("w/<slug:slug>/research/<str:note_key>/edit/", research.note_edit, name="note_edit"),
    path("w/<slug:slug>/research/<str:note_key>/delete/", research.note_delete, name="note_delete"),
    path(
        "w/<slug:slug>/research/<str:note_key>/highlights/",
        research.highlight_add,
        name="highlight_add",
    ),
]
