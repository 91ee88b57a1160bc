"""Experiments (namespace `experiments`): pages under /w/<slug>/measure/experiments/."""

from django.urls import path

from lodestar.experiments.views import experiments as views

app_name = "experiments"
W = "w/<slug:slug>/measure/experiments/"
urlpatterns: list = [
    path(W, views.experiment_list, name="list"),
]
