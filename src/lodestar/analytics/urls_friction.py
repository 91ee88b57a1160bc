"""URLs of analytics: the friction report (GET) and linking a row to a feature (POST)."""

from django.urls import path

from lodestar.analytics.views import friction as views

app_name = "analytics_friction"
urlpatterns = [
    path("w/<slug:slug>/analytics/friction/", views.friction, name="friction"),
]
