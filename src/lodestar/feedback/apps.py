from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "lodestar.feedback"
    label = "feedback"

    def ready(self) -> None:
        from lodestar.feedback.search import SOURCES
        from lodestar.workspaces import search

        search.register(*SOURCES)
