from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "lodestar.analytics"
    label = "analytics"
