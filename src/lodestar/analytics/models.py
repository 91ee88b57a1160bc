"""What the analytics app keeps in the relational database. Events and persons live in the
event store (lodestar.analytics.store); these are the PM's saved work over them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField


class ChartKind(models.TextChoices):
    TRENDS = "trends", "Trends"
    FUNNEL = "funnel", "Funnel"
    RETENTION = "retention", "Retention"
    SQL = "sql", "SQL"


class Chart(models.Model):
    """A saved insight: its kind and the query parameters the insight's form produced
    (the same dict its page takes as query string), so it re-runs on current data."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="charts"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="charts"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    kind = models.CharField(max_length=12, choices=ChartKind.choices)
    query = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Dashboard(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="dashboards"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="dashboards"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DashboardChart(models.Model):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="items")
    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dashboard", "chart"], name="dashboard_chart_once")
        ]

    def __str__(self) -> str:
        return f"{self.chart} on {self.dashboard}"


class ChartEmbed(models.Model):
    """A saved chart shown on a feature, objective or decision page (exactly one of them)."""

    key = KeyField()
    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="embeds")
    feature = models.ForeignKey(
        "planning.Feature", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    objective = models.ForeignKey(
        "strategy.Objective", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        "strategy.Decision", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(feature__isnull=False, objective__isnull=True, decision__isnull=True)
                    | models.Q(feature__isnull=True, objective__isnull=False, decision__isnull=True)
                    | models.Q(feature__isnull=True, objective__isnull=True, decision__isnull=False)
                ),
                name="chart_embed_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.chart} embedded"


class AdoptionDefinition(models.Model):
    """How a feature's use shows in the events: an event name and property filters
    (`[{"key": "plan", "op": "eq", "value": "pro"}]`)."""

    feature = models.OneToOneField(
        "planning.Feature", on_delete=models.CASCADE, related_name="adoption"
    )
    event = models.CharField(max_length=200)
    filters = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.feature} uses {self.event}"


class KeyResultMetric(models.Model):
    """A key result whose current value comes from a saved chart (its last value), refreshed
    on a schedule by the compactor's ticker."""

    key_result = models.OneToOneField(
        "strategy.KeyResult", on_delete=models.CASCADE, related_name="analytics_metric"
    )
    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="key_results")
    refresh_minutes = models.PositiveIntegerField(default=60)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.key_result} from {self.chart}"


class FrictionKind(models.TextChoices):
    RAGE = "rage", "Rage clicks"
    DEAD = "dead", "Dead clicks"
    ERROR = "error", "Error clicks"
    SLOW = "slow", "Slow page"


class FrictionLink(models.Model):
    """A friction item (kind + URL + element) recorded as evidence on a feature: it made an
    insight (feedback.Insight) so it enters prioritization."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey("workspaces.Product", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=FrictionKind.choices)
    url = models.CharField(max_length=2000)
    selector = models.CharField(max_length=1000, blank=True)
    insight = models.ForeignKey(
        "feedback.Insight", on_delete=models.CASCADE, related_name="friction_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.url}"
