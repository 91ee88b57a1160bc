"""The market around the customers: competitors, how they compare feature by feature, and
research notes (interviews, market notes) whose highlights become feedback.

Imported at the end of customers/models.py, so Django registers these models with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField

MAX_BODY = 50_000


class Competitor(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="competitors"
    )
    name = models.CharField(max_length=120)
    website = models.URLField(max_length=300, blank=True)
    description = models.CharField(
        max_length=500, blank=True, help_text="What they sell and to whom, in a sentence."
    )
    # Markdown: positioning, pricing, strengths and weaknesses, how deals are won or lost.
    notes = models.TextField(blank=True, max_length=MAX_BODY)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="competitor_name_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    HAS = "has", "Has it"
    PARTIAL = "partial", "Partly"
    NONE = "none", "Lacks it"


class Capability(models.Model):
    """One cell of the capability matrix: does `competitor` have our `feature`? A missing
    row means nobody has looked yet, which is not the same as "none"."""

    competitor = models.ForeignKey(
        Competitor, on_delete=models.CASCADE, related_name="capabilities"
    )
    feature = models.ForeignKey(
        "planning.Feature", on_delete=models.CASCADE, related_name="capabilities"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    note = models.CharField(max_length=500, blank=True)
    source_url = models.URLField("source", max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "capabilities"
        constraints = [
            models.UniqueConstraint(
                fields=["competitor", "feature"], name="capability_per_competitor_feature"
            )
        ]
        indexes = [models.Index(fields=["feature", "competitor"], name="capability_feature")]

    def __str__(self) -> str:
        return f"{self.competitor_id}/{self.feature_id}: {self.level}"


class NoteKind(models.TextChoices):
    INTERVIEW = "interview", "Customer interview"
    MARKET = "market", "Market note"
    OTHER = "other", "Other"


class ResearchNote(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="research_notes"
    )
    kind = models.CharField(max_length=12, choices=NoteKind.choices, default=NoteKind.INTERVIEW)
    title = models.CharField(max_length=200)
    date = models.DateField(default=timezone.localdate)
    # Who took part, as written ("Dolores Ellis (owner), two dispatchers"), plus colleagues.
    participants = models.CharField(max_length=500, blank=True)
    members = models.ManyToManyField("workspaces.Membership", blank=True, related_name="+")
    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_notes",
    )
    person = models.ForeignKey(
        "customers.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_notes",
    )
    body = models.TextField(max_length=MAX_BODY, help_text="Markdown.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-date", "-id"], name="note_ws_date"),
            models.Index(fields=["workspace", "company"], name="note_company"),
        ]

    def __str__(self) -> str:
        return self.title


class Highlight(models.Model):
    """A quote from a research note, and the feedback it became. The feedback keeps its own
    copy of the words, so editing the note later changes neither."""

    key = KeyField()
    note = models.ForeignKey(ResearchNote, on_delete=models.CASCADE, related_name="highlights")
    quote = models.TextField(max_length=10_000)
    feedback = models.ForeignKey(
        "feedback.Feedback",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.quote[:60]
