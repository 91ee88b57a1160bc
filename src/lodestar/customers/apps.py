from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "lodestar.customers"
    label = "customers"

    def ready(self) -> None:
        from lodestar.customers.market_search import SOURCES as MARKET
        from lodestar.customers.search import SOURCES
        from lodestar.workspaces import search

        search.register(*SOURCES, *MARKET)
