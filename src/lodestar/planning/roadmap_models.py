"""The Plan stage's roadmap: releases and milestones, dependencies between features, saved
views, share links for stakeholders, and the roadmap's history. Imported by models.py.

Concurrency: Release (and Feature, UserStory) carry a `version` that every save through the
services increments; a form posts the version it was shown, and a save against an older one
is a conflict (409) showing the other person's change instead of overwriting it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from lodestar.core.keys import KeyField


class ReleaseKind(models.TextChoices):
    RELEASE = "release", "Release"
    MILESTONE = "milestone", "Milestone"


class ReleaseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    RELEASED = "released", "Released"
    CANCELLED = "cancelled", "Cancelled"


class Release(models.Model):
    """A release (a span of work ending on a target date) or a milestone (a date to meet),
    of one product, delivered by one team."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="releases"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, related_name="releases"
    )
    # RESTRICT: a team with releases cannot be deleted alone, but its workspace can.
    team = models.ForeignKey("workspaces.Team", on_delete=models.RESTRICT, related_name="releases")
    kind = models.CharField(max_length=10, choices=ReleaseKind.choices, default=ReleaseKind.RELEASE)
    name = models.CharField(max_length=120)
    goal = models.TextField(blank=True, max_length=2000)
    start = models.DateField(null=True, blank=True)  # a milestone may have none
    target = models.DateField()
    status = models.CharField(
        max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.PLANNED
    )
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    released_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="release_name_per_product"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(start__lte=F("target")),
                name="release_starts_before_target",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "target"], name="release_ws_target")]

    def __str__(self) -> str:
        return self.name


class Dependency(models.Model):
    """`blocked` cannot start before `blocker` is done. Never a cycle (services check)."""

    blocker = models.ForeignKey(
        "planning.Feature", on_delete=models.CASCADE, related_name="blocks_links"
    )
    blocked = models.ForeignKey(
        "planning.Feature", on_delete=models.CASCADE, related_name="blocked_by_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_dependency"),
            models.CheckConstraint(
                condition=~Q(blocker=F("blocked")), name="dependency_not_on_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class RoadmapView(models.TextChoices):
    TIMELINE = "timeline", "Timeline"
    HORIZONS = "horizons", "Now / Next / Later"
    STATUS = "status", "By status"
    RELEASES = "releases", "Releases"


class SavedView(models.Model):
    """A roadmap view with its filters, by name: a member's own, or shared in the workspace."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="roadmap_views"
    )
    owner = models.ForeignKey(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="roadmap_views"
    )
    name = models.CharField(max_length=60)
    view = models.CharField(max_length=10, choices=RoadmapView.choices)
    query = models.CharField(max_length=1000, blank=True)  # the view's query string
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="roadmap_view_name_per_member")
        ]

    def __str__(self) -> str:
        return self.name


class ShareLink(models.Model):
    """A read-only, revocable, expiring link to some roadmap views of some products, for
    people without an account. Internal fields stay hidden unless turned on one by one."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="share_links"
    )
    # The secret in the URL; the key names the link in pages and logs.
    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=80)
    products = models.ManyToManyField("workspaces.Product", related_name="share_links")
    views = models.JSONField(default=list)  # RoadmapView values
    show_customers = models.BooleanField(default=False)
    show_arr = models.BooleanField(default=False)
    show_scores = models.BooleanField(default=False)
    show_comments = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.label


class ChangeKind(models.TextChoices):
    RELEASE_ADDED = "release_added", "Release added"
    RELEASE_DROPPED = "release_dropped", "Release removed"
    RELEASE_DATES = "release_dates", "Release dates changed"
    RELEASE_STATUS = "release_status", "Release status changed"
    FEATURE_ADDED = "feature_added", "Feature added to the roadmap"
    FEATURE_DROPPED = "feature_dropped", "Feature dropped from the roadmap"
    FEATURE_MOVED = "feature_moved", "Feature moved"


class RoadmapChange(models.Model):
    """One change to the roadmap: who, when, what, from -> to. "What changed since" reads
    these; `old` and `new` are the shown values (dates as ISO text)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="roadmap_changes"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.CASCADE, null=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    target_type = models.CharField(max_length=20)  # "release" or "feature"
    target_key = models.CharField(max_length=16)
    target_label = models.CharField(max_length=200)
    field = models.CharField(max_length=40, blank=True)
    old = models.CharField(max_length=200, blank=True)
    new = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "at"], name="roadmap_change_ws_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_label}"
