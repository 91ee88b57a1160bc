"""Experiments (namespace `experiments`): pages under /w/<slug>/measure/experiments/. The
experiment's own page, /w/<slug>/measure/experiments/<key>/, is in urls_results.py (included
after this module, so `new/` and `calculator/` are never taken for a key)."""

from django.urls import path

from lodestar.experiments.views import experiments as views

app_name = "experiments"
W = "w/<slug:slug>/measure/experiments/"
urlpatterns: list = [
    path(W, views.experiment_list, name="list"),
    path(W + "new/", views.experiment_new, name="new"),
    path(W + "calculator/", views.calculator, name="calculator"),
    path(W + "<str:experiment_key>/edit/", views.experiment_edit, name="edit"),
    path(W + "<str:experiment_key>/start/", views.experiment_start, name="start"),
    path(W + "<str:experiment_key>/stop/", views.experiment_stop, name="stop"),
    path(W + "<str:experiment_key>/delete/", views.experiment_delete, name="delete"),
]
