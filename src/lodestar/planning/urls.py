from django.urls import path

from lodestar.planning.views import features as views
from lodestar.planning.views import matrix, scoring

app_name = "planning"
urlpatterns = [
    path("w/<slug:slug>/features/", views.features, name="features"),
    # Before features/<feature_key>/: these words are not feature keys.
    path("w/<slug:slug>/features/ranking/", scoring.ranking, name="ranking"),
    path("w/<slug:slug>/features/matrix/", matrix.matrix, name="matrix"),
    path("w/<slug:slug>/features/scoring/", scoring.scoring_models, name="scoring_models"),
    path(
        "w/<slug:slug>/features/scoring/<str:model_key>/",
        scoring.scoring_model,
        name="scoring_model",
    ),
    path("w/<slug:slug>/features/<str:feature_key>/", views.feature_detail, name="feature"),
    path(
        "w/<slug:slug>/features/<str:feature_key>/drivers/",
        scoring.feature_drivers,
        name="feature_drivers",
    ),
    path(
        "w/<slug:slug>/features/<str:feature_key>/delete/",
        views.feature_delete,
        name="feature_delete",
    ),
]
