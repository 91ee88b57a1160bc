"""An experiment's results (namespace `experiment_results`): the page, refresh, and the
outcome recorded in the decision log."""

app_name = "experiment_results"
urlpatterns: list = []
