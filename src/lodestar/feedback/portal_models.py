"""The public ideas portal: what visitors (customers) post, vote on and discuss.

Imported at the bottom of `lodestar.feedback.models`, so Django registers these models in
the `feedback` app. Visitors have no account: they prove an email by following a signed,
expiring link (lodestar.feedback.portal_services), and the verified email lives in their
session, so there is no table for it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from lodestar.core.keys import KeyField

MAX_TITLE = 160
MAX_BODY = 10_000
MAX_COMMENT = 5_000
MAX_REASON = 2_000
MAX_WELCOME = 2_000


class Portal(models.Model):
    """One workspace's portal settings. No row: the portal is off."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="portal"
    )
    enabled = models.BooleanField(default=False)
    # Public: anyone reads, verified visitors write. Private: only verified visitors whose
    # email is known to the workspace (a member, a person, a company's domain) see anything.
    public = models.BooleanField(default=True)
    welcome = models.TextField(blank=True, max_length=MAX_WELCOME)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.workspace} portal"

    @property
    def key(self) -> str:  # for the activity log, which names objects by key
        return self.workspace.slug


class IdeaStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SHIPPED = "shipped", "Shipped"
    DECLINED = "declined", "Declined"


class Idea(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="ideas"
    )
    title = models.CharField(max_length=MAX_TITLE)
    body = models.TextField(blank=True, max_length=MAX_BODY)  # markdown, sanitized on render
    status = models.CharField(max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.OPEN)
    declined_reason = models.TextField(blank=True, max_length=MAX_REASON)
    # Who asked: a visitor's verified email, or the customer a member posted it for.
    author_email = models.EmailField(blank=True)
    person = models.ForeignKey(
        "customers.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    company = models.ForeignKey(
        "customers.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    submitted_by = models.ForeignKey(
        "workspaces.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feature = models.ForeignKey(
        "planning.Feature", on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    hidden = models.BooleanField(default=False)  # by a moderator
    # False until the visitor who posted it follows the emailed link.
    confirmed = models.BooleanField(default=True)
    # Kept by the services (recounted from Vote rows on every change): sorting by votes stays
    # an index scan however many ideas there are.
    vote_count = models.PositiveIntegerField(default=0)
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-vote_count", "-id"], name="idea_ws_votes"),
            models.Index(fields=["workspace", "status", "-id"], name="idea_ws_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        from lodestar.feedback.search import fold

        self.search_text = fold(f"{self.title}\n{self.body}")
        fields = kwargs.get("update_fields")
        if fields is not None and {"title", "body"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def listed(self) -> bool:
        """Shown to visitors: confirmed, not hidden, not merged away."""
        return self.confirmed and not self.hidden and self.merged_into_id is None


class Vote(models.Model):
    """One customer's vote on one idea. A visitor votes with a verified email; a member
    votes on behalf of a named customer (`proxy`), with the person's email or, for a company
    without a named person, no email."""

    key = KeyField()
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    email = models.EmailField(blank=True)  # lower-cased
    person = models.ForeignKey(
        "customers.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="votes"
    )
    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="idea_votes",
    )
    proxy = models.BooleanField(default=False)
    proxy_by = models.ForeignKey(
        "workspaces.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "email"], condition=~Q(email=""), name="vote_once_per_email"
            ),
            models.UniqueConstraint(
                fields=["idea", "company"],
                condition=Q(email=""),
                name="vote_once_per_company_without_email",
            ),
        ]
        indexes = [models.Index(fields=["company", "-id"], name="vote_company")]

    def __str__(self) -> str:
        return f"{self.email or self.company} on {self.idea}"


class Comment(models.Model):
    key = KeyField()
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author_email = models.EmailField(blank=True)
    author_member = models.ForeignKey(
        "workspaces.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=MAX_COMMENT)  # markdown, sanitized on render
    hidden = models.BooleanField(default=False)
    confirmed = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["idea", "id"], name="comment_idea")]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def workspace(self):
        return self.idea.workspace
