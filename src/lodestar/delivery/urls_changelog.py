"""Delivery: changelog (namespace `changelog`). Members write entries under
/w/<slug>/ship/changelog/; the portal shows published ones at /p/<slug>/changelog/."""

from django.urls import path

from lodestar.delivery.views import changelog as views

app_name = "changelog"
urlpatterns: list = [
    path("w/<slug:slug>/ship/changelog/", views.entries, name="entries"),
    path("w/<slug:slug>/ship/changelog/new/", views.new, name="new"),
    path("w/<slug:slug>/ship/changelog/<str:changelog_key>/", views.entry, name="entry"),
    path(
        "w/<slug:slug>/ship/changelog/<str:changelog_key>/publish/",
        views.publish,
        name="publish",
    ),
    path(
        "w/<slug:slug>/ship/changelog/<str:changelog_key>/unpublish/",
        views.unpublish,
        name="unpublish",
    ),
    path(
        "w/<slug:slug>/ship/changelog/<str:changelog_key>/delete/",
        views.delete,
        name="delete",
    ),
    path("p/<slug:slug>/changelog/", views.public_list, name="public_list"),
    path("p/<slug:slug>/changelog/feed.atom", views.feed, name="feed"),
    path(
        "p/<slug:slug>/changelog/<str:changelog_key>/",
        views.public_entry,
        name="public_entry",
    ),
]
