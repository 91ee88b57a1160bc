from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "lodestar.delivery"
    label = "delivery"
    verbose_name = "Delivery: risks, forecasts, budgets, reports, changelog"
