"""Delivery: weekly status reports (namespace `reports`; see docs/ship-reports.md)."""

from django.urls import path

from lodestar.delivery.views import reports as views

app_name = "reports"
urlpatterns = [
    path("w/<slug:slug>/ship/reports/", views.reports, name="list"),
    path("w/<slug:slug>/ship/reports/generate/", views.report_generate, name="generate"),
    path("w/<slug:slug>/ship/reports/<str:report_key>/", views.report_detail, name="report"),
    path("w/<slug:slug>/ship/reports/<str:report_key>/edit/", views.report_edit, name="edit"),
    path("w/<slug:slug>/ship/reports/<str:report_key>/send/", views.report_send, name="send"),
    path(
        "w/<slug:slug>/ship/reports/<str:report_key>/report.md",
        views.report_markdown,
        name="markdown",
    ),
    path("w/<slug:slug>/ship/reports/<str:report_key>/report.pdf", views.report_pdf, name="pdf"),
]
