from django.urls import path

from lodestar.feedback.views import inbox as views

app_name = "feedback"
urlpatterns = [
    path("w/<slug:slug>/feedback/", views.inbox, name="inbox"),
    path("w/<slug:slug>/feedback/bulk/", views.bulk, name="bulk"),
    path("w/<slug:slug>/feedback/<str:feedback_key>/", views.feedback_detail, name="feedback"),
]
