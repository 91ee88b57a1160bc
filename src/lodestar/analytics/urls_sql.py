"""URLs of analytics: the SQL console."""

from django.urls import path

from lodestar.analytics.views import sql as views

app_name = "analytics_sql"
urlpatterns = [
    path("w/<slug:slug>/analytics/sql/", views.sql_console, name="console"),
    path("w/<slug:slug>/analytics/sql/csv/", views.sql_csv, name="csv"),
]
