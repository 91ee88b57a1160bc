from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lodestar.accounts"
    label = "accounts"
