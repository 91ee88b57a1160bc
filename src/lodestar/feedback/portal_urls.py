"""The ideas portal's visitor pages: /p/<workspace-slug>/ (see views/portal.py)."""

from django.urls import path

from lodestar.feedback.views import portal as views

app_name = "portal"
urlpatterns = [
    path("p/<slug:slug>/", views.home, name="home"),
    path("p/<slug:slug>/new/", views.submit, name="submit"),
    path("p/<slug:slug>/ideas/<str:idea_key>/", views.idea_page, name="idea"),
    path("p/<slug:slug>/ideas/<str:idea_key>/vote/", views.vote, name="vote"),
    path("p/<slug:slug>/sign-in/", views.sign_in, name="sign_in"),
    path("p/<slug:slug>/sign-in/<str:token>/", views.verify, name="verify"),
    path("p/<slug:slug>/sign-out/", views.sign_out, name="sign_out"),
]
