"""Optimistic concurrency for what two people may edit at once: features, stories, releases.

Each of those rows has a `version`. A form carries the version it was shown (a hidden
`version` field); the save goes through `save_versioned`, which updates the row only if its
version is still that one, in the same UPDATE that bumps it. A save against an older version
raises `EditConflict` (409) naming who changed what since, from the activity log, so the
second person sees the other change instead of silently overwriting it."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model

from lodestar.activity.models import Entry
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
