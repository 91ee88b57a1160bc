from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "lodestar.feedback"
    label = "feedback"
