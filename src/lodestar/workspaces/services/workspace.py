"""Creating and changing workspaces."""

from __future__ import annotations

from django.db import transaction

from lodestar.activity.services import activity_record, diff
from lodestar.core.errors import Invalid
from lodestar.workspaces.models import CURRENCIES, Membership, Role, Workspace
from lodestar.workspaces.services._validation import field_errors, raise_if, validate_time_zone


def workspace_create(
    *, user, name: str, slug: str, currency: str = "USD", time_zone: str = "UTC"
) -> Workspace:
    workspace = Workspace(
        name=(name or "").strip(),
        slug=(slug or "").strip().lower(),
        currency=(currency or "").strip().upper(),
        time_zone=(time_zone or "").strip(),
    )
    errors = field_errors(workspace)
    if workspace.currency not in CURRENCIES:
        errors["currency"] = [f"Use one of {', '.join(CURRENCIES)}."]
    errors.update(validate_time_zone(workspace.time_zone))
    raise_if(errors)
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
    errors = field_errors(workspace)
    errors.update(validate_time_zone(workspace.time_zone))
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
