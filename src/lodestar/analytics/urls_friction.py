"""URLs of analytics: friction (filled by its views module)."""

from django.urls import path  # noqa: F401

app_name = "analytics_friction"
urlpatterns: list = []
