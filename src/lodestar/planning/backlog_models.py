"""The product owner's backlog: user stories under features, their acceptance criteria, and
iterations. A team's weekly throughput (done stories per week, the delivery forecast's input)
is read from `UserStory.done_at`. Imported by models.py."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from lodestar.core.keys import KeyField


class StoryStatus(models.TextChoices):
    TODO = "todo", "To do"
    DOING = "doing", "Doing"
    DONE = "done", "Done"


class Iteration(models.Model):
    """A team's time box (a sprint): stories planned into it."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="iterations"
    )
    team = models.ForeignKey("workspaces.Team", on_delete=models.CASCADE, related_name="iterations")
    name = models.CharField(max_length=80)
    start = models.DateField()
    end = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="iteration_name_per_team"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="iteration_start_first"),
        ]

    def __str__(self) -> str:
        return self.name


class UserStory(models.Model):
    """ "As a <role> I want <goal> so that <benefit>", under a feature. `rank` orders the
    backlog (smaller first; services keep gaps so a move rewrites one row)."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="stories"
    )
    feature = models.ForeignKey(
        "planning.Feature", on_delete=models.CASCADE, related_name="stories"
    )
    title = models.CharField(max_length=200)
    as_a = models.CharField(max_length=120, blank=True)
    i_want = models.CharField(max_length=500, blank=True)
    so_that = models.CharField(max_length=500, blank=True)
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=StoryStatus.choices, default=StoryStatus.TODO)
    rank = models.BigIntegerField(default=0)
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    iteration = models.ForeignKey(
        Iteration, on_delete=models.SET_NULL, null=True, blank=True, related_name="stories"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "rank"], name="story_ws_rank"),
            models.Index(fields=["feature", "rank"], name="story_feature_rank"),
            models.Index(fields=["workspace", "done_at"], name="story_ws_done"),
        ]

    def __str__(self) -> str:
        return self.title


class AcceptanceCriterion(models.Model):
    story = models.ForeignKey(UserStory, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(max_length=500)
    done = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text
