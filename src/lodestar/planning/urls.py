from django.urls import path

from lodestar.planning.views import features as views

app_name = "planning"
urlpatterns = [
    path("w/<slug:slug>/features/", views.features, name="features"),
    path("w/<slug:slug>/features/<str:feature_key>/", views.feature_detail, name="feature"),
    path(
        "w/<slug:slug>/features/<str:feature_key>/delete/",
        views.feature_delete,
        name="feature_delete",
    ),
]
