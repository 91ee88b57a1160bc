"""Experiments: an A/B test of a product, from its hypothesis to the decision.

An experiment is identified to clients by `flag_key` (unique per product): the PostHog flag
key, the Segment experiment id or name, or the key of Lodestar's own `$exposure` events and
assignment API. Its variants are a JSON list `[{"name": "control", "split": 0.5}, ...]`:
the first is the control, the splits sum to 1. Its metrics are `Metric` rows: one primary,
any number of secondary ones, each frozen once the experiment has started.

Exposures and metric values are read from the event store (lodestar.experiments.queries);
the statistics are pure functions of per-arm sums (lodestar.experiments.stats)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField

MAX_TEXT = 20_000
MAX_VARIANTS = 5
DEFAULT_WINDOW_SECONDS = 14 * 86_400


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"


class Engine(models.TextChoices):
    FREQUENTIST = "frequentist", "Frequentist"
    BAYESIAN = "bayesian", "Bayesian"


class Correction(models.TextChoices):
    HOLM = "holm", "Holm (family-wise error)"
    BH = "bh", "Benjamini-Hochberg (false discovery rate)"
    NONE = "none", "None"


class Experiment(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="experiments"
    )
    feature = models.ForeignKey(
        "planning.Feature",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiments",
    )
    name = models.CharField(max_length=200)
    flag_key = models.CharField(max_length=100)
    hypothesis = models.TextField(max_length=MAX_TEXT)
    variants = models.JSONField(default=list)
    # How the results are read (the defaults are what a PM should start with).
    engine = models.CharField(max_length=12, choices=Engine.choices, default=Engine.FREQUENTIST)
    sequential = models.BooleanField(default=False)
    alpha = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=0.05,
        validators=[MinValueValidator(0.001), MaxValueValidator(0.2)],
    )
    correction = models.CharField(max_length=6, choices=Correction.choices, default=Correction.HOLM)
    # An informative prior on the relative lift (Bayesian engine): normal(mean, stddev), in
    # fractions (0.0, 0.1 = "no change expected, +-10 %"). Both empty: a flat prior.
    prior_mean = models.FloatField(null=True, blank=True)
    prior_stddev = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    # CUPED: use each person's value of the same metric in the days before exposure.
    cuped = models.BooleanField(default=True)
    cuped_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    # Planning: the smallest relative change worth detecting (%), the power wanted, and the
    # fewest exposures per arm before any result is shown.
    minimum_effect = models.DecimalField(
        max_digits=6, decimal_places=2, default=5, validators=[MinValueValidator(0.01)]
    )
    power = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=0.8,
        validators=[MinValueValidator(0.5), MaxValueValidator(0.99)],
    )
    minimum_sample = models.PositiveIntegerField(default=100)
    status = models.CharField(
        max_length=8, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # The latest analysis (lodestar.experiments.results), kept so the page opens at once.
    results = models.JSONField(default=dict, blank=True)
    results_at = models.DateTimeField(null=True, blank=True)
    # The outcome: the decision in the log, the variant shipped ("" = none), and the results
    # as they were when it was decided.
    decision = models.ForeignKey(
        "strategy.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiments",
    )
    shipped_variant = models.CharField(max_length=60, blank=True)
    decided_results = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "flag_key"], name="experiment_flag_per_product"
            )
        ]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="experiment_ws_new")]

    def __str__(self) -> str:
        return self.name

    @property
    def variant_names(self) -> list[str]:
        return [v["name"] for v in self.variants]

    @property
    def splits(self) -> list[float]:
        return [float(v["split"]) for v in self.variants]


class MetricKind(models.TextChoices):
    CONVERSION = "conversion", "Conversion"  # did the person do it (or finish the funnel)
    MEAN = "mean", "Mean of a property"  # mean per person of a numeric event property
    COUNT = "count", "Count per person"  # how many times per person


class MetricRole(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class Goal(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


class Metric(models.Model):
    """What an experiment measures, per exposed person, within `window_seconds` after the
    person's first exposure. A conversion is one event (with filters) or, when `steps` is
    set, a funnel finished in order within the window (steps copied from a saved funnel
    chart, which `chart` remembers)."""

    key = KeyField()
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="metrics")
    role = models.CharField(max_length=10, choices=MetricRole.choices, default=MetricRole.PRIMARY)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    kind = models.CharField(
        max_length=10, choices=MetricKind.choices, default=MetricKind.CONVERSION
    )
    event = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(default=list, blank=True)
    steps = models.JSONField(default=list, blank=True)  # [{"event", "filters"}, ...]
    chart = models.ForeignKey(
        "analytics.Chart", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    property = models.CharField(max_length=200, blank=True)  # for MEAN
    window_seconds = models.PositiveIntegerField(
        default=DEFAULT_WINDOW_SECONDS,
        validators=[MinValueValidator(60), MaxValueValidator(90 * 86_400)],
    )
    goal = models.CharField(max_length=8, choices=Goal.choices, default=Goal.INCREASE)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
