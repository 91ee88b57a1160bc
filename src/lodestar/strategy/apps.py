from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "lodestar.strategy"
    label = "strategy"

    def ready(self) -> None:
        from lodestar.strategy.search import SOURCES
        from lodestar.workspaces import search

        search.register(*SOURCES)
