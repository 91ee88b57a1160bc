"""URLs of analytics: saved charts, dashboards, embeds, feature adoption, key result metrics."""

from django.urls import path

from lodestar.analytics.views import charts as views

app_name = "analytics_charts"
W = "w/<slug:slug>/analytics/"
urlpatterns = [
    path(W + "charts/", views.chart_list, name="charts"),
    path(W + "charts/new/", views.chart_new, name="chart_new"),
    path(W + "charts/<str:chart_key>/", views.chart_detail, name="chart"),
    path(W + "charts/<str:chart_key>/delete/", views.chart_delete, name="chart_delete"),
    path(W + "dashboards/", views.dashboard_list, name="dashboards"),
    path(W + "dashboards/<str:dashboard_key>/", views.dashboard_detail, name="dashboard"),
    path(
        W + "dashboards/<str:dashboard_key>/delete/",
        views.dashboard_delete,
        name="dashboard_delete",
    ),
    path(W + "embeds/", views.embed_add, name="embed_add"),
    path(W + "embeds/<str:embed_key>/remove/", views.embed_remove, name="embed_remove"),
    path(W + "features/<str:feature_key>/adoption/", views.feature_adoption, name="adoption"),
    path(W + "key-results/<str:kr_key>/metric/", views.kr_metric, name="kr_metric"),
]
