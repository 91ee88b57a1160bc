"""URLs of the Plan stage: roadmap (see docs/plan-*.md)."""

from django.urls import path  # noqa: F401

app_name = "roadmap"
urlpatterns: list = []
