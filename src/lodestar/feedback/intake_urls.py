"""URLs of feedback intake: .eml uploads and inbound-mail addresses inside a workspace; the
public inbound-mail webhook and the in-app widget (script and endpoint) outside."""

from django.urls import path

from lodestar.feedback.views import intake

app_name = "intake"
urlpatterns = [
    path("w/<slug:slug>/intake/email/", intake.email_upload, name="email_upload"),
    path("w/<slug:slug>/intake/mail/", intake.mailbox_list, name="mailboxes"),
    path(
        "w/<slug:slug>/intake/mail/<str:mailbox_key>/rotate/",
        intake.mailbox_rotate,
        name="mailbox_rotate",
    ),
    path(
        "w/<slug:slug>/intake/mail/<str:mailbox_key>/delete/",
        intake.mailbox_delete,
        name="mailbox_delete",
    ),
    path("inbound/email/<str:token>/", intake.inbound_email, name="inbound_email"),
    path("widget/v1/widget.js", intake.widget_script, name="widget_script"),
    path("widget/v1/feedback", intake.widget_feedback, name="widget_feedback"),
]
