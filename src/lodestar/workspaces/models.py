from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from lodestar.core.keys import KeyField, new_key

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
PRODUCT_KEY_PATTERN = r"^[a-z][a-z0-9-]{0,19}$"

CURRENCIES = (
    "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "CNY", "INR", "SGD", "HKD",
    "SEK", "NOK", "DKK", "PLN", "CZK", "BRL", "MXN", "ZAR", "ILS", "KRW", "AED",
)  # fmt: skip


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    PRODUCT_MANAGER = "product_manager", "Product manager"
    PRODUCT_OWNER = "product_owner", "Product owner"
    CONTRIBUTOR = "contributor", "Contributor"
    STAKEHOLDER = "stakeholder", "Stakeholder"


class Workspace(models.Model):
    """One team's whole Lodestar. Every other object belongs to exactly one workspace."""

    slug = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                SLUG_PATTERN,
                "Use 3-40 lower-case letters, digits and hyphens, not starting or ending "
                "with a hyphen.",
            )
        ],
    )
    name = models.CharField(max_length=80)
    currency = models.CharField(max_length=3, default="USD")
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} as {self.role}"


class Invitation(models.Model):
    """An emailed invitation. The link carries a signed, expiring token; it works once."""

    key = KeyField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


def new_write_key() -> str:
    """A product's public write key: safe to ship in a page, it only lets one post."""
    return "lw_" + new_key(24)


class Product(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="products")
    key = models.CharField(
        max_length=20,
        validators=[
            RegexValidator(
                PRODUCT_KEY_PATTERN,
                "Use up to 20 lower-case letters, digits and hyphens, starting with a letter.",
            )
        ],
    )
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    # Public, write-only: the in-app feedback widget (and later event capture) posts with it.
    write_key = models.CharField(max_length=40, unique=True, default=new_write_key, editable=False)
    # Origins (scheme://host[:port]) whose pages may post with the write key, one per line.
    allowed_origins = models.TextField(blank=True, max_length=4000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="product_key_per_workspace")
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    key = KeyField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True, max_length=2000)
    capacity_points = models.PositiveIntegerField(
        default=0, help_text="Story points the team can deliver in a week."
    )
    cost_per_week = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What a week of the team costs, in the workspace currency.",
    )
    members = models.ManyToManyField(Membership, related_name="teams", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="team_name_per_workspace")
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal token for scripts, scoped to one workspace. Only its hash is stored."""

    key = KeyField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


def new_inbound_token() -> str:
    return "lm_" + new_key(32)


class InboundMailbox(models.Model):
    """A secret webhook address (/inbound/email/<token>/) a mail provider posts raw messages
    to; each becomes feedback in the workspace (for `product`, when set). The token is stored
    as is, not hashed: admins need to see the whole URL again to paste it into their provider,
    and it only lets one add feedback. Rotating replaces it; deleting revokes it."""

    key = KeyField()
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="inbound_mailboxes"
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=40, unique=True, default=new_inbound_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Inbound email for {self.product or self.workspace}"
