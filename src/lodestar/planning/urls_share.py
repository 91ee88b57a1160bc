"""URLs of the Plan stage: share (see docs/plan-*.md)."""

from django.urls import path  # noqa: F401

app_name = "share"
urlpatterns: list = []
