"""API for releases and milestones. No `from __future__ import annotations` (see
lodestar/api.py)."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from lodestar.core.pagination import paginate
from lodestar.planning import release_selectors as selectors
from lodestar.planning import release_services as services
from lodestar.planning.concurrency import EditConflict
from lodestar.planning.roadmap_models import ReleaseKind, ReleaseStatus
from lodestar.workspaces.access import WorkspaceRequest, api_access
from lodestar.workspaces.api import ERRORS, WRITE_ERRORS, ConflictOut, conflict_response

router = Router(tags=["releases"])


class ReleaseQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    product: str = Field("", max_length=20, description="A product key.")
    status: ReleaseStatus | None = None


class ReleaseIn(Schema):
    name: str = Field(..., max_length=120)
    kind: ReleaseKind = ReleaseKind.RELEASE
    product_key: str = Field(..., max_length=20)
    team_key: str = Field(..., max_length=16, description="The team that delivers it.")
    start: date | None = Field(
        None, description="Required for a release; optional for a milestone."
    )
    target: date
    status: ReleaseStatus = ReleaseStatus.PLANNED
    goal: str = Field("", max_length=2000, description="Markdown.")
    owner_key: str = Field("", max_length=16, description="A member key.")


class ReleasePatch(Schema):
    name: str | None = Field(None, max_length=120)
    kind: ReleaseKind | None = None
    team_key: str | None = Field(None, max_length=16)
    start: date | None = None
    target: date | None = None
    status: ReleaseStatus | None = None
    goal: str | None = Field(None, max_length=2000)
    owner_key: str | None = Field(None, max_length=16)
    version: int | None = Field(
        None,
        ge=1,
        description="The version you read; if the release changed since, the PATCH is "
        "refused with 409 and the changes made since.",
    )


class CapacityOut(Schema):
    weeks: int | None = Field(..., description="Calendar weeks from start to target, rounded up.")
    capacity_points: int = Field(..., description="The team's points per week.")
    capacity_total_points: int | None
    planned_weeks: Decimal = Field(..., description="The features' effort in weeks.")
    planned_points: Decimal | None
    over: bool
    unestimated: int
    unconvertible: int
    how: str


class WarningOut(Schema):
    reason: str
    blocked_key: str
    blocked_title: str
    blocked_target: date | None
    blocker_key: str
    blocker_title: str
    blocker_target: date | None
    message: str


class ReleaseOut(Schema):
    key: str
    name: str
    kind: str
    product_key: str
    team_key: str
    start: date | None
    target: date
    status: str
    goal: str
    owner_key: str | None
    released_on: date | None
    version: int
    feature_count: int
    capacity: CapacityOut


class ReleaseDetail(ReleaseOut):
    feature_keys: list[str]
    warnings: list[WarningOut]


class ReleasePage(Schema):
    items: list[ReleaseOut]
    count: int
    next: str | None


def _capacity(capacity: selectors.Capacity) -> dict[str, Any]:
    return {
        "weeks": capacity.weeks,
        "capacity_points": capacity.capacity_points,
        "capacity_total_points": capacity.capacity_total_points,
        "planned_weeks": capacity.planned_weeks,
        "planned_points": capacity.planned_points,
        "over": capacity.over,
        "unestimated": capacity.unestimated,
        "unconvertible": capacity.unconvertible,
        "how": capacity.how,
    }


def _out(release, capacity: selectors.Capacity) -> dict[str, Any]:
    return {
        "key": release.key,
        "name": release.name,
        "kind": release.kind,
        "product_key": release.product.key,
        "team_key": release.team.key,
        "start": release.start,
        "target": release.target,
        "status": release.status,
        "goal": release.goal,
        "owner_key": release.owner.key if release.owner else None,
        "released_on": release.released_on,
        "version": release.version,
        "feature_count": capacity.features,
        "capacity": _capacity(capacity),
    }


def _detail(release) -> dict[str, Any]:
    features = selectors.features_in(release=release)
    warnings = selectors.dependency_warnings(features=features)
    unique = sorted(set().union(*warnings.values()), key=lambda w: (w.blocked_key, w.blocker_key))
    return {
        **_out(release, selectors.release_capacity(releases=[release])[release.pk]),
        "feature_keys": [f.key for f in features],
        "warnings": [w.__dict__ for w in unique],
    }


@router.get("/workspaces/{slug}/releases", response={200: ReleasePage, **ERRORS})
@api_access("roadmap.view")
def release_list(request: WorkspaceRequest, slug: str, query: Query[ReleaseQuery]):
    rows = selectors.release_list(
        workspace=request.workspace, product=query.product, status=query.status or ""
    )
    page = paginate(rows, cursor=query.cursor, limit=query.limit)
    capacity = selectors.release_capacity(releases=page.items)
    return page.as_dict(lambda r: _out(r, capacity[r.pk]))


@router.post("/workspaces/{slug}/releases", response={201: ReleaseDetail, **WRITE_ERRORS})
@api_access("release.manage")
def release_create(request: WorkspaceRequest, slug: str, payload: ReleaseIn):
    release = services.release_create(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    release = selectors.release_get(workspace=request.workspace, key=release.key)
    return Status(201, _detail(release))


@router.get("/workspaces/{slug}/releases/{release_key}", response={200: ReleaseDetail, **ERRORS})
@api_access("roadmap.view")
def release_get(request: WorkspaceRequest, slug: str, release_key: str):
    return _detail(selectors.release_get(workspace=request.workspace, key=release_key))


@router.patch(
    "/workspaces/{slug}/releases/{release_key}",
    response={
        200: ReleaseDetail,
        409: ConflictOut,
        **{k: v for k, v in WRITE_ERRORS.items() if k != 409},
    },
)
@api_access("release.manage")
def release_update(request: WorkspaceRequest, slug: str, release_key: str, payload: ReleasePatch):
    release = selectors.release_get(workspace=request.workspace, key=release_key)
    data = payload.dict(exclude_unset=True)
    try:
        services.release_update(release=release, actor=request.user, **data)
    except EditConflict as conflict:
        return conflict_response(conflict)
    return _detail(selectors.release_get(workspace=request.workspace, key=release_key))
