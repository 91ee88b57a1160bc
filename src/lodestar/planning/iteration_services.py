"""Writes for iterations: a team's time boxes (start before end, never overlapping another
of the same team) and the stories planned into them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from lodestar.activity.services import activity_record, diff, record_delete
from lodestar.core.errors import Invalid
from lodestar.planning.backlog_models import (
    Iteration,
    UserStory,
)

# -- iterations -----------------------------------------------------------------------------
from lodestar.planning.backlog_services import _text, story_update
from lodestar.workspaces.models import Membership, Team, Workspace
from lodestar.workspaces.permissions import require


def _date(errors: dict, data: dict, name: str) -> date | None:
    raw = data.get(name)
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        errors[name] = ["Use a date like 2026-11-30."]
        return None


def _iteration_values(workspace: Workspace, data: dict, iteration: Iteration | None) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    _text(errors, values, data, "name", 80, required="Name the iteration, e.g. Sprint 14.")
    if "team_key" in data:
        key = str(data["team_key"] or "")
        team = Team.objects.filter(workspace=workspace, key=key).first() if key else None
        if team is None:
            errors["team_key"] = [f"No team with key {key!r}."] if key else ["Choose a team."]
        values["team"] = team
    for name in ("start", "end"):
        if name in data:
            values[name] = _date(errors, data, name)
    if errors:
        raise Invalid(fields=errors)
    team = values.get("team", iteration.team if iteration else None)
    start = values.get("start", iteration.start if iteration else None)
    end = values.get("end", iteration.end if iteration else None)
    name = values.get("name", iteration.name if iteration else "")
    if start is not None and end is not None and start >= end:
        raise Invalid(fields={"end": [f"The end ({end}) must come after the start ({start})."]})
    others = Iteration.objects.filter(team=team)
    if iteration is not None:
        others = others.exclude(pk=iteration.pk)
    if others.filter(name__iexact=name).exists():
        raise Invalid(fields={"name": [f"{team} already has an iteration called {name!r}."]})
    # An iteration ends on its `end` day; the next may start that day (Monday to Monday).
    clash = others.filter(start__lt=end, end__gt=start).order_by("start").first()
    if clash is not None:
        raise Invalid(
            fields={
                "start": [
                    f"{team} already has {clash.name} from {clash.start} to {clash.end}: "
                    "a team's iterations may not overlap."
                ]
            }
        )
    return values


def iteration_create(
    *, workspace: Workspace, actor, membership: Membership, team_key: str, **data
) -> Iteration:
    require(membership, "backlog.manage")
    values = _iteration_values(workspace, {"team_key": team_key, **data}, None)
    with transaction.atomic():
        iteration = Iteration.objects.create(workspace=workspace, **values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="iteration",
            target_key=iteration.key,
            target_label=iteration.name,
        )
    return iteration


def iteration_update(*, iteration: Iteration, actor, membership: Membership, **data) -> Iteration:
    """Rename or move an iteration's dates (its team stays: its stories were planned for
    that team)."""
    require(membership, "backlog.manage")
    data.pop("team_key", None)
    values = _iteration_values(iteration.workspace, data, iteration)
    before = {name: getattr(iteration, name) for name in values}
    changes = diff(before, values)
    if not changes:
        return iteration
    with transaction.atomic():
        for name, value in values.items():
            setattr(iteration, name, value)
        iteration.save(update_fields=list(values))
        activity_record(
            workspace=iteration.workspace,
            actor=actor,
            verb="updated",
            target_type="iteration",
            target_key=iteration.key,
            target_label=iteration.name,
            changes=changes,
        )
    return iteration


def iteration_delete(*, iteration: Iteration, actor, membership: Membership) -> None:
    """Delete an iteration; its stories go back to the unplanned backlog."""
    require(membership, "backlog.manage")
    with transaction.atomic():
        record_delete(iteration, actor=actor, target_type="iteration")


def iteration_plan(
    *,
    iteration: Iteration,
    story: UserStory,
    actor,
    membership: Membership,
    planned: bool = True,
) -> UserStory:
    """Plan a story into the iteration (planned=False: take it out)."""
    key = iteration.key if planned else ""
    if not planned and story.iteration_id != iteration.pk:
        return story
    return story_update(story=story, actor=actor, membership=membership, iteration_key=key)
