"""Customers: the companies that pay (or might), and the people in them."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lodestar.core.keys import KeyField


class Segment(models.TextChoices):
    SMB = "smb", "SMB"
    MID_MARKET = "mid_market", "Mid-market"
    ENTERPRISE = "enterprise", "Enterprise"


class Company(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="companies"
    )
    name = models.CharField(max_length=200)
    # Lower-cased, without scheme or "www.": the key a CSV re-import matches on.
    domain = models.CharField(max_length=253, blank=True)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The company's id in your CRM or billing system."
    )
    arr = models.DecimalField(
        "ARR",
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Annual recurring revenue, in the workspace currency.",
    )
    plan = models.CharField(max_length=60, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    owner = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_companies",
        help_text="The account owner on your side.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "domain"],
                condition=~Q(domain=""),
                name="company_domain_per_workspace",
            ),
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~Q(external_id=""),
                name="company_external_id_per_workspace",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-arr", "-id"], name="company_ws_arr"),
            models.Index(fields=["workspace", "name", "id"], name="company_ws_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="people"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)  # stored lower-cased; the re-import match key
    title = models.CharField(max_length=120, blank=True)
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=~Q(email=""),
                name="person_email_per_workspace",
            ),
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_per_workspace",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email


# Competitors and research notes live in their own module; importing them registers them.
from lodestar.customers.market_models import (  # noqa: E402, F401
    Capability,
    Competitor,
    Highlight,
    Level,
    NoteKind,
    ResearchNote,
)
