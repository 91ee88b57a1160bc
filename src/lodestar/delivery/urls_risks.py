"""Delivery: risks (namespace `risks`): the register, a risk and its mitigation actions,
Lodestar's proposals, and issues."""

from django.urls import path

from lodestar.delivery.views import risks as views

app_name = "risks"
urlpatterns = [
    path("w/<slug:slug>/ship/risks/", views.register, name="register"),
    path("w/<slug:slug>/ship/risks/new/", views.risk_new, name="new"),
    path("w/<slug:slug>/ship/risks/<str:risk_key>/", views.risk_detail, name="risk"),
    path("w/<slug:slug>/ship/risks/<str:risk_key>/edit/", views.risk_edit, name="edit"),
    path(
        "w/<slug:slug>/ship/risks/<str:risk_key>/accept/",
        views.risk_decide,
        {"decision": "accept"},
        name="accept",
    ),
    path(
        "w/<slug:slug>/ship/risks/<str:risk_key>/dismiss/",
        views.risk_decide,
        {"decision": "dismiss"},
        name="dismiss",
    ),
    path(
        "w/<slug:slug>/ship/risks/<str:risk_key>/occurred/",
        views.risk_occurred,
        name="occurred",
    ),
    path(
        "w/<slug:slug>/ship/risks/<str:risk_key>/actions/",
        views.action_add,
        name="action_add",
    ),
    path(
        "w/<slug:slug>/ship/risks/<str:risk_key>/actions/<str:action_key>/toggle/",
        views.action_toggle,
        name="action_toggle",
    ),
    path(
        "w/<slug:slug>/ship/risks/<str:risk_key>/actions/<str:action_key>/delete/",
        views.action_delete,
        name="action_delete",
    ),
    path("w/<slug:slug>/ship/issues/", views.issues, name="issues"),
    path("w/<slug:slug>/ship/issues/new/", views.issue_new, name="issue_new"),
    path("w/<slug:slug>/ship/issues/<str:issue_key>/", views.issue_detail, name="issue"),
]
