"""Strategy: a vision per product, objectives with key results (and their check-ins), the
features each objective is served by, and the decision log."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField

MAX_TEXT = 20_000


class Vision(models.Model):
    """One statement per product (markdown)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    product = models.OneToOneField(
        "workspaces.Product", on_delete=models.CASCADE, related_name="vision"
    )
    statement = models.TextField(max_length=MAX_TEXT, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Vision of {self.product_id}"


class ObjectiveStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    DROPPED = "dropped", "Dropped"


class Objective(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="objectives"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=MAX_TEXT)
    period = models.CharField(max_length=7, help_text='A quarter, e.g. "2026-Q4".')
    weight = models.PositiveSmallIntegerField(default=1)
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=12, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ON_TRACK
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "period"], name="objective_period")]

    def __str__(self) -> str:
        return self.title


class KeyResult(models.Model):
    key = KeyField()
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    metric = models.CharField(max_length=200)
    unit = models.CharField(max_length=20, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    target = models.DecimalField(max_digits=16, decimal_places=4)
    current = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.metric

    @property
    def workspace(self):
        return self.objective.workspace

    @property
    def progress(self) -> float:
        """(current - baseline) / (target - baseline), clamped to 0..1. Works for a metric
        that should go down (target below baseline) too."""
        return progress(self.baseline, self.target, self.current)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)


def progress(baseline: Decimal, target: Decimal, current: Decimal) -> float:
    span = target - baseline
    if span == 0:
        return 1.0 if current == target else 0.0
    return float(min(Decimal(1), max(Decimal(0), (current - baseline) / span)))


class KeyResultCheckin(models.Model):
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="checkins")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["key_result", "at"], name="checkin_kr_at")]

    def __str__(self) -> str:
        return f"{self.key_result_id}: {self.value}"


class ObjectiveFeature(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="links")
    feature = models.ForeignKey(
        "planning.Feature", on_delete=models.CASCADE, related_name="objective_links"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["objective", "feature"], name="objective_feature_once")
        ]

    def __str__(self) -> str:
        return f"{self.objective_id} → {self.feature_id}"


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    SUPERSEDED = "superseded", "Superseded"


class Decision(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="decisions"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    context = models.TextField(blank=True, max_length=MAX_TEXT)
    options = models.TextField(blank=True, max_length=MAX_TEXT)
    outcome = models.TextField(blank=True, max_length=MAX_TEXT)
    rationale = models.TextField(blank=True, max_length=MAX_TEXT)
    deciders = models.ManyToManyField("workspaces.Membership", blank=True, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    insights = models.ManyToManyField("feedback.Insight", blank=True, related_name="decisions")
    features = models.ManyToManyField("planning.Feature", blank=True, related_name="decisions")
    objectives = models.ManyToManyField(Objective, blank=True, related_name="decisions")
    # Title, context, outcome and rationale folded (lodestar.feedback.search.fold), so a
    # search gives the same rows on SQLite and PostgreSQL.
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="decision_ws_new")]

    def __str__(self) -> str:
        return self.title
