from django.urls import path

from lodestar.feedback.views import filters
from lodestar.feedback.views import inbox as views

app_name = "feedback"
urlpatterns = [
    path("w/<slug:slug>/feedback/", views.inbox, name="inbox"),
    path("w/<slug:slug>/feedback/bulk/", views.bulk, name="bulk"),
    # Before feedback/<key>/: "filters" is never a key (keys have 12 characters).
    path("w/<slug:slug>/feedback/filters/", filters.filter_save, name="filter_save"),
    path(
        "w/<slug:slug>/feedback/filters/<str:filter_key>/",
        filters.filter_update,
        name="filter_update",
    ),
    path(
        "w/<slug:slug>/feedback/filters/<str:filter_key>/delete/",
        filters.filter_delete,
        name="filter_delete",
    ),
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
