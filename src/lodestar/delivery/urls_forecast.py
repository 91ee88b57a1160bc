"""Delivery: forecast (namespace `forecast`)."""

from django.urls import path  # noqa: F401

app_name = "forecast"
urlpatterns: list = []
