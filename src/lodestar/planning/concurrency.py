"""Optimistic concurrency for what two people may edit at once: features, stories, releases.

Each of those rows has a `version`. A form carries the version it was shown (a hidden
`version` field); the save goes through `save_versioned`, which updates the row only if its
version is still that one, in the same UPDATE that bumps it. A save against an older version
raises `EditConflict` (409) naming who changed what since, from the activity log, so the
second person sees the other change instead of silently overwriting it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F, Model

from lodestar.activity.models import Entry
from lodestar.activity.services import activity_record, diff
from lodestar.core.errors import Conflict


class EditConflict(Conflict):
    """Someone saved the object after this form was shown. `changes` lists their edits:
    [{"who", "when", "changes": {field: [old, new]}}], newest first."""

    def __init__(self, message: str, changes: list[dict[str, Any]]):
        super().__init__(message)
        self.changes = changes


def parse_version(raw: object) -> int | None:
    """The posted version, or None when the form did not send one (an API client that does
    not care about conflicts: its save wins, as a PATCH without If-Match does)."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def changes_since(instance: Model, version: int, *, target_type: str) -> list[dict[str, Any]]:
    """The activity entries for `instance` written after the save that made `version`:
    (current version - version) entries, newest first."""
    behind = max(int(getattr(instance, "version", 0)) - version, 1)
    entries = Entry.objects.filter(
        workspace_id=instance.workspace_id,  # type: ignore[attr-defined]
        target_type=target_type,
        target_key=instance.key,  # type: ignore[attr-defined]
    ).order_by("-id")[:behind]
    return [
        {"who": e.actor_label, "when": e.created_at, "changes": e.changes, "verb": e.verb}
        for e in entries
    ]


def save_versioned(
    instance: Model, *, version: int | None, fields: list[str], target_type: str
) -> None:
    """Write `fields` of `instance` and bump its version, unless the row moved past
    `version` (None: no check). Call inside the caller's transaction, before recording the
    change in the activity log."""
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    rows = model._default_manager.filter(pk=instance.pk)
    if version is not None:
        rows = rows.filter(version=version)
    updated = rows.update(**values, version=F("version") + 1)
    if not updated:
        instance.refresh_from_db(fields=["version"])
        changes = changes_since(instance, version or 0, target_type=target_type)
        who = ", ".join(sorted({c["who"] for c in changes})) or "someone"
        raise EditConflict(
            f"{who} changed this {target_type} after you opened it. Your changes were not "
            "saved: review theirs below, then apply yours again.",
            changes,
        )
    instance.refresh_from_db(fields=["version"])


def update_logged(
    instance: Model,
    *,
    actor,
    values: dict[str, Any],
    version: int | None,
    target_type: str,
    label: str,
    also: Callable[[dict[str, list[Any]], dict[str, Any]], None] | None = None,
) -> dict[str, list[Any]]:
    """Set `values` on `instance` and save them versioned, with one activity entry, in one
    transaction; `also(changes, before)` runs in it too (the roadmap's history). Nothing
    changed: nothing written, no version bump. Returns {field: [old, new]}. A stale
    `version` raises EditConflict after re-reading the instance (the other person's save)."""
    before = {name: getattr(instance, name) for name in values}
    changes = diff(before, values)
    if not changes:
        return {}
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            save_versioned(instance, version=version, fields=list(values), target_type=target_type)
            activity_record(
                workspace=instance.workspace,  # type: ignore[attr-defined]
                actor=actor,
                verb="updated",
                target_type=target_type,
                target_key=instance.key,  # type: ignore[attr-defined]
                target_label=label,
                changes=changes,
            )
            if also is not None:
                also(changes, before)
    except EditConflict:
        instance.refresh_from_db()  # also drops cached relations
        raise
    return changes
