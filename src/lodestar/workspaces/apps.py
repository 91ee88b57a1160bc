from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "lodestar.workspaces"
    label = "workspaces"
