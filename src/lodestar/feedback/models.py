"""Feedback: what customers and colleagues tell the product team, triaged in an inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField

MAX_TEXT = 10_000


class Status(models.TextChoices):
    INBOX = "inbox", "Inbox"
    PROCESSED = "processed", "Processed"
    ARCHIVED = "archived", "Archived"


class Source(models.TextChoices):
    MANUAL = "manual", "Entered by a colleague"
    API = "api", "API"
    IMPORT = "import", "CSV import"
    EMAIL = "email", "Email"
    WIDGET = "widget", "In-app widget"
    RESEARCH = "research", "Research note"
    SUPPORT = "support", "Support ticket"
    SALES = "sales", "Sales call"


class Tag(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="feedback_tags"
    )
    name = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tag_name_per_workspace")
        ]

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="feedback"
    )
    product = models.ForeignKey(
        "workspaces.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=MAX_TEXT)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    person = models.ForeignKey(
        "customers.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INBOX)
    assignee = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_feedback",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="feedback")
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The id in the system it came from (a support ticket), and for imports without one a
    # hash of text, author and day: what a CSV re-import matches on.
    external_id = models.CharField(max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # The same text folded for search (see `lodestar.feedback.search`), kept by every writer.
    search_text = models.TextField(blank=True, editable=False)
    # Set when a triager merges this feedback into another: it stays, archived, pointing there.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )

    class Meta:
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="feedback_external_id_per_workspace",
            ),
            models.UniqueConstraint(
                fields=["workspace", "fingerprint"],
                condition=~models.Q(fingerprint=""),
                name="feedback_fingerprint_per_workspace",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-id"], name="feedback_inbox"),
            models.Index(fields=["workspace", "company"], name="feedback_company"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs) -> None:
        from lodestar.feedback.search import fold

        self.search_text = fold(self.text)
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class Importance(models.IntegerChoices):
    NICE_TO_HAVE = 1, "Nice to have"
    IMPORTANT = 2, "Important"
    CRITICAL = 3, "Critical"


class Insight(models.Model):
    """A snippet of one feedback, linked to the feature it asks for."""

    key = KeyField()
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="insights")
    feature = models.ForeignKey(
        "planning.Feature", on_delete=models.CASCADE, related_name="insights"
    )
    snippet = models.TextField(max_length=MAX_TEXT)
    importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.IMPORTANT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["feature", "-id"], name="insight_feature")]

    def __str__(self) -> str:
        return self.snippet[:60]


class SavedFilter(models.Model):
    """An inbox query a member saved by name: for themselves, or shared with the workspace."""

    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="feedback_filters"
    )
    owner = models.ForeignKey(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="feedback_filters"
    )
    name = models.CharField(max_length=60)
    # The inbox's query string (status=inbox&q=export&tag=...), as the inbox form writes it.
    query = models.CharField(max_length=1000)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_name_per_member")
        ]

    def __str__(self) -> str:
        return self.name


# The ideas portal's models live in their own module; importing them here registers them.
from lodestar.feedback.portal_models import (  # noqa: E402, F401
    Comment,
    Idea,
    IdeaStatus,
    Portal,
    Vote,
)
