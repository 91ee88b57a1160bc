from django.urls import path

from lodestar.feedback.views import inbox as views

app_name = "feedback"
urlpatterns = [
    path("w/<slug:slug>/feedback/", views.inbox, name="inbox"),
    path("w/<slug:slug>/feedback/bulk/", views.bulk, name="bulk"),
    path("w/<slug:slug>/feedback/<str:feedback_key>/", views.feedback_detail, name="feedback"),
    path(
        "w/<slug:slug>/feedback/<str:feedback_key>/insights/",
        views.insight_add,
        name="insight_add",
    ),
    path(
        "w/<slug:slug>/insights/<str:insight_key>/remove/",
        views.insight_remove,
        name="insight_remove",
    ),
]
