from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "lodestar.planning"
    label = "planning"
