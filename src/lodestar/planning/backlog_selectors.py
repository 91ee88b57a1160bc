"""Reads for the backlog: stories in rank order with their criteria counts, iterations with
points planned and done, and a team's weekly throughput (the delivery forecast's input).

A story belongs to the team of its feature; when the feature names no team, to the team of
its iteration (`team_q`). Every function takes the workspace (or an object of it)."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from lodestar.core.errors import NotFound
from lodestar.planning.backlog_models import (
    AcceptanceCriterion,
    Iteration,
    StoryStatus,
    UserStory,
)
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Membership, Team, Workspace


def team_q(team: Team, prefix: str = "") -> Q:
    """Stories of `team`: its features' stories, and stories of team-less features planned
    into its iterations."""
    return Q(**{f"{prefix}feature__team": team}) | Q(
        **{f"{prefix}feature__team": None, f"{prefix}iteration__team": team}
    )


@dataclass(frozen=True)
class StoryFilters:
    """The backlog's filters, each a key (or a status); empty means any."""

    team: Team | None = None
    feature: str = ""
    iteration: str = ""  # an iteration key, or "none" for unplanned stories
    status: str = ""
    owner: str = ""  # a member key, or "none" for unowned stories

    @property
    def active(self) -> bool:
        return bool(self.team or self.feature or self.iteration or self.status or self.owner)


def team_or_none(*, workspace: Workspace, key: str) -> Team | None:
    """The workspace's team with this key, else None (filters ignore unknown keys)."""
    if not key:
        return None
    team = Team.objects.filter(workspace=workspace, key=key).first()
    if team is not None:
        team.workspace = workspace  # the throughput reads its time zone
    return team


def story_list(*, workspace: Workspace, filters: StoryFilters | None = None) -> QuerySet:
    """The workspace's stories, filtered; order them by rank (`paginate(...,
    order_by="rank")`), then `with_criteria_counts(page.items)`."""
    filters = filters or StoryFilters()
    rows = UserStory.objects.filter(workspace=workspace)
    if filters.team is not None:
        rows = rows.filter(team_q(filters.team))
    if filters.feature:
        rows = rows.filter(feature__key=filters.feature)
    if filters.iteration == "none":
        rows = rows.filter(iteration=None)
    elif filters.iteration:
        rows = rows.filter(iteration__key=filters.iteration)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.owner == "none":
        rows = rows.filter(owner=None)
    elif filters.owner:
        rows = rows.filter(owner__key=filters.owner)
    return rows.select_related("feature", "feature__team", "owner__user", "iteration")


def with_criteria_counts(stories: list[UserStory]) -> list[UserStory]:
    """Set `criteria_total` and `criteria_done` on each story: one query for a whole page
    (an annotation on the list itself would group every story before the page is cut)."""
    counts = {
        row["story_id"]: row
        for row in AcceptanceCriterion.objects.filter(story__in=[s.pk for s in stories])
        .values("story_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done=True)))
    }
    for story in stories:
        row = counts.get(story.pk, {})
        story.criteria_total = row.get("total", 0)  # type: ignore[attr-defined]
        story.criteria_done = row.get("done", 0)  # type: ignore[attr-defined]
    return stories


def story_neighbour(
    *, workspace: Workspace, story: UserStory, filters: StoryFilters, direction: str
) -> UserStory | None:
    """The story above ("up") or below ("down") `story` in the filtered backlog, or the
    first one ("top")."""
    rows = story_list(workspace=workspace, filters=filters).exclude(pk=story.pk)
    if direction == "top":
        return rows.order_by("rank", "pk").first()
    if direction == "up":
        before = Q(rank__lt=story.rank) | Q(rank=story.rank, pk__lt=story.pk)
        return rows.filter(before).order_by("-rank", "-pk").first()
    after = Q(rank__gt=story.rank) | Q(rank=story.rank, pk__gt=story.pk)
    return rows.filter(after).order_by("rank", "pk").first()


def story_get(*, workspace: Workspace, key: str) -> UserStory:
    try:
        return UserStory.objects.select_related(
            "workspace", "feature", "feature__team", "owner__user", "iteration__team"
        ).get(workspace=workspace, key=key)
    except UserStory.DoesNotExist:
        raise NotFound("No such story.") from None


def story_by_key(*, workspace: Workspace, key: str, field: str) -> UserStory | None:
    """A neighbour named in a rank request: None for an empty key, Invalid-free NotFound
    for another workspace's or a deleted story (the page is stale)."""
    if not key:
        return None
    story = UserStory.objects.filter(workspace=workspace, key=key).first()
    if story is None:
        raise NotFound(f"No story with key {key!r} (field {field}): reload the backlog.")
    return story


_LABELS = {"feature_key": "feature", "owner_key": "owner", "iteration_key": "iteration"}


def untouched_fields(*, workspace: Workspace, posted: dict, changes: list[dict]) -> set[str]:
    """The form fields (of a story edit form) that someone else changed since the form was
    shown and that the poster left as they were: their posted value is the other change's
    old value. The activity log holds foreign keys as labels (str of the object), so posted
    keys are turned into the same labels before comparing."""
    lookups = {
        "feature_key": lambda key: Feature.objects.filter(workspace=workspace, key=key).first(),
        "owner_key": lambda key: Membership.objects.filter(workspace=workspace, key=key).first(),
        "iteration_key": lambda key: Iteration.objects.filter(workspace=workspace, key=key).first(),
    }
    fields = {value: name for name, value in _LABELS.items()}
    untouched = set()
    for entry in reversed(changes):  # oldest first
        for field, (old, _new) in entry.get("changes", {}).items():
            name = fields.get(field, field)
            if name not in posted:
                continue
            value = posted[name]
            if name in lookups:
                found = lookups[name](value) if value else None
                value = str(found) if found is not None else None
            if str(value or "") == str("" if old is None else old):
                untouched.add(name)
    return untouched


def story_sentence(story: UserStory) -> str:
    """ "As a dispatcher, I want …, so that …." (an article added to a bare role)."""
    role = story.as_a or "…"
    if story.as_a and not re.match(r"(a|an|the|my|our)\s", role, flags=re.IGNORECASE):
        role = ("an " if role[0].lower() in "aeiou" else "a ") + role
    return f"As {role}, I want {story.i_want or '…'}, so that {story.so_that or '…'}."


def criteria_of(story: UserStory) -> list[AcceptanceCriterion]:
    return list(story.criteria.order_by("position", "pk"))


def criterion_get(*, story: UserStory, criterion_id: int | str) -> AcceptanceCriterion:
    """A criterion of `story` (ids are only looked up inside their story)."""
    try:
        criterion = story.criteria.get(pk=int(criterion_id))
    except (AcceptanceCriterion.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such acceptance criterion on this story.") from None
    criterion.story = story  # spare a query: the caller already holds it
    return criterion


def feature_stories(*, feature) -> list[UserStory]:
    """A feature's stories in backlog order, with criteria counts (the feature page)."""
    return list(
        UserStory.objects.filter(feature=feature)
        .select_related("owner__user")
        .annotate(
            criteria_total=Count("criteria"),
            criteria_done=Count("criteria", filter=Q(criteria__done=True)),
        )
        .order_by("rank", "pk")[:200]
    )


# -- iterations -----------------------------------------------------------------------------


def iteration_list(*, workspace: Workspace, team: Team | None = None) -> QuerySet:
    """Iterations, newest first, with points planned and done and story counts."""
    rows = Iteration.objects.filter(workspace=workspace)
    if team is not None:
        rows = rows.filter(team=team)
    return rows.select_related("team").annotate(
        story_count=Count("stories"),
        points_planned=Sum("stories__points"),
        points_done=Sum("stories__points", filter=Q(stories__status=StoryStatus.DONE)),
    )


def iteration_get(*, workspace: Workspace, key: str) -> Iteration:
    try:
        return iteration_list(workspace=workspace).get(key=key)
    except Iteration.DoesNotExist:
        raise NotFound("No such iteration.") from None


BACKLOG_STATUSES = ("planned", "in_progress")


def story_form_choices(
    *, workspace: Workspace, story: UserStory | None = None, feature_key: str = ""
) -> dict[str, list[tuple[str, str]]]:
    """Choices of the story form and the backlog's filters: the features in play (planned,
    in progress, or with stories; not all 5,000 of a large workspace), members, recent
    iterations; the story's own feature, owner and iteration (and `feature_key`) always
    among them, so an edit never fails on a choice the list cut off."""
    features = list(
        Feature.objects.filter(workspace=workspace)
        .filter(Q(status__in=BACKLOG_STATUSES) | Q(stories__isnull=False))
        .distinct()
        .order_by("title")
        .values_list("key", "title")[:1000]
    )
    owners = [
        (m.key, m.user.display_name)
        for m in Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__name", "pk")[:500]
    ]
    iterations = iteration_choices(workspace=workspace)
    keep_features = []
    if story is not None:
        keep_features.append((story.feature.key, story.feature.title))
        if story.owner is not None:
            _keep(owners, (story.owner.key, story.owner.user.display_name))
        if story.iteration is not None:
            it = story.iteration
            _keep(iterations, (it.key, f"{it.name} ({it.team.name})"))
    if feature_key:
        found = Feature.objects.filter(workspace=workspace, key=feature_key).first()
        if found is not None:
            keep_features.append((found.key, found.title))
    for row in keep_features:
        _keep(features, row)
    return {"features": features, "owners": owners, "iterations": iterations}


def _keep(rows: list[tuple[str, str]], row: tuple[str, str]) -> None:
    if all(key != row[0] for key, _label in rows):
        rows.append(row)


def iteration_choices(*, workspace: Workspace, limit: int = 300) -> list[tuple[str, str]]:
    rows = (
        Iteration.objects.filter(workspace=workspace)
        .order_by("-start")
        .values_list("key", "name", "team__name")[:limit]
    )
    return [(key, f"{name} ({team})") for key, name, team in rows]


def plannable_stories(*, iteration: Iteration, limit: int = 300) -> list[tuple[str, str]]:
    """Open stories not planned into it whose feature is the iteration team's or names no
    team, in rank order."""
    rows = (
        UserStory.objects.filter(workspace_id=iteration.workspace_id)
        .filter(Q(feature__team=iteration.team_id) | Q(feature__team=None))
        .exclude(status=StoryStatus.DONE)
        .exclude(iteration=iteration)
        .order_by("rank", "pk")
        .values_list("key", "title")[:limit]
    )
    return list(rows)


# -- throughput -----------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def team_throughput(
    *, team: Team, weeks: int = 26, today: date | None = None
) -> list[tuple[date, int, int]]:
    """Per ISO week (Monday start, in the workspace's time zone), the team's stories done
    that week and their points: `weeks` rows ending with the week of `today` (default: now,
    in the workspace's time zone), oldest first, weeks with nothing done included as zeros.
    A story without points counts 1 story and 0 points. Reopened stories drop out (done_at
    is cleared), so the history is what is done now."""
    if weeks < 1:
        return []
    tz = zoneinfo.ZoneInfo(team.workspace.time_zone)
    if today is None:
        today = timezone.now().astimezone(tz).date()
    last = week_start(today)
    first = last - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time(), tzinfo=tz)
    until = datetime.combine(last + timedelta(weeks=1), time(), tzinfo=tz)
    done = (
        UserStory.objects.filter(workspace_id=team.workspace_id, status=StoryStatus.DONE)
        .filter(team_q(team))
        .filter(done_at__gte=since, done_at__lt=until)
        .values_list("done_at", "points")
    )
    totals = {first + timedelta(weeks=i): [0, 0] for i in range(weeks)}
    for done_at, points in done:
        assert done_at is not None  # filtered on a range
        bucket = totals[week_start(done_at.astimezone(tz).date())]
        bucket[0] += 1
        bucket[1] += points or 0
    return [(monday, count, points) for monday, (count, points) in totals.items()]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


def throughput_bars(
    rows: list[tuple[date, int, int]], *, width: int = 640, height: int = 120
) -> list[Bar]:
    """Bar geometry for the server-rendered SVG chart of points done per week (the table
    beside it carries the numbers for screen readers)."""
    if not rows:
        return []
    top = max(points for _w, _c, points in rows) or 1
    slot = width / len(rows)
    bars = []
    for i, (monday, count, points) in enumerate(rows):
        h = round(points / top * (height - 4), 1)
        bars.append(
            Bar(
                x=round(i * slot + 1, 1),
                y=round(height - h, 1),
                width=round(max(slot - 2, 1), 1),
                height=h,
                label=f"Week of {monday:%d %b %Y}: {count} stories, {points} points",
            )
        )
    return bars


def feature_stories_context(*, feature, membership) -> dict:
    """Context for the feature page's "Stories" section (planning/_feature_stories.html):
    the feature's stories in backlog order (at most 200) with points planned and done."""
    from lodestar.workspaces.permissions import role_can

    stories = feature_stories(feature=feature)
    return {
        "feature_stories": stories,
        "feature_story_points": sum(s.points or 0 for s in stories),
        "feature_story_points_done": sum(
            s.points or 0 for s in stories if s.status == StoryStatus.DONE
        ),
        "can_add_story": role_can(membership.role, "backlog.manage"),
    }
