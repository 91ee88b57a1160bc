"""URLs of analytics: the home, the insights (trends, funnels, retention) and the events and
persons explorers. A person is named by a query parameter (`persons/person/?id=...`): person
ids are whatever clients sent, so they never become a path segment."""

from django.urls import path

from lodestar.analytics.views import funnels, insights

app_name = "analytics_insights"
W = "w/<slug:slug>/analytics/"
urlpatterns: list = [
    path(W, insights.home, name="home"),
    path(W + "trends/", insights.trends_page, name="trends"),
    path(W + "funnels/", funnels.funnel_page, name="funnels"),
    path(W + "funnels/dropped/", funnels.dropped_page, name="funnel_dropped"),
    path(W + "retention/", insights.retention_page, name="retention"),
    path(W + "events/", insights.events_page, name="events"),
    path(W + "persons/", insights.persons_page, name="persons"),
    path(W + "persons/person/", insights.person_page, name="person"),
]
