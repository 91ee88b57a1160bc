"""Invitations, roles and removal. The rules that depend on *which* member is touched (the
last owner, owner-only grants) live here; the role check itself is the caller's."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from lodestar.workspaces.models import ApiToken, Invitation, Membership, Role, Workspace
from lodestar.workspaces.services._validation import raise_if, validate_role

INVITATION_DAYS = 7
_INVITE_SALT = "lodestar.invitation"


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
    errors = validate_role(role)
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    raise_if(errors)
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
    raise_if(validate_role(role))
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
