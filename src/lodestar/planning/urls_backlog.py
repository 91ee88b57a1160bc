"""URLs of the Plan stage: backlog (see docs/plan-*.md)."""

from django.urls import path  # noqa: F401

app_name = "backlog"
urlpatterns: list = []
