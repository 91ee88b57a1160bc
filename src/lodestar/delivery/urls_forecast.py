"""Delivery: forecast (namespace `forecast`): the releases' chances of landing on time, a
release's burn-up, and the product's delivery settings (docs/ship-forecast.md)."""

from django.urls import path

from lodestar.delivery.views import forecast as views

app_name = "forecast"
urlpatterns = [
    path("w/<slug:slug>/ship/forecast/", views.forecast_list, name="forecast"),
    path("w/<slug:slug>/ship/forecast/<str:release_key>/", views.forecast_release, name="release"),
    path("w/<slug:slug>/ship/settings/", views.delivery_settings, name="settings"),
]
