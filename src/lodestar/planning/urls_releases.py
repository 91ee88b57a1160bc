"""URLs of the Plan stage: releases (see docs/plan-*.md)."""

from django.urls import path  # noqa: F401

app_name = "releases"
urlpatterns: list = []
