"""Features: what the team might build. Later issues add scoring, horizons, stories,
releases; here a feature is what feedback insights link to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField


class FeatureStatus(models.TextChoices):
    IDEA = "idea", "Idea"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SHIPPED = "shipped", "Shipped"
    DECLINED = "declined", "Declined"


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
        max_length=20, choices=FeatureStatus.choices, default=FeatureStatus.IDEA
    )
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
