"""Writes for competitors and the capability matrix. Every write lands in the activity log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from lodestar.activity.services import activity_record, diff, record_delete
from lodestar.core.errors import Invalid, NotFound
from lodestar.customers.market_models import MAX_BODY, Capability, Competitor, Level
from lodestar.workspaces.models import Workspace

_URL = URLValidator(schemes=["http", "https"])


def clean_text(data: dict[str, Any], name: str, limit: int, errors: dict[str, list[str]]) -> str:
    """`data[name]` stripped; a NUL character or more than `limit` characters is an error."""
    value = str(data.get(name) or "").strip()
    if "\x00" in value:
        errors[name] = ["Null characters are not allowed."]
    elif len(value) > limit:
        errors[name] = [f"Use at most {limit:,} characters (got {len(value):,})."]
    return value


def clean_url(data: dict[str, Any], name: str, limit: int, errors: dict[str, list[str]]) -> str:
    """An http(s) link, or "". Any other scheme (javascript:, data:, file:) is refused: these
    links are shown to every member, so one must never run script or open a local file."""
    value = clean_text(data, name, limit, errors)
    if value and name not in errors:
        try:
            _URL(value)
        except ValidationError:
            errors[name] = [
                f"{value[:80]!r} is not a web address starting with http:// or https://."
            ]
    return value


def competitor_values(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean competitor fields from raw input; absent keys are left out (partial update)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = " ".join(clean_text(data, "name", 120, errors).split())
        if not values["name"] and "name" not in errors:
            errors["name"] = ["A competitor needs a name."]
    if "website" in data:
        values["website"] = clean_url(data, "website", 300, errors)
    if "description" in data:
        values["description"] = clean_text(data, "description", 500, errors)
    if "notes" in data:
        values["notes"] = clean_text(data, "notes", MAX_BODY, errors)
    return values, errors


def _name_free(workspace: Workspace, name: str | None, exclude_pk=None) -> dict[str, list[str]]:
    if not name:
        return {}
    clash = Competitor.objects.filter(workspace=workspace, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    return {"name": [f"There is already a competitor called {name!r}."]} if clash.exists() else {}


def competitor_create(*, workspace: Workspace, actor, **data) -> Competitor:
    values, errors = competitor_values({"name": "", **data})
    errors = _name_free(workspace, values.get("name")) | errors
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        competitor = Competitor.objects.create(workspace=workspace, **values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="competitor",
            target_key=competitor.key,
            target_label=competitor.name,
        )
    return competitor


def competitor_update(*, competitor: Competitor, actor, **data) -> Competitor:
    values, errors = competitor_values(data)
    errors = _name_free(competitor.workspace, values.get("name"), competitor.pk) | errors
    if errors:
        raise Invalid(fields=errors)
    before = {name: getattr(competitor, name) for name in values}
    with transaction.atomic():
        for name, value in values.items():
            setattr(competitor, name, value)
        competitor.save()
        changes = diff(before, values)
        if "notes" in changes:  # the log says the notes changed; it does not copy them
            changes["notes"] = ["…", "…"]
        if changes:
            activity_record(
                workspace=competitor.workspace,
                actor=actor,
                verb="updated",
                target_type="competitor",
                target_key=competitor.key,
                target_label=competitor.name,
                changes=changes,
            )
    return competitor


def competitor_delete(*, competitor: Competitor, actor) -> None:
    with transaction.atomic():
        record_delete(competitor, actor=actor, target_type="competitor")


def capability_set(
    *, competitor: Competitor, feature, actor, level: str, note: str = "", source_url: str = ""
) -> Capability | None:
    """Set one cell of the matrix. `level` "" clears the cell (back to "not assessed");
    returns the capability, or None when cleared."""
    if feature.workspace_id != competitor.workspace_id:
        raise NotFound("No such feature.")
    errors: dict[str, list[str]] = {}
    level = (level or "").strip()
    if level and level not in Level.values:
        errors["level"] = [f"Use one of {', '.join(Level.values)}, or leave it empty."]
    data = {"note": note, "source_url": source_url}
    values = {
        "note": clean_text(data, "note", 500, errors),
        "source_url": clean_url(data, "source_url", 500, errors),
    }
    if errors:
        raise Invalid(fields=errors)
    label = f"{competitor.name}: {feature.title}"
    with transaction.atomic():
        current = Capability.objects.filter(competitor=competitor, feature=feature).first()
        before = {"level": "", "note": "", "source_url": ""}
        if current is not None:
            before = {name: getattr(current, name) for name in before}
        if not level:
            if current is not None:
                current.delete()
                activity_record(
                    workspace=competitor.workspace,
                    actor=actor,
                    verb="cleared",
                    target_type="capability",
                    target_key=competitor.key,
                    target_label=label,
                    changes={"level": [before["level"], None]},
                )
            return None
        after = {"level": level, **values}
        if current is None:
            current = Capability(competitor=competitor, feature=feature)
        elif not diff(before, after):
            return current
        for name, value in after.items():
            setattr(current, name, value)
        current.updated_by = actor
        current.save()
        activity_record(
            workspace=competitor.workspace,
            actor=actor,
            verb="rated",
            target_type="capability",
            target_key=competitor.key,
            target_label=label,
            changes=diff(before, after),
        )
    return current
