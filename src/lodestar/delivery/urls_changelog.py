"""Delivery: changelog (namespace `changelog`)."""

from django.urls import path  # noqa: F401

app_name = "changelog"
urlpatterns: list = []
