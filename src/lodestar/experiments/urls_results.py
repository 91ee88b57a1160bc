"""An experiment's results (namespace `experiment_results`): the page, refresh, and the
outcome recorded in the decision log."""

from django.urls import path

from lodestar.experiments.views import results as views

app_name = "experiment_results"
E = "w/<slug:slug>/measure/experiments/<str:experiment_key>/"
urlpatterns: list = [
    path(E, views.experiment_page, name="experiment"),
    path(E + "refresh/", views.refresh, name="refresh"),
    path(E + "decide/", views.decide, name="decide"),
]
