"""Features: what the team might build. Later issues add scoring, horizons, stories,
releases; here a feature is what feedback insights link to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField


class FeatureStatus(models.TextChoices):
    NEW = "new", "New"
    UNDER_CONSIDERATION = "under_consideration", "Under consideration"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SHIPPED = "shipped", "Shipped"
    WONT_DO = "wont_do", "Won't do"


class Horizon(models.TextChoices):
    NOW = "now", "Now"
    NEXT = "next", "Next"
    LATER = "later", "Later"


class EffortUnit(models.TextChoices):
    POINTS = "points", "Points"
    WEEKS = "weeks", "Weeks"


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ImpactUnit(models.TextChoices):
    PERCENT = "percent", "%"
    POINTS = "points", "percentage points"
    ABSOLUTE = "absolute", "in the metric's own unit"


def _money() -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)


class Feature(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="features"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10_000)
    status = models.CharField(
        max_length=20, choices=FeatureStatus.choices, default=FeatureStatus.NEW
    )
    # An initiative groups features: a feature's parent; never a cycle (services check).
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    horizon = models.CharField(max_length=10, choices=Horizon.choices, blank=True)
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        "workspaces.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    effort = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    effort_unit = models.CharField(
        max_length=10, choices=EffortUnit.choices, default=EffortUnit.POINTS
    )
    effort_confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated")
    # The business case: new annual revenue the PM expects beyond the asking customers' ARR,
    # as a low / expected / high range (see planning/business.py).
    new_revenue_low = _money()
    new_revenue = _money()
    new_revenue_high = _money()
    # Predicted impact: the outcome the feature should move; analytics compares it later.
    impact_metric = models.CharField(max_length=120, blank=True)
    impact_change = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    impact_unit = models.CharField(
        max_length=10, choices=ImpactUnit.choices, default=ImpactUnit.PERCENT
    )
    # Measured impact: what an experiment (lodestar.experiments) found when its outcome was
    # recorded: the change with its interval, in `measured_unit`, and where it came from.
    measured_change = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measured_low = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measured_high = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measured_unit = models.CharField(
        max_length=10, choices=ImpactUnit.choices, default=ImpactUnit.PERCENT
    )
    measured_source = models.CharField(max_length=300, blank=True)
    measured_on = models.DateField(null=True, blank=True)
    # The roadmap: the release it ships in, its order within a board column (smaller
    # first), and the version that makes a stale edit a conflict (planning/concurrency.py).
    release = models.ForeignKey(
        "planning.Release",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="features",
    )
    rank = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "title"], name="feature_title_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (part.strip() for part in self.tags.split(",")) if t]


class ScoringKind(models.TextChoices):
    RICE = "rice", "RICE"
    ICE = "ice", "ICE"
    WSJF = "wsjf", "WSJF"
    VALUE_EFFORT = "value_effort", "Value / effort"
    CUSTOM = "custom", "Custom formula"


class ScoringModel(models.Model):
    """How a product's features are ranked: a formula over named drivers."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="scoring_models"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="scoring_models"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=ScoringKind.choices, default=ScoringKind.RICE)
    formula = models.CharField(max_length=500)
    # Named weights the formula may use ({"w_revenue": 1.0}): what-if changes them one by one.
    weights = models.JSONField(default=dict, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="scoring_model_name"),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(is_default=True),
                name="one_default_scoring_model",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weight_items(self) -> list[tuple[str, float]]:
        """The weights by name: PostgreSQL's jsonb keeps its own key order, not the one typed."""
        return sorted(self.weights.items())


class FeatureDriver(models.Model):
    """A driver value entered for one feature (reach, impact, strategic_fit, ...)."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="drivers")
    name = models.CharField(max_length=40)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feature", "name"], name="one_value_per_driver")
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ScoreRecord(models.Model):
    """A feature's score under a model when its drivers or the model changed: the history.
    `value` is None when the feature could not be scored (`reason` says why)."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="score_records")
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="records")
    value = models.FloatField(null=True)
    reason = models.CharField(max_length=200, blank=True)
    formula = models.CharField(max_length=500)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["feature", "model", "recorded_at"], name="score_history"),
        ]

    def __str__(self) -> str:
        return f"{self.feature_id}/{self.model_id}={self.value}"


# The Plan stage's models live in their own modules; importing them here registers them.
from lodestar.planning.backlog_models import (  # noqa: E402, F401
    AcceptanceCriterion,
    Iteration,
    StoryStatus,
    UserStory,
)
from lodestar.planning.roadmap_models import (  # noqa: E402, F401
    ChangeKind,
    Dependency,
    Release,
    ReleaseKind,
    ReleaseStatus,
    RoadmapChange,
    RoadmapView,
    SavedView,
    ShareLink,
)
