"""API for the backlog: stories (list, create, get, PATCH), acceptance criteria (add, tick),
iterations and a team's weekly throughput. No `from __future__ import annotations` (see
lodestar/api.py)."""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from lodestar.core.pagination import paginate
from lodestar.planning import backlog_selectors as selectors
from lodestar.planning import backlog_services as services
from lodestar.planning import iteration_services
from lodestar.planning.backlog_models import StoryStatus
from lodestar.planning.concurrency import EditConflict
from lodestar.workspaces.access import WorkspaceRequest, api_access
from lodestar.workspaces.api import ERRORS, WRITE_ERRORS, VersionedConflictOut, conflict_response
from lodestar.workspaces.selectors import team_get

router = Router(tags=["backlog"])


# -- schemas --------------------------------------------------------------------------------


class CriterionOut(Schema):
    id: int = Field(..., description="Unique within its story only.")
    text: str
    done: bool
    position: int


class StoryOut(Schema):
    key: str
    title: str
    as_a: str
    i_want: str
    so_that: str
    feature_key: str
    team_key: str | None
    points: int | None
    status: StoryStatus
    rank: int
    owner_key: str | None
    iteration_key: str | None
    done_at: datetime | None
    version: int
    criteria_done: int
    criteria_total: int


class StoryDetail(StoryOut):
    criteria: list[CriterionOut]


class StoryPage(Schema):
    items: list[StoryOut]
    count: int
    next: str | None


class StoryQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    team: str = Field("", max_length=40, description="A team key (through the feature's team).")
    feature: str = Field("", max_length=40, description="A feature key.")
    iteration: str = Field("", max_length=40, description='An iteration key, or "none".')
    status: StoryStatus | None = None
    owner: str = Field("", max_length=40, description='A member key, or "none".')


class StoryIn(Schema):
    feature_key: str = Field(..., max_length=40)
    title: str = Field(..., max_length=200)
    as_a: str = Field("", max_length=120)
    i_want: str = Field("", max_length=500)
    so_that: str = Field("", max_length=500)
    points: int | None = Field(None, ge=0, le=services.MAX_POINTS)
    status: StoryStatus = StoryStatus.TODO
    owner_key: str = Field("", max_length=40)
    iteration_key: str = Field("", max_length=40)
    criteria: list[str] = Field([], max_length=services.MAX_CRITERIA)


class StoryPatch(Schema):
    title: str | None = Field(None, max_length=200)
    as_a: str | None = Field(None, max_length=120)
    i_want: str | None = Field(None, max_length=500)
    so_that: str | None = Field(None, max_length=500)
    points: int | None = Field(None, ge=0, le=services.MAX_POINTS)
    status: StoryStatus | None = Field(None)
    owner_key: str | None = Field(None, max_length=40)
    iteration_key: str | None = Field(None, max_length=40)
    feature_key: str | None = Field(None, max_length=40)
    rank: int | None = Field(None, description="A raw rank: smaller comes first.")
    after_key: str | None = Field(
        None, max_length=40, description="Rank: put it right after this story."
    )
    before_key: str | None = Field(
        None, max_length=40, description="Rank: put it right before this story."
    )
    version: int | None = Field(
        None,
        ge=1,
        description="The version you read: a newer one on the server gets 409 with the changes.",
    )


class CriterionIn(Schema):
    text: str = Field(..., max_length=500)


class CriterionPatch(Schema):
    done: bool | None = Field(None)
    text: str | None = Field(None, max_length=500)


class IterationOut(Schema):
    key: str
    name: str
    team_key: str
    start: date
    end: date
    story_count: int
    points_planned: int
    points_done: int


class IterationPage(Schema):
    items: list[IterationOut]
    count: int
    next: str | None


class IterationQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    team: str = Field("", max_length=40)


class IterationIn(Schema):
    team_key: str = Field(..., max_length=40)
    name: str = Field(..., max_length=80)
    start: date
    end: date


class WeekOut(Schema):
    week_start: date = Field(..., description="The Monday, in the workspace's time zone.")
    stories: int
    points: int


class ThroughputOut(Schema):
    team_key: str
    time_zone: str
    weeks: list[WeekOut]


class ThroughputQuery(Schema):
    weeks: int = Field(26, ge=1, le=104)


# -- helpers --------------------------------------------------------------------------------


def _story_out(story) -> dict[str, Any]:
    feature = story.feature
    return {
        "key": story.key,
        "title": story.title,
        "as_a": story.as_a,
        "i_want": story.i_want,
        "so_that": story.so_that,
        "feature_key": feature.key,
        "team_key": feature.team.key if feature.team_id else None,
        "points": story.points,
        "status": story.status,
        "rank": story.rank,
        "owner_key": story.owner.key if story.owner_id else None,
        "iteration_key": story.iteration.key if story.iteration_id else None,
        "done_at": story.done_at,
        "version": story.version,
        "criteria_done": getattr(story, "criteria_done", 0),
        "criteria_total": getattr(story, "criteria_total", 0),
    }


def _story_detail(workspace, key: str) -> dict[str, Any]:
    story = selectors.story_get(workspace=workspace, key=key)
    criteria = selectors.criteria_of(story)
    story.criteria_total = len(criteria)  # type: ignore[attr-defined]
    story.criteria_done = sum(1 for c in criteria if c.done)  # type: ignore[attr-defined]
    return {
        **_story_out(story),
        "criteria": [
            {"id": c.pk, "text": c.text, "done": c.done, "position": c.position} for c in criteria
        ],
    }


def _conflict(conflict: EditConflict, story) -> Any:
    story.refresh_from_db(fields=["version"])
    return conflict_response(conflict, version=story.version)


def _iteration_out(iteration) -> dict[str, Any]:
    return {
        "key": iteration.key,
        "name": iteration.name,
        "team_key": iteration.team.key,
        "start": iteration.start,
        "end": iteration.end,
        "story_count": getattr(iteration, "story_count", 0),
        "points_planned": getattr(iteration, "points_planned", None) or 0,
        "points_done": getattr(iteration, "points_done", None) or 0,
    }


# -- stories --------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/stories",
    response={200: StoryPage, **ERRORS},
    summary="Stories in backlog (rank) order, filtered",
)
@api_access("roadmap.view")
def story_list(request: WorkspaceRequest, slug: str, query: Query[StoryQuery]) -> Any:
    team = selectors.team_or_none(workspace=request.workspace, key=query.team)
    if query.team and team is None:
        return Status(200, {"items": [], "count": 0, "next": None})
    filters = selectors.StoryFilters(
        team=team,
        feature=query.feature,
        iteration=query.iteration,
        status=query.status or "",
        owner=query.owner,
    )
    page = paginate(
        selectors.story_list(workspace=request.workspace, filters=filters),
        cursor=query.cursor,
        limit=query.limit,
        order_by="rank",
    )
    selectors.with_criteria_counts(page.items)
    return page.as_dict(_story_out)


@router.post(
    "/workspaces/{slug}/stories",
    response={201: StoryDetail, **WRITE_ERRORS},
    summary="Add a story at the bottom of the backlog",
)
@api_access("backlog.manage")
def story_create(request: WorkspaceRequest, slug: str, payload: StoryIn) -> Any:
    data = payload.dict()
    data["criteria"] = "\n".join(data["criteria"])
    story = services.story_create(
        workspace=request.workspace, actor=request.user, membership=request.membership, **data
    )
    return Status(201, _story_detail(request.workspace, story.key))


@router.get(
    "/workspaces/{slug}/stories/{story_key}",
    response={200: StoryDetail, **ERRORS},
    summary="A story with its acceptance criteria",
)
@api_access("roadmap.view")
def story_get(request: WorkspaceRequest, slug: str, story_key: str) -> Any:
    return _story_detail(request.workspace, story_key)


@router.patch(
    "/workspaces/{slug}/stories/{story_key}",
    response={200: StoryDetail, **WRITE_ERRORS, 409: VersionedConflictOut},
    summary="Change a story: status (story.update) or anything else (backlog.manage)",
    description="A contributor may change only the status of a story they own. Send the "
    "`version` you read to be told (409, with the other changes) when someone saved since. "
    "Rank with `rank`, or `after_key` / `before_key` (the story goes right after / before).",
)
@api_access("story.update")
def story_update(request: WorkspaceRequest, slug: str, story_key: str, payload: StoryPatch):
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    data = payload.dict(exclude_unset=True)
    who: dict[str, Any] = {"actor": request.user, "membership": request.membership}
    rank = data.pop("rank", None)
    after_key = data.pop("after_key", None)
    before_key = data.pop("before_key", None)
    version = data.pop("version", None)
    with transaction.atomic():  # all of it or nothing (a refused rank undoes the status)
        if data or version is not None:
            try:
                services.story_update(story=story, version=version, **who, **data)
            except EditConflict as conflict:
                return _conflict(conflict, story)
        if after_key or before_key:
            after = selectors.story_by_key(
                workspace=request.workspace, key=after_key or "", field="after_key"
            )
            before = selectors.story_by_key(
                workspace=request.workspace, key=before_key or "", field="before_key"
            )
            services.story_move(story=story, after=after, before=before, **who)
        elif rank is not None:
            services.story_rank_set(story=story, rank=rank, **who)
    return _story_detail(request.workspace, story.key)


@router.delete(
    "/workspaces/{slug}/stories/{story_key}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a story and its acceptance criteria",
)
@api_access("backlog.manage")
def story_delete(request: WorkspaceRequest, slug: str, story_key: str) -> Any:
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    services.story_delete(story=story, actor=request.user, membership=request.membership)
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/stories/{story_key}/criteria",
    response={201: CriterionOut, **WRITE_ERRORS},
    summary="Add an acceptance criterion",
)
@api_access("backlog.manage")
def criterion_add(request: WorkspaceRequest, slug: str, story_key: str, payload: CriterionIn):
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    criterion = services.criterion_add(
        story=story, actor=request.user, membership=request.membership, text=payload.text
    )
    return Status(
        201,
        {
            "id": criterion.pk,
            "text": criterion.text,
            "done": criterion.done,
            "position": criterion.position,
        },
    )


@router.patch(
    "/workspaces/{slug}/stories/{story_key}/criteria/{criterion_id}",
    response={200: CriterionOut, **WRITE_ERRORS},
    summary="Tick or untick an acceptance criterion (or change its text: backlog.manage)",
)
@api_access("story.update")
def criterion_update(
    request: WorkspaceRequest, slug: str, story_key: str, criterion_id: int, payload: CriterionPatch
):
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    criterion = selectors.criterion_get(story=story, criterion_id=criterion_id)
    data = payload.dict(exclude_unset=True)
    who: dict[str, Any] = {"actor": request.user, "membership": request.membership}
    if data.get("text") is not None:
        services.criterion_update(criterion=criterion, text=data["text"], **who)
    if data.get("done") is not None:
        services.criterion_tick(criterion=criterion, done=data["done"], **who)
    return {
        "id": criterion.pk,
        "text": criterion.text,
        "done": criterion.done,
        "position": criterion.position,
    }


# -- iterations and throughput --------------------------------------------------------------


@router.get("/workspaces/{slug}/iterations", response={200: IterationPage, **ERRORS})
@api_access("roadmap.view")
def iteration_list(request: WorkspaceRequest, slug: str, query: Query[IterationQuery]) -> Any:
    team = team_get(workspace=request.workspace, key=query.team) if query.team else None
    page = paginate(
        selectors.iteration_list(workspace=request.workspace, team=team),
        cursor=query.cursor,
        limit=query.limit,
        order_by="-start",
    )
    return page.as_dict(_iteration_out)


@router.post("/workspaces/{slug}/iterations", response={201: IterationOut, **WRITE_ERRORS})
@api_access("backlog.manage")
def iteration_create(request: WorkspaceRequest, slug: str, payload: IterationIn) -> Any:
    iteration = iteration_services.iteration_create(
        workspace=request.workspace,
        actor=request.user,
        membership=request.membership,
        **payload.dict(),
    )
    return Status(
        201, _iteration_out(selectors.iteration_get(workspace=request.workspace, key=iteration.key))
    )


@router.get("/workspaces/{slug}/iterations/{iteration_key}", response={200: IterationOut, **ERRORS})
@api_access("roadmap.view")
def iteration_get(request: WorkspaceRequest, slug: str, iteration_key: str) -> Any:
    return _iteration_out(selectors.iteration_get(workspace=request.workspace, key=iteration_key))


@router.get(
    "/workspaces/{slug}/teams/{team_key}/throughput",
    response={200: ThroughputOut, **ERRORS},
    summary="A team's stories and points done per ISO week, oldest first, zeros included",
)
@api_access("roadmap.view")
def team_throughput(
    request: WorkspaceRequest, slug: str, team_key: str, query: Query[ThroughputQuery]
) -> Any:
    team = team_get(workspace=request.workspace, key=team_key)
    team.workspace = request.workspace
    rows = selectors.team_throughput(team=team, weeks=query.weeks)
    return {
        "team_key": team.key,
        "time_zone": request.workspace.time_zone,
        "weeks": [{"week_start": w, "stories": c, "points": p} for w, c, p in rows],
    }
