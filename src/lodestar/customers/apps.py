from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "lodestar.customers"
    label = "customers"
