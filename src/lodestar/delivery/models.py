"""Delivery: what could stop a release (risks, and the issues they become), whether it will
land on time (forecasts), what it costs (budgets), what stakeholders are told (status
reports) and what customers are told (the changelog).

A risk's history is the activity log (target_type "risk"); money is `Decimal` in the
workspace's currency."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField

MAX_TEXT = 20_000
SCALE = [MinValueValidator(1), MaxValueValidator(5)]


def _money(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class DeliverySettings(models.Model):
    """Per product: when a release counts as at risk or over budget, and who gets reports."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    product = models.OneToOneField(
        "workspaces.Product", on_delete=models.CASCADE, related_name="delivery_settings"
    )
    # A release whose chance of finishing by its target falls below this (%) is at risk.
    on_time_threshold = models.PositiveSmallIntegerField(
        default=70, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    # Actual cost beyond plan by more than this (%) raises a draft budget risk.
    over_budget_threshold = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(500)]
    )
    # Extra status-report recipients (one address per line), besides the workspace's
    # stakeholders.
    report_recipients = models.TextField(blank=True, max_length=4000)

    def __str__(self) -> str:
        return f"Delivery settings of {self.product_id}"


# -- risks and issues ----------------------------------------------------------------------


class RiskCategory(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    BUDGET = "budget", "Budget"
    TECHNICAL = "technical", "Technical"
    MARKET = "market", "Market"
    LEGAL = "legal", "Legal / compliance"
    PEOPLE = "people", "People"


class RiskStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"  # drafted by Lodestar (forecast, budget); PM decides
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Mitigating"
    CLOSED = "closed", "Closed"
    OCCURRED = "occurred", "Occurred"  # it happened: see its Issue
    DISMISSED = "dismissed", "Dismissed"  # a proposal the PM turned down


ACTIVE_RISK = (RiskStatus.OPEN, RiskStatus.MITIGATING)


class RiskSource(models.TextChoices):
    MANUAL = "manual", "Written by a person"
    FORECAST = "forecast", "Delivery forecast"
    BUDGET = "budget", "Budget"


class Risk(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="risks"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="risks"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=MAX_TEXT)
    category = models.CharField(max_length=12, choices=RiskCategory.choices)
    likelihood = models.PositiveSmallIntegerField(validators=SCALE)
    impact = models.PositiveSmallIntegerField(validators=SCALE)
    exposure = models.PositiveSmallIntegerField(editable=False)  # likelihood x impact, kept
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    mitigation = models.TextField(blank=True, max_length=MAX_TEXT)  # the plan; steps: actions
    contingency = models.TextField(blank=True, max_length=MAX_TEXT)
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    review_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)  # last review reminder sent
    features = models.ManyToManyField("planning.Feature", blank=True, related_name="risks")
    releases = models.ManyToManyField("planning.Release", blank=True, related_name="risks")
    objectives = models.ManyToManyField("strategy.Objective", blank=True, related_name="risks")
    # Proposals: where the draft came from, the release it is about and the numbers behind it.
    source = models.CharField(max_length=10, choices=RiskSource.choices, default=RiskSource.MANUAL)
    source_release = models.ForeignKey(
        "planning.Release", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    evidence = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["product", "status", "-exposure"], name="risk_product_exposure")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.exposure = int(self.likelihood) * int(self.impact)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "exposure", "updated_at"}
        super().save(*args, **kwargs)


class RiskAction(models.Model):
    """One step of a risk's mitigation plan: who does what by when."""

    key = KeyField()
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Issue(models.Model):
    """Something that happened (often a risk that occurred): its impact and resolution."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="delivery_issues"
    )
    risk = models.OneToOneField(
        Risk, on_delete=models.SET_NULL, null=True, blank=True, related_name="issue"
    )
    title = models.CharField(max_length=200)
    impact = models.TextField(max_length=MAX_TEXT)  # what it cost: days, money, customers
    severity = models.PositiveSmallIntegerField(validators=SCALE, default=3)
    occurred_on = models.DateField()
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(blank=True, max_length=MAX_TEXT)
    resolved_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title


# -- forecasts -----------------------------------------------------------------------------


class ReleaseForecast(models.Model):
    """A Monte Carlo forecast of a release, as computed on a day (one row per release and
    day; the latest is the release's current forecast). `p_on_time` is None, with a
    `reason`, when there is not enough data to forecast."""

    release = models.ForeignKey(
        "planning.Release", on_delete=models.CASCADE, related_name="forecasts"
    )
    day = models.DateField()
    computed_at = models.DateTimeField(default=timezone.now)
    remaining = models.PositiveIntegerField()  # stories not done
    done = models.PositiveIntegerField(default=0)
    history_weeks = models.PositiveSmallIntegerField(default=0)
    trials = models.PositiveIntegerField(default=0)
    p_on_time = models.FloatField(null=True, blank=True)  # 0..1
    p50 = models.DateField(null=True, blank=True)
    p85 = models.DateField(null=True, blank=True)
    p95 = models.DateField(null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(default=70)  # % in force when computed
    at_risk = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "day"], name="forecast_release_day")
        ]

    def __str__(self) -> str:
        return f"Forecast of {self.release_id} on {self.day}"


# -- budgets -------------------------------------------------------------------------------


class ReleaseBudget(models.Model):
    """A release's planned cost: computed from effort x team cost unless set by hand."""

    release = models.OneToOneField(
        "planning.Release", on_delete=models.CASCADE, related_name="budget"
    )
    planned_override = _money(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Budget of {self.release_id}"


class CostCategory(models.TextChoices):
    PEOPLE = "people", "People"
    CONTRACTORS = "contractors", "Contractors"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    LICENSES = "licenses", "Licences and services"
    OTHER = "other", "Other"


class CostLine(models.Model):
    """Money actually spent on a release."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    release = models.ForeignKey(
        "planning.Release", on_delete=models.CASCADE, related_name="cost_lines"
    )
    description = models.CharField(max_length=200)
    category = models.CharField(
        max_length=16, choices=CostCategory.choices, default=CostCategory.PEOPLE
    )
    amount = _money(validators=[MinValueValidator(0)])
    spent_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spent_on", "id"]

    def __str__(self) -> str:
        return self.description


# -- status reports ------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class StatusReport(models.Model):
    """A product's weekly status report: generated from the data, edited, then sent."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="status_reports"
    )
    week_start = models.DateField()  # the Monday of the week reported on
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=100_000)  # markdown, editable before sending
    data = models.JSONField(default=dict, blank=True)  # the numbers it was generated from
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    generated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_to = models.JSONField(default=list, blank=True)  # addresses it went to
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "week_start"], name="report_per_week")
        ]

    def __str__(self) -> str:
        return self.title


# -- changelog -----------------------------------------------------------------------------


class ChangelogEntry(models.Model):
    """A public note of what shipped, on the workspace's portal."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="changelog"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=MAX_TEXT)  # markdown
    features = models.ManyToManyField("planning.Feature", blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)  # None: a draft
    notified = models.PositiveIntegerField(default=0)  # people told when it was published
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "changelog entries"
        indexes = [models.Index(fields=["workspace", "-published_at"], name="changelog_recent")]

    def __str__(self) -> str:
        return self.title
