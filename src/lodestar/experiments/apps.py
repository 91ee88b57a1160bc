from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "lodestar.experiments"
    label = "experiments"
    verbose_name = "Experiments: A/B tests from hypothesis to decision"
