"""Writes for the product owner's backlog: user stories, their acceptance criteria, their
order (rank), and iterations. Every function checks the caller's role itself (views and the
API only parse input) and records the change in the activity log in the same transaction.

Who may do what:
- backlog.manage (owner, admin, PM, PO): write stories and criteria, rank, plan iterations.
- story.update (every member but stakeholders): a story's status and ticking its criteria;
  a contributor only on the stories they own.

Activity entries: a versioned save of a story writes exactly one entry with target type
"story" (planning/concurrency.py reads those back to show a conflict); ranking writes
"backlog" entries and criteria "criterion" entries, so they never pass for story edits.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from lodestar.activity.services import activity_record, diff, record_delete
from lodestar.core.errors import Invalid, PermissionDenied
from lodestar.planning.backlog_models import (
    AcceptanceCriterion,
    Iteration,
    StoryStatus,
    UserStory,
)
from lodestar.planning.concurrency import save_versioned
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Membership, Role, Workspace
from lodestar.workspaces.permissions import require

RANK_STEP = 1024  # the gap between neighbours; a move rewrites one row until a gap closes
MAX_POINTS = 1000
MAX_CRITERIA = 50
STORY = "story"


# -- permission rules -----------------------------------------------------------------------


def can_update_story(membership: Membership, story: UserStory) -> bool:
    """story.update, and for a contributor only on a story they own (templates use this)."""
    from lodestar.workspaces.permissions import role_can

    if not role_can(membership.role, "story.update"):
        return False
    return membership.role != Role.CONTRIBUTOR or story.owner_id == membership.pk


def _require_story_update(membership: Membership, story: UserStory) -> None:
    require(membership, "story.update")
    if membership.role == Role.CONTRIBUTOR and story.owner_id != membership.pk:
        raise PermissionDenied(
            "As a contributor you can update only the stories you own. Ask the product owner "
            f"to make you the owner of {story.title!r}."
        )


# -- validation -----------------------------------------------------------------------------


def _text(errors: dict, values: dict, data: dict, name: str, limit: int, required: str = ""):
    if name not in data:
        return
    text = " ".join(str(data[name] or "").split())
    if required and not text:
        errors[name] = [required]
    elif len(text) > limit or "\x00" in text:
        errors[name] = [f"Use at most {limit} characters, no null characters."]
    values[name] = text


def _points(errors: dict, values: dict, data: dict) -> None:
    if "points" not in data:
        return
    raw = data["points"]
    if raw is None or str(raw).strip() == "":
        values["points"] = None
        return
    try:
        points = int(str(raw).strip())
    except ValueError:
        points = -1
    if not 0 <= points <= MAX_POINTS:
        errors["points"] = [f"Use a whole number of points from 0 to {MAX_POINTS}."]
    else:
        values["points"] = points


def _story_values(workspace: Workspace, data: dict, story: UserStory | None = None) -> dict:
    """Checked values for a story's fields from form or JSON input (only the keys given)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    _text(errors, values, data, "title", 200, required="A story needs a title.")
    _text(errors, values, data, "as_a", 120)
    _text(errors, values, data, "i_want", 500)
    _text(errors, values, data, "so_that", 500)
    _points(errors, values, data)
    if "feature_key" in data:
        key = str(data["feature_key"] or "")
        feature = (
            Feature.objects.select_related("team").filter(workspace=workspace, key=key).first()
        )
        if feature is None:
            errors["feature_key"] = (
                [f"No feature with key {key!r}."] if key else ["Choose the feature it belongs to."]
            )
        values["feature"] = feature
    if "owner_key" in data:
        key = str(data["owner_key"] or "")
        owner = Membership.objects.filter(workspace=workspace, key=key).first() if key else None
        if key and owner is None:
            errors["owner_key"] = [f"No member with key {key!r}."]
        values["owner"] = owner
    if "iteration_key" in data:
        key = str(data["iteration_key"] or "")
        iteration = (
            Iteration.objects.select_related("team").filter(workspace=workspace, key=key).first()
            if key
            else None
        )
        if key and iteration is None:
            errors["iteration_key"] = [f"No iteration with key {key!r}."]
        values["iteration"] = iteration
    if data.get("status"):  # blank or None: unchanged (to do for a new story)
        if data["status"] not in StoryStatus.values:
            errors["status"] = [f"Use one of {', '.join(StoryStatus.values)}."]
        values["status"] = data["status"]
    if not errors:
        _team_matches(errors, values, story)
    if errors:
        raise Invalid(fields=errors)
    return values


def _team_matches(errors: dict, values: dict, story: UserStory | None) -> None:
    """A story planned into an iteration is built by that iteration's team: when its feature
    names a team, the two must agree."""
    feature = values.get("feature", story.feature if story else None)
    iteration = values.get("iteration", story and story.iteration)
    if feature is None or iteration is None or feature.team_id is None:
        return
    if feature.team_id != iteration.team_id:
        name = "iteration_key" if "iteration" in values else "feature_key"
        errors[name] = [
            f"{iteration.name} is an iteration of {iteration.team.name}, but "
            f"{feature.title!r} is built by {feature.team.name}."
        ]


def _status_values(story: UserStory, status: str) -> dict:
    """Done stamps done_at (the throughput reads it); leaving done clears it."""
    values: dict[str, Any] = {"status": status}
    if status == StoryStatus.DONE and story.status != StoryStatus.DONE:
        values["done_at"] = timezone.now()
    elif status != StoryStatus.DONE:
        values["done_at"] = None
    return values


def _save(
    story: UserStory, *, actor, values: dict, version: int | None, verb: str = "updated"
) -> dict:
    """Apply `values` through the versioned save and log what changed (one entry per
    version). Nothing changed: nothing written, no version bump."""
    before = {name: getattr(story, name) for name in values}
    changes = diff(before, values)
    changes.pop("done_at", None)  # follows the status; the log shows the status
    if not diff(before, values):
        if version is not None and version != story.version:
            # A no-op save on a stale form is still stale: show what moved meanwhile.
            save_versioned(story, version=version, fields=[], target_type=STORY)
        return {}
    for name, value in values.items():
        setattr(story, name, value)
    fields = [
        f"{name}_id" if name in {"feature", "owner", "iteration"} else name for name in values
    ]
    with transaction.atomic():
        save_versioned(story, version=version, fields=fields, target_type=STORY)
        activity_record(
            workspace=story.workspace,
            actor=actor,
            verb=verb,
            target_type=STORY,
            target_key=story.key,
            target_label=story.title,
            changes=changes,
        )
    return changes


# -- stories --------------------------------------------------------------------------------


def story_create(
    *,
    workspace: Workspace,
    actor,
    membership: Membership,
    feature_key: str,
    title: str,
    criteria: str = "",
    **data,
) -> UserStory:
    """A story at the bottom of the backlog. `criteria`: acceptance criteria, one per line."""
    require(membership, "backlog.manage")
    data.pop("version", None)
    values = _story_values(workspace, {"feature_key": feature_key, "title": title, **data})
    lines = [" ".join(line.split()) for line in str(criteria or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > MAX_CRITERIA or any(len(line) > 500 or "\x00" in line for line in lines):
        raise Invalid(fields={"criteria": [f"Use at most {MAX_CRITERIA} lines of 500 characters."]})
    status = values.pop("status", StoryStatus.TODO)
    with transaction.atomic():
        last = UserStory.objects.filter(workspace=workspace).aggregate(m=Max("rank"))["m"]
        story = UserStory.objects.create(
            workspace=workspace,
            rank=(last or 0) + RANK_STEP,
            status=status,
            done_at=timezone.now() if status == StoryStatus.DONE else None,
            **values,
        )
        AcceptanceCriterion.objects.bulk_create(
            AcceptanceCriterion(story=story, text=line, position=i) for i, line in enumerate(lines)
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type=STORY,
            target_key=story.key,
            target_label=story.title,
        )
    return story


def story_update(
    *, story: UserStory, actor, membership: Membership, version: int | None = None, **data
) -> UserStory:
    """Edit a story. Only a status change is open to story.update (a contributor: on their
    own story); every other field needs backlog.manage. A save against an older `version`
    raises EditConflict (409) listing the other person's changes."""
    data = {k: v for k, v in data.items() if k not in {"criteria"}}
    if set(data) - {"status"}:
        require(membership, "backlog.manage")
    else:
        _require_story_update(membership, story)
    values = _story_values(story.workspace, data, story)
    if "status" in values:
        values.update(_status_values(story, values["status"]))
    _save(story, actor=actor, values=values, version=version)
    return story


def story_status(
    *, story: UserStory, actor, membership: Membership, status: str, version: int | None = None
) -> UserStory:
    return story_update(
        story=story, actor=actor, membership=membership, version=version, status=status
    )


def story_delete(*, story: UserStory, actor, membership: Membership) -> None:
    require(membership, "backlog.manage")
    with transaction.atomic():
        record_delete(story, actor=actor, target_type=STORY)


# -- rank -----------------------------------------------------------------------------------


def _order_after(story: UserStory) -> Q:
    """Stories after `story` in backlog order (rank, then pk for equal ranks)."""
    return Q(rank__gt=story.rank) | Q(rank=story.rank, pk__gt=story.pk)


def _order_before(story: UserStory) -> Q:
    return Q(rank__lt=story.rank) | Q(rank=story.rank, pk__lt=story.pk)


def backlog_renumber(*, workspace: Workspace) -> None:
    """Spread every story of the workspace RANK_STEP apart, keeping the order. Only needed
    when two neighbours have no gap left. One UPDATE ... FROM with ROW_NUMBER() (SQLite 3.33+
    and PostgreSQL): 30,000 stories take well under a second, where row-by-row updates
    take seconds."""
    table = connection.ops.quote_name(UserStory._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET rank = numbered.n * %s "  # noqa: S608 (names only)
            f"FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY rank, id) AS n "
            f"FROM {table} WHERE workspace_id = %s) AS numbered "
            f"WHERE {table}.id = numbered.id",
            [RANK_STEP, workspace.pk],
        )


def _rank_between(
    story: UserStory, after: UserStory | None, before: UserStory | None
) -> int | None:
    """A free rank right after `after` (else right before `before`; neither: the top) in the
    whole backlog, or None when there is no gap left there."""
    others = UserStory.objects.filter(workspace=story.workspace).exclude(pk=story.pk)
    if after is not None:
        nxt = others.filter(_order_after(after)).order_by("rank", "pk").first()
        if nxt is None:
            return after.rank + RANK_STEP
        low, high = after.rank, nxt.rank
    elif before is not None:
        prev = others.filter(_order_before(before)).order_by("-rank", "-pk").first()
        if prev is None:
            return before.rank - RANK_STEP
        low, high = prev.rank, before.rank
    else:
        top = others.aggregate(m=Min("rank"))["m"]
        return 0 if top is None else top - RANK_STEP
    return (low + high) // 2 if high - low >= 2 else None


def story_move(
    *,
    story: UserStory,
    actor,
    membership: Membership,
    after: UserStory | None = None,
    before: UserStory | None = None,
) -> UserStory:
    """Put `story` right after `after` (the story now above it), else right before `before`
    (the one now below it); neither: the top of the backlog. One row changes unless the gap
    is used up, then the backlog is renumbered first (same transaction)."""
    require(membership, "backlog.manage")
    for other in (after, before):
        if other is not None and other.workspace_id != story.workspace_id:
            raise Invalid(fields={"after": ["No such story in this workspace."]})
        if other is not None and other.pk == story.pk:
            raise Invalid(fields={"after": ["A story cannot move next to itself."]})
    with transaction.atomic():
        old = story.rank
        rank = _rank_between(story, after, before)
        if rank is None:
            backlog_renumber(workspace=story.workspace)
            for row in (story, after, before):
                if row is not None:
                    row.refresh_from_db(fields=["rank"])
            old = story.rank
            rank = _rank_between(story, after, before)
            assert rank is not None  # renumbered: RANK_STEP apart everywhere
        UserStory.objects.filter(pk=story.pk).update(rank=rank)
        story.rank = rank
        where = (
            f"after {after.title}"
            if after is not None
            else f"before {before.title}"
            if before is not None
            else "to the top"
        )
        activity_record(
            workspace=story.workspace,
            actor=actor,
            verb="ranked",
            target_type="backlog",
            target_key=story.key,
            target_label=story.title,
            changes={"rank": [old, rank], "place": [None, where[:150]]},
        )
    return story


def story_rank_set(*, story: UserStory, actor, membership: Membership, rank: int) -> UserStory:
    """Set a raw rank (the API; ties keep creation order)."""
    require(membership, "backlog.manage")
    if not -(2**62) < rank < 2**62:
        raise Invalid(fields={"rank": ["Use a rank between -2^62 and 2^62."]})
    with transaction.atomic():
        old = story.rank
        UserStory.objects.filter(pk=story.pk).update(rank=rank)
        story.rank = rank
        activity_record(
            workspace=story.workspace,
            actor=actor,
            verb="ranked",
            target_type="backlog",
            target_key=story.key,
            target_label=story.title,
            changes={"rank": [old, rank]},
        )
    return story


# -- acceptance criteria --------------------------------------------------------------------


def _criterion_text(text: object) -> str:
    value = " ".join(str(text or "").split())
    if not value:
        raise Invalid(fields={"text": ["Write the criterion."]})
    if len(value) > 500 or "\x00" in value:
        raise Invalid(fields={"text": ["Use at most 500 characters, no null characters."]})
    return value


def _criterion_log(criterion: AcceptanceCriterion, actor, verb: str, changes=None) -> None:
    story = criterion.story
    activity_record(
        workspace=story.workspace,
        actor=actor,
        verb=verb,
        target_type="criterion",
        target_key=story.key,
        target_label=f"{story.title}: {criterion.text}",
        changes=changes,
    )


def criterion_add(
    *, story: UserStory, actor, membership: Membership, text: str
) -> AcceptanceCriterion:
    require(membership, "backlog.manage")
    value = _criterion_text(text)
    with transaction.atomic():
        if story.criteria.count() >= MAX_CRITERIA:
            raise Invalid(fields={"text": [f"A story has at most {MAX_CRITERIA} criteria."]})
        last = story.criteria.aggregate(m=Max("position"))["m"]
        criterion = AcceptanceCriterion.objects.create(
            story=story, text=value, position=0 if last is None else last + 1
        )
        _criterion_log(criterion, actor, "added")
    return criterion


def criterion_update(
    *, criterion: AcceptanceCriterion, actor, membership: Membership, text: str
) -> AcceptanceCriterion:
    require(membership, "backlog.manage")
    value = _criterion_text(text)
    if value == criterion.text:
        return criterion
    with transaction.atomic():
        old = criterion.text
        criterion.text = value
        criterion.save(update_fields=["text"])
        _criterion_log(criterion, actor, "updated", {"text": [old, value]})
    return criterion


def criterion_tick(
    *, criterion: AcceptanceCriterion, actor, membership: Membership, done: bool
) -> AcceptanceCriterion:
    """Tick (done=True) or untick a criterion: story.update, a contributor on their own
    story. Idempotent: ticking a ticked criterion changes nothing."""
    _require_story_update(membership, criterion.story)
    if criterion.done == bool(done):
        return criterion
    with transaction.atomic():
        criterion.done = bool(done)
        criterion.save(update_fields=["done"])
        _criterion_log(
            criterion, actor, "ticked" if done else "unticked", {"done": [not done, done]}
        )
    return criterion


def criterion_remove(*, criterion: AcceptanceCriterion, actor, membership: Membership) -> None:
    require(membership, "backlog.manage")
    with transaction.atomic():
        _criterion_log(criterion, actor, "removed")
        criterion.delete()


def criterion_move(
    *, criterion: AcceptanceCriterion, actor, membership: Membership, direction: str
) -> None:
    """Swap a criterion with the one above ("up") or below ("down")."""
    require(membership, "backlog.manage")
    if direction not in {"up", "down"}:
        raise Invalid(fields={"direction": ["Use up or down."]})
    with transaction.atomic():
        rows = list(criterion.story.criteria.order_by("position", "pk"))
        index = next(i for i, row in enumerate(rows) if row.pk == criterion.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rows):
            return
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            row.position = position
        AcceptanceCriterion.objects.bulk_update(rows, ["position"])
        _criterion_log(criterion, actor, "moved", {"position": [index, other]})
