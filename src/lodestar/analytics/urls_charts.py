"""URLs of analytics: charts (filled by its views module)."""

from django.urls import path  # noqa: F401

app_name = "analytics_charts"
urlpatterns: list = []
