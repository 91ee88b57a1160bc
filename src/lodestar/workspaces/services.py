"""Writes for workspaces, members, invitations, products, teams and API tokens.

Callers (views, API, CLI) have already resolved the actor's membership and checked the
permission named in lodestar.workspaces.permissions; the rules that depend on *which* object
is touched (the last owner, owner-only grants) are enforced here. Every function validates
first and writes in one transaction, so a refused request writes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record, diff
from lodestar.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from lodestar.workspaces.models import (
    CURRENCIES,
    ApiToken,
    Invitation,
    Membership,
    Product,
    Role,
    Team,
    Workspace,
)

INVITATION_DAYS = 7
_INVITE_SALT = "lodestar.invitation"
TOKEN_PREFIX = "lds_"


# -- validation helpers -------------------------------------------------------------------


def _field_errors(instance, exclude: list[str] | None = None) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {}


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(fields=errors)


def _clean_text(value: str, *, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(fields={field: ["This field is required."]})
    return value


def _validate_time_zone(name: str) -> dict[str, list[str]]:
    if name not in zoneinfo.available_timezones():
        return {"time_zone": [f"{name!r} is not a time zone name like Europe/Berlin."]}
    return {}


def _validate_role(role: str) -> dict[str, list[str]]:
    if role not in Role.values:
        return {"role": [f"Unknown role {role!r}; use one of {', '.join(Role.values)}."]}
    return {}


# -- workspaces ---------------------------------------------------------------------------


def workspace_create(
    *, user, name: str, slug: str, currency: str = "USD", time_zone: str = "UTC"
) -> Workspace:
    workspace = Workspace(
        name=(name or "").strip(),
        slug=(slug or "").strip().lower(),
        currency=(currency or "").strip().upper(),
        time_zone=(time_zone or "").strip(),
    )
    errors = _field_errors(workspace)
    if workspace.currency not in CURRENCIES:
        errors["currency"] = [f"Use one of {', '.join(CURRENCIES)}."]
    errors.update(_validate_time_zone(workspace.time_zone))
    _raise_if(errors)
    with transaction.atomic():
        if Workspace.objects.filter(slug=workspace.slug).exists():
            raise Invalid(fields={"slug": [f"The address {workspace.slug!r} is taken."]})
        workspace.save()
        Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
        activity_record(
            workspace=workspace,
            actor=user,
            verb="created",
            target_type="workspace",
            target_key=workspace.slug,
            target_label=workspace.name,
        )
    return workspace


def workspace_update(*, workspace: Workspace, actor, name: str, time_zone: str) -> Workspace:
    """Rename and re-zone. The currency is fixed at creation: money already entered is in it."""
    before = {"name": workspace.name, "time_zone": workspace.time_zone}
    workspace.name = (name or "").strip()
    workspace.time_zone = (time_zone or "").strip()
    errors = _field_errors(workspace)
    errors.update(_validate_time_zone(workspace.time_zone))
    if errors:
        workspace.refresh_from_db()
        raise Invalid(fields=errors)
    after = {"name": workspace.name, "time_zone": workspace.time_zone}
    with transaction.atomic():
        workspace.save(update_fields=["name", "time_zone"])
        if changes := diff(before, after):
            activity_record(
                workspace=workspace,
                actor=actor,
                verb="updated",
                target_type="workspace",
                target_key=workspace.slug,
                target_label=workspace.name,
                changes=changes,
            )
    return workspace


# -- members and invitations --------------------------------------------------------------


def _owner_count(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


def _guard_owner_role(*, actor_membership: Membership, roles: set[str]) -> None:
    if Role.OWNER in roles and actor_membership.role != Role.OWNER:
        raise PermissionDenied("Only an owner can grant or take away the owner role.")


def invitation_create(
    *, workspace: Workspace, actor_membership: Membership, email: str, role: str
) -> tuple[Invitation, str]:
    """Create (or renew) the pending invitation for `email`; return it and its link token.
    The caller sends or shows the link (see invitation_send)."""
    email = (email or "").strip().lower()
    errors = _validate_role(role)
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    _raise_if(errors)
    _guard_owner_role(actor_membership=actor_membership, roles={role})
    if Membership.objects.filter(workspace=workspace, user__email=email).exists():
        raise Invalid(fields={"email": [f"{email} is already a member of this workspace."]})
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            workspace=workspace, email=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=email,
            role=role,
            invited_by=actor_membership.user,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        activity_record(
            workspace=workspace,
            actor=actor_membership.user,
            verb="invited",
            target_type="member",
            target_key=invitation.key,
            target_label=email,
            changes={"role": [None, role]},
        )
    return invitation, invitation_token(invitation)


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.key, salt=_INVITE_SALT, compress=False)


def invitation_send(*, invitation: Invitation, accept_url: str) -> None:
    inviter = invitation.invited_by.display_name if invitation.invited_by else "Someone"
    send_mail(
        subject=f"{inviter} invited you to {invitation.workspace.name} on Lodestar",
        message=(
            f"{inviter} invited you to join the {invitation.workspace.name} workspace on "
            f"Lodestar as {Role(invitation.role).label.lower()}.\n\n"
            f"Accept the invitation: {accept_url}\n\n"
            f"The link works once and expires in {INVITATION_DAYS} days."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link token names; NotFound/Conflict say why it is unusable."""
    try:
        key = signing.loads(token, salt=_INVITE_SALT, max_age=timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired:
        raise Conflict("This invitation has expired. Ask for a new one.") from None
    except signing.BadSignature:
        raise NotFound(
            "This invitation link is not valid. Check that it was copied whole."
        ) from None
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by").filter(key=key).first()
    )
    if invitation is None:
        raise NotFound("This invitation no longer exists.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise Conflict("This invitation was withdrawn. Ask for a new one.")
    if invitation.expires_at <= timezone.now():
        raise Conflict("This invitation has expired. Ask for a new one.")
    return invitation


def invitation_accept(*, token: str, user) -> Membership:
    invitation = invitation_from_token(token)
    if user.email.lower() != invitation.email:
        raise PermissionDenied(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    with transaction.atomic():
        # Lock the row: two clicks on the same link must not both succeed.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise Conflict("This invitation has already been used.")
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        membership, created = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        if created:
            activity_record(
                workspace=invitation.workspace,
                actor=user,
                verb="joined",
                target_type="member",
                target_key=membership.key,
                target_label=user.email,
                changes={"role": [None, invitation.role]},
            )
    return membership


def invitation_revoke(*, invitation: Invitation, actor) -> None:
    if not invitation.is_pending:
        raise Conflict("Only a pending invitation can be withdrawn.")
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        activity_record(
            workspace=invitation.workspace,
            actor=actor,
            verb="withdrew invitation",
            target_type="member",
            target_key=invitation.key,
            target_label=invitation.email,
        )


def membership_set_role(
    *, membership: Membership, actor_membership: Membership, role: str
) -> Membership:
    _raise_if(_validate_role(role))
    if role == membership.role:
        return membership
    _guard_owner_role(actor_membership=actor_membership, roles={role, membership.role})
    with transaction.atomic():
        if membership.role == Role.OWNER and _owner_count(membership.workspace) <= 1:
            raise Conflict("A workspace needs at least one owner. Make someone else owner first.")
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        activity_record(
            workspace=membership.workspace,
            actor=actor_membership.user,
            verb="changed role",
            target_type="member",
            target_key=membership.key,
            target_label=membership.user.email,
            changes={"role": [before, role]},
        )
    return membership


def membership_remove(*, membership: Membership, actor_membership: Membership) -> None:
    """Remove a member; their API tokens for this workspace stop working at once."""
    _guard_owner_role(actor_membership=actor_membership, roles={membership.role})
    with transaction.atomic():
        if membership.role == Role.OWNER and _owner_count(membership.workspace) <= 1:
            raise Conflict("The last owner cannot be removed. Make someone else owner first.")
        ApiToken.objects.filter(
            workspace=membership.workspace, user=membership.user, revoked_at=None
        ).update(revoked_at=timezone.now())
        activity_record(
            workspace=membership.workspace,
            actor=actor_membership.user,
            verb="removed",
            target_type="member",
            target_key=membership.key,
            target_label=membership.user.email,
            changes={"role": [membership.role, None]},
        )
        membership.delete()


# -- products -----------------------------------------------------------------------------


def product_create(
    *, workspace: Workspace, actor, key: str, name: str, description: str = ""
) -> Product:
    product = Product(
        workspace=workspace,
        key=(key or "").strip().lower(),
        name=(name or "").strip(),
        description=(description or "").strip(),
    )
    _raise_if(_field_errors(product, exclude=["workspace"]))
    with transaction.atomic():
        if Product.objects.filter(workspace=workspace, key=product.key).exists():
            raise Invalid(fields={"key": [f"A product with key {product.key!r} exists."]})
        product.save()
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="product",
            target_key=product.key,
            target_label=product.name,
        )
    return product


def product_update(*, product: Product, actor, name: str, description: str) -> Product:
    """Rename and describe. The key stays: it is in URLs, scripts and SDK settings."""
    before = {"name": product.name, "description": product.description}
    product.name = (name or "").strip()
    product.description = (description or "").strip()
    errors = _field_errors(product, exclude=["workspace"])
    if errors:
        product.refresh_from_db()
        raise Invalid(fields=errors)
    with transaction.atomic():
        product.save(update_fields=["name", "description"])
        if changes := diff(before, {"name": product.name, "description": product.description}):
            activity_record(
                workspace=product.workspace,
                actor=actor,
                verb="updated",
                target_type="product",
                target_key=product.key,
                target_label=product.name,
                changes=changes,
            )
    return product


def product_delete(*, product: Product, actor, confirm_key: str) -> None:
    if (confirm_key or "").strip() != product.key:
        raise Invalid(fields={"confirm_key": [f"Type {product.key} to confirm."]})
    with transaction.atomic():
        activity_record(
            workspace=product.workspace,
            actor=actor,
            verb="deleted",
            target_type="product",
            target_key=product.key,
            target_label=product.name,
        )
        product.delete()


# -- teams --------------------------------------------------------------------------------


def _team_values(
    capacity_points: int | str | None, cost_per_week: Decimal | str | None
) -> tuple[int, Decimal, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    try:
        capacity = int(capacity_points or 0)
        if capacity < 0:
            raise ValueError
    except (TypeError, ValueError):
        capacity = 0
        errors["capacity_points"] = ["Enter a whole number of points, 0 or more."]
    try:
        cost = Decimal(str(cost_per_week if cost_per_week not in (None, "") else 0))
        if cost < 0 or not cost.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        cost = Decimal(0)
        errors["cost_per_week"] = ["Enter an amount, 0 or more, like 12500.00."]
    return capacity, cost, errors


def _team_members(workspace: Workspace, member_keys: list[str] | None) -> list[Membership]:
    if not member_keys:
        return []
    found = list(Membership.objects.filter(workspace=workspace, key__in=set(member_keys)))
    if len(found) != len(set(member_keys)):
        raise Invalid(fields={"members": ["Some of the chosen people are not members here."]})
    return found


def team_create(
    *,
    workspace: Workspace,
    actor,
    name: str,
    description: str = "",
    capacity_points: int | str | None = 0,
    cost_per_week: Decimal | str | None = Decimal(0),
    member_keys: list[str] | None = None,
) -> Team:
    capacity, cost, errors = _team_values(capacity_points, cost_per_week)
    team = Team(
        workspace=workspace,
        name=(name or "").strip(),
        description=(description or "").strip(),
        capacity_points=capacity,
        cost_per_week=cost,
    )
    errors.update(_field_errors(team, exclude=["workspace", *errors]))
    _raise_if(errors)
    members = _team_members(workspace, member_keys)
    with transaction.atomic():
        if Team.objects.filter(workspace=workspace, name=team.name).exists():
            raise Invalid(fields={"name": [f"A team named {team.name!r} exists."]})
        team.save()
        team.members.set(members)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="team",
            target_key=team.key,
            target_label=team.name,
        )
    return team


def team_update(
    *,
    team: Team,
    actor,
    name: str,
    description: str,
    capacity_points: int | str | None,
    cost_per_week: Decimal | str | None,
    member_keys: list[str] | None = None,
) -> Team:
    """Update a team. `member_keys=None` leaves the members as they are."""
    before = {
        "name": team.name,
        "description": team.description,
        "capacity_points": team.capacity_points,
        "cost_per_week": team.cost_per_week,
    }
    capacity, cost, errors = _team_values(capacity_points, cost_per_week)
    team.name = (name or "").strip()
    team.description = (description or "").strip()
    team.capacity_points = capacity
    team.cost_per_week = cost
    errors.update(_field_errors(team, exclude=["workspace", *errors]))
    if errors:
        team.refresh_from_db()
        raise Invalid(fields=errors)
    members = None if member_keys is None else _team_members(team.workspace, member_keys)
    with transaction.atomic():
        if (
            Team.objects.filter(workspace=team.workspace, name=team.name)
            .exclude(pk=team.pk)
            .exists()
        ):
            team.refresh_from_db()
            raise Invalid(fields={"name": [f"A team named {name.strip()!r} exists."]})
        team.save()
        changes = diff(
            before,
            {
                "name": team.name,
                "description": team.description,
                "capacity_points": team.capacity_points,
                "cost_per_week": team.cost_per_week,
            },
        )
        if members is not None:
            old = sorted(m.key for m in team.members.all())
            new = sorted(m.key for m in members)
            if old != new:
                team.members.set(members)
                changes["members"] = [len(old), len(new)]
        if changes:
            activity_record(
                workspace=team.workspace,
                actor=actor,
                verb="updated",
                target_type="team",
                target_key=team.key,
                target_label=team.name,
                changes=changes,
            )
    return team


def team_member_add(*, team: Team, actor, email: str) -> Membership:
    email = (email or "").strip().lower()
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=team.workspace, user__email=email)
        .first()
    )
    if membership is None:
        raise Invalid(fields={"email": [f"{email} is not a member of this workspace."]})
    if team.members.filter(pk=membership.pk).exists():
        raise Invalid(fields={"email": [f"{membership.user.display_name} is already in the team."]})
    with transaction.atomic():
        team.members.add(membership)
        activity_record(
            workspace=team.workspace,
            actor=actor,
            verb="added to team",
            target_type="team",
            target_key=team.key,
            target_label=team.name,
            changes={"member": [None, email]},
        )
    return membership


def team_member_remove(*, team: Team, actor, membership: Membership) -> None:
    if membership.workspace_id != team.workspace_id:
        raise NotFound("No such member.")
    with transaction.atomic():
        team.members.remove(membership)
        activity_record(
            workspace=team.workspace,
            actor=actor,
            verb="removed from team",
            target_type="team",
            target_key=team.key,
            target_label=team.name,
            changes={"member": [membership.user.email, None]},
        )


def team_delete(*, team: Team, actor) -> None:
    with transaction.atomic():
        activity_record(
            workspace=team.workspace,
            actor=actor,
            verb="deleted",
            target_type="team",
            target_key=team.key,
            target_label=team.name,
        )
        team.delete()


# -- API tokens ---------------------------------------------------------------------------


def token_create(*, workspace: Workspace, user, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it and the secret, which is shown once and never stored."""
    name = _clean_text(name, field="name")
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
