"""Personal API tokens: the secret is returned once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid, NotFound
from lodestar.workspaces.models import ApiToken, Membership, Workspace
from lodestar.workspaces.services._validation import clean_text

TOKEN_PREFIX = "lds_"


def token_create(*, workspace: Workspace, user, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it and the secret, which is shown once and never stored."""
    name = clean_text(name, field="name")
    if len(name) > 80:
        raise Invalid(fields={"name": ["Use at most 80 characters."]})
    if not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise NotFound("No such workspace.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            workspace=workspace,
            user=user,
            name=name,
            prefix=secret[:10],
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),
        )
        activity_record(
            workspace=workspace,
            actor=user,
            verb="created",
            target_type="api token",
            target_key=token.key,
            target_label=name,
        )
    return token, secret


def token_revoke(*, token: ApiToken, actor) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        activity_record(
            workspace=token.workspace,
            actor=actor,
            verb="revoked",
            target_type="api token",
            target_key=token.key,
            target_label=token.name,
        )
