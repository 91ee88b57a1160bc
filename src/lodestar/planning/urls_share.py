"""URLs of the Plan stage: share links (see docs/plan-share.md). The planners' page under
/w/<slug>/share-links/, and the public read-only roadmap at /s/<token>/ (no sign-in)."""

from django.urls import path

from lodestar.planning.views import share as views

app_name = "share"
urlpatterns = [
    path("w/<slug:slug>/share-links/", views.share_links, name="manage"),
    path(
        "w/<slug:slug>/share-links/<str:share_key>/revoke/",
        views.share_link_revoke,
        name="revoke",
    ),
    path("s/<str:share_token>/", views.home, name="home"),
    path("s/<str:share_token>/timeline/", views.timeline_page, name="timeline"),
    path("s/<str:share_token>/horizons/", views.horizons_page, name="horizons"),
    path("s/<str:share_token>/status/", views.status_page, name="status"),
    path("s/<str:share_token>/releases/", views.releases_page, name="releases"),
    path("s/<str:share_token>/releases.ics", views.releases_ics, name="ics"),
    path("s/<str:share_token>/shipped.atom", views.shipped_atom, name="atom"),
]
