from django.urls import path

from lodestar.feedback.views import similar as views

app_name = "similar"
urlpatterns = [
    path("w/<slug:slug>/feedback/duplicates/", views.duplicates, name="duplicates"),
    path("w/<slug:slug>/feedback/themes/", views.themes, name="themes"),
    path("w/<slug:slug>/feedback/<str:feedback_key>/similar/", views.panel, name="panel"),
    path("w/<slug:slug>/feedback/<str:feedback_key>/merge/", views.merge, name="merge"),
    path("w/<slug:slug>/feedback/<str:feedback_key>/unmerge/", views.unmerge, name="unmerge"),
]
