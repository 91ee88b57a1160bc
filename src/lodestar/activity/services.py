"""The activity log's one write. Every service that changes user data calls it, inside the
same transaction as the change, so the log never claims a write that was rolled back."""

from __future__ import annotations

from typing import Any

from lodestar.activity.models import Entry


def activity_record(
    *,
    workspace,
    actor,
    verb: str,
    target_type: str,
    target_label: str,
    target_key: str = "",
    changes: dict[str, Any] | None = None,
) -> Entry:
    return Entry.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=(actor.display_name if actor is not None else "Lodestar"),
        verb=verb,
        target_type=target_type,
        target_key=str(target_key),
        target_label=str(target_label)[:200],
        changes=changes or {},
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed (values as strings for JSON)."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | bool | float) else str(value)


def record_update(instance, *, actor, values: dict[str, Any], target_type: str) -> dict:
    """Set `values` on a workspace object, save it and record what changed (call inside the
    caller's transaction). Returns the changes, {field: [old, new]}."""
    before = {name: getattr(instance, name) for name in values}
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()
    changes = diff(before, values)
    if changes:
        activity_record(
            workspace=instance.workspace,
            actor=actor,
            verb="updated",
            target_type=target_type,
            target_key=instance.key,
            target_label=str(instance),
            changes=changes,
        )
    return changes


def record_delete(instance, *, actor, target_type: str) -> None:
    """Record, then delete, a workspace object (call inside the caller's transaction)."""
    activity_record(
        workspace=instance.workspace,
        actor=actor,
        verb="deleted",
        target_type=target_type,
        target_key=instance.key,
        target_label=str(instance),
    )
    instance.delete()
