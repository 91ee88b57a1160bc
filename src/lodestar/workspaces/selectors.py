"""Reads. Every function takes the workspace it reads from; nothing here crosses workspaces."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from lodestar.core.errors import NotFound
from lodestar.workspaces.models import ApiToken, Invitation, Membership, Product, Team, Workspace


def membership_for(*, user, slug: str, token: ApiToken | None = None) -> Membership:
    """The user's membership in workspace `slug`, else NotFound (never 403: an outsider must
    not learn that the workspace exists). A token only opens its own workspace."""
    if not user or not user.is_authenticated:
        raise NotFound()
    if token is not None and token.workspace.slug != slug:
        raise NotFound()
    try:
        return Membership.objects.select_related("workspace", "user").get(
            user=user, workspace__slug=slug
        )
    except Membership.DoesNotExist:
        raise NotFound("No such workspace.") from None


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def member_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def member_get(*, workspace: Workspace, key: str) -> Membership:
    try:
        return Membership.objects.select_related("user").get(workspace=workspace, key=key)
    except Membership.DoesNotExist:
        raise NotFound("No such member.") from None


def invitation_list_pending(*, workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        workspace=workspace, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation_get(*, workspace: Workspace, key: str) -> Invitation:
    try:
        return Invitation.objects.get(workspace=workspace, key=key)
    except Invitation.DoesNotExist:
        raise NotFound("No such invitation.") from None


def product_list(*, workspace: Workspace) -> QuerySet[Product]:
    return Product.objects.filter(workspace=workspace).order_by("name")


def product_get(*, workspace: Workspace, key: str) -> Product:
    try:
        return Product.objects.get(workspace=workspace, key=key)
    except Product.DoesNotExist:
        raise NotFound(f"No product with key {key!r}.") from None


def team_list(*, workspace: Workspace) -> QuerySet[Team]:
    return Team.objects.filter(workspace=workspace).annotate(member_count=Count("members"))


def team_get(*, workspace: Workspace, key: str) -> Team:
    try:
        return Team.objects.get(workspace=workspace, key=key)
    except Team.DoesNotExist:
        raise NotFound("No such team.") from None


def team_members(*, team: Team) -> list[Membership]:
    return list(team.members.select_related("user").order_by("user__name", "pk"))


def token_list(*, workspace: Workspace, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(workspace=workspace, user=user, revoked_at=None)


def token_get(*, workspace: Workspace, user, key: str) -> ApiToken:
    try:
        return ApiToken.objects.get(workspace=workspace, user=user, key=key, revoked_at=None)
    except ApiToken.DoesNotExist:
        raise NotFound("No such token.") from None


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for a raw secret, else None. Revoked tokens and removed members fail."""
    digest = hashlib.sha256(raw.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(token_hash=digest, revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
