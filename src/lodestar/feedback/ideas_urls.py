"""The team's side of the ideas portal: /w/<slug>/ideas/ (see views/ideas.py)."""

from django.urls import path

from lodestar.feedback.views import ideas as views

app_name = "ideas"
urlpatterns = [
    path("w/<slug:slug>/ideas/", views.idea_list, name="list"),
    path("w/<slug:slug>/ideas/portal/", views.portal_settings, name="portal_settings"),
    path("w/<slug:slug>/ideas/<str:idea_key>/", views.idea_detail, name="idea"),
    path("w/<slug:slug>/ideas/<str:idea_key>/vote/", views.idea_vote, name="vote"),
    path("w/<slug:slug>/ideas/<str:idea_key>/status/", views.idea_status, name="status"),
    path("w/<slug:slug>/ideas/<str:idea_key>/feature/", views.idea_feature, name="feature"),
    path("w/<slug:slug>/ideas/<str:idea_key>/merge/", views.idea_merge, name="merge"),
    path("w/<slug:slug>/ideas/<str:idea_key>/hide/", views.idea_hide, name="hide"),
    path(
        "w/<slug:slug>/idea-comments/<str:comment_key>/hide/",
        views.comment_hide,
        name="comment_hide",
    ),
]
