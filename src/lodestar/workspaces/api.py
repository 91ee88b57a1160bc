"""API for workspaces, members, invitations, products, teams and activity.

No `from __future__ import annotations` here: see lodestar/api.py.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from lodestar.accounts.models import User
from lodestar.activity.selectors import activity_list
from lodestar.core.access import signed_in
from lodestar.core.pagination import paginate
from lodestar.workspaces import selectors, services
from lodestar.workspaces.access import WorkspaceRequest, api_access
from lodestar.workspaces.models import Role

router = Router(tags=["workspaces"])


# -- schemas ------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


class ChangeOut(Schema):
    who: str
    when: datetime
    verb: str
    changes: dict[str, Any]


class ConflictBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]
    changes: list[ChangeOut]


class ConflictOut(Schema):
    """A 409 from a versioned edit: the changes made since the version the client read."""

    error: ConflictBody


class VersionedConflictBody(ConflictBody):
    version: int = Field(..., description="The current version: send it to save over theirs.")


class VersionedConflictOut(Schema):
    """A 409 that also carries the current version, for a client that will save over it."""

    error: VersionedConflictBody


def conflict_response(conflict, **extra: Any) -> Status:
    """The 409 for an EditConflict (planning.concurrency): its error, the changes made since,
    and `extra` fields (the current version)."""
    body = conflict.as_dict()
    body["error"].update(changes=conflict.changes, **extra)
    return Status(409, body)


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class WorkspaceOut(Schema):
    slug: str
    name: str
    currency: str
    time_zone: str
    role: str | None = None


class WorkspaceIn(Schema):
    name: str = Field(..., max_length=80)
    time_zone: str = Field(..., max_length=64)


class MeOut(Schema):
    email: str
    name: str
    workspaces: list[WorkspaceOut]


class MemberOut(Schema):
    key: str
    email: str
    name: str
    role: str
    joined_at: datetime


class MemberPage(Schema):
    items: list[MemberOut]
    count: int
    next: str | None


class RoleIn(Schema):
    role: Role


class InvitationIn(Schema):
    email: str = Field(..., max_length=254)
    role: Role


class InvitationOut(Schema):
    key: str
    email: str
    role: str
    expires_at: datetime
    accept_url: str | None = None


class InvitationPage(Schema):
    items: list[InvitationOut]
    count: int
    next: str | None


class ProductIn(Schema):
    key: str = Field(..., max_length=20)
    name: str = Field(..., max_length=80)
    description: str = Field("", max_length=2000)


class ProductPatch(Schema):
    name: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=2000)
    allowed_origins: list[str] | None = Field(
        None, max_length=50, description="Origins whose pages may post with the write key."
    )


class ProductOut(Schema):
    key: str
    name: str
    description: str
    created_at: datetime
    write_key: str = Field(description="Public, write-only: the in-app widget posts with it.")
    allowed_origins: list[str]


class ProductPage(Schema):
    items: list[ProductOut]
    count: int
    next: str | None


class TeamIn(Schema):
    name: str = Field(..., max_length=80)
    description: str = Field("", max_length=2000)
    capacity_points: int = Field(0, ge=0, le=1_000_000)
    cost_per_week: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    members: list[str] = Field(default_factory=list, description="Member keys")


class TeamPatch(Schema):
    name: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=2000)
    capacity_points: int | None = Field(None, ge=0, le=1_000_000)
    cost_per_week: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    members: list[str] | None = Field(None, description="Member keys; omit to keep")


class TeamOut(Schema):
    key: str
    name: str
    description: str
    capacity_points: int
    cost_per_week: Decimal
    currency: str
    members: list[str]


class TeamPage(Schema):
    items: list[TeamOut]
    count: int
    next: str | None


class ActivityOut(Schema):
    actor: str
    verb: str
    target_type: str
    target_key: str
    target_label: str
    changes: dict[str, Any]
    created_at: datetime


class ActivityPage(Schema):
    items: list[ActivityOut]
    count: int
    next: str | None


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut}


CENTS = Decimal("0.01")


def _workspace_out(workspace, role: str | None = None) -> dict[str, Any]:
    return {
        "slug": workspace.slug,
        "name": workspace.name,
        "currency": workspace.currency,
        "time_zone": workspace.time_zone,
        "role": role,
    }


def _member_out(m) -> dict[str, Any]:
    return {
        "key": m.key,
        "email": m.user.email,
        "name": m.user.name,
        "role": m.role,
        "joined_at": m.created_at,
    }


def _team_out(team) -> dict[str, Any]:
    return {
        "key": team.key,
        "name": team.name,
        "description": team.description,
        "capacity_points": team.capacity_points,
        # As stored (2 places), not as sent: "1e5" on create would echo back as "1E+5".
        "cost_per_week": Decimal(team.cost_per_week).quantize(CENTS),
        "currency": team.workspace.currency,
        "members": [m.key for m in team.members.all()],
    }


# -- the caller ---------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I, and where")
@signed_in
def me_get(request: HttpRequest):
    user = cast(User, request.user)  # signed_in: never anonymous here
    memberships = selectors.memberships_of(user)
    token = getattr(request, "api_token", None)
    if token is not None:
        memberships = memberships.filter(workspace=token.workspace)
    return {
        "email": user.email,
        "name": user.name,
        "workspaces": [_workspace_out(m.workspace, m.role) for m in memberships[:200]],
    }


# -- workspaces ---------------------------------------------------------------------------


@router.get("/workspaces/{slug}", response={200: WorkspaceOut, **ERRORS})
@api_access("workspace.view")
def workspace_get(request: WorkspaceRequest, slug: str):
    return _workspace_out(request.workspace, request.membership.role)


@router.patch("/workspaces/{slug}", response={200: WorkspaceOut, **WRITE_ERRORS})
@api_access("workspace.update")
def workspace_update(request: WorkspaceRequest, slug: str, payload: WorkspaceIn):
    workspace = services.workspace_update(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    return _workspace_out(workspace, request.membership.role)


# -- members and invitations --------------------------------------------------------------


@router.get("/workspaces/{slug}/members", response={200: MemberPage, **ERRORS})
@api_access("member.view")
def member_list(request: WorkspaceRequest, slug: str, page: Query[PageQuery]):
    result = paginate(
        selectors.member_list(workspace=request.workspace), cursor=page.cursor, limit=page.limit
    )
    return result.as_dict(_member_out)


@router.patch("/workspaces/{slug}/members/{member_key}", response={200: MemberOut, **WRITE_ERRORS})
@api_access("member.manage")
def member_update(request: WorkspaceRequest, slug: str, member_key: str, payload: RoleIn):
    membership = selectors.member_get(workspace=request.workspace, key=member_key)
    services.membership_set_role(
        membership=membership, actor_membership=request.membership, role=payload.role
    )
    return _member_out(membership)


@router.delete("/workspaces/{slug}/members/{member_key}", response={204: None, **WRITE_ERRORS})
@api_access("member.manage")
def member_remove(request: WorkspaceRequest, slug: str, member_key: str):
    membership = selectors.member_get(workspace=request.workspace, key=member_key)
    services.membership_remove(membership=membership, actor_membership=request.membership)
    return Status(204, None)


@router.get("/workspaces/{slug}/invitations", response={200: InvitationPage, **ERRORS})
@api_access("member.manage")
def invitation_list(request: WorkspaceRequest, slug: str, page: Query[PageQuery]):
    result = paginate(
        selectors.invitation_list_pending(workspace=request.workspace),
        cursor=page.cursor,
        limit=page.limit,
    )
    return result.as_dict(
        lambda i: {"key": i.key, "email": i.email, "role": i.role, "expires_at": i.expires_at},
    )


@router.post("/workspaces/{slug}/invitations", response={201: InvitationOut, **WRITE_ERRORS})
@api_access("member.manage")
def invitation_create(request: WorkspaceRequest, slug: str, payload: InvitationIn):
    from django.urls import reverse

    invitation, token = services.invitation_create(
        workspace=request.workspace,
        actor_membership=request.membership,
        email=payload.email,
        role=payload.role,
    )
    url = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
    services.invitation_send(invitation=invitation, accept_url=url)
    return Status(
        201,
        {
            "key": invitation.key,
            "email": invitation.email,
            "role": invitation.role,
            "expires_at": invitation.expires_at,
            "accept_url": url,
        },
    )


@router.delete(
    "/workspaces/{slug}/invitations/{invitation_key}", response={204: None, **WRITE_ERRORS}
)
@api_access("member.manage")
def invitation_revoke(request: WorkspaceRequest, slug: str, invitation_key: str):
    invitation = selectors.invitation_get(workspace=request.workspace, key=invitation_key)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    return Status(204, None)


# -- products -----------------------------------------------------------------------------


def _product_out(p) -> dict[str, Any]:
    return {
        "key": p.key,
        "name": p.name,
        "description": p.description,
        "created_at": p.created_at,
        "write_key": p.write_key,
        "allowed_origins": p.allowed_origins.split(),
    }


@router.get("/workspaces/{slug}/products", response={200: ProductPage, **ERRORS})
@api_access("workspace.view")
def product_list(request: WorkspaceRequest, slug: str, page: Query[PageQuery]):
    result = paginate(
        selectors.product_list(workspace=request.workspace), cursor=page.cursor, limit=page.limit
    )
    return result.as_dict(_product_out)


@router.post("/workspaces/{slug}/products", response={201: ProductOut, **WRITE_ERRORS})
@api_access("product.manage")
def product_create(request: WorkspaceRequest, slug: str, payload: ProductIn):
    product = services.product_create(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    return Status(201, _product_out(product))


@router.get("/workspaces/{slug}/products/{product_key}", response={200: ProductOut, **ERRORS})
@api_access("workspace.view")
def product_get(request: WorkspaceRequest, slug: str, product_key: str):
    return _product_out(selectors.product_get(workspace=request.workspace, key=product_key))


@router.patch(
    "/workspaces/{slug}/products/{product_key}", response={200: ProductOut, **WRITE_ERRORS}
)
@api_access("product.manage")
def product_update(request: WorkspaceRequest, slug: str, product_key: str, payload: ProductPatch):
    product = selectors.product_get(workspace=request.workspace, key=product_key)
    product = services.product_update(
        product=product,
        actor=request.user,
        name=product.name if payload.name is None else payload.name,
        description=product.description if payload.description is None else payload.description,
        allowed_origins=None
        if payload.allowed_origins is None
        else "\n".join(payload.allowed_origins),
    )
    return _product_out(product)


@router.delete("/workspaces/{slug}/products/{product_key}", response={204: None, **WRITE_ERRORS})
@api_access("product.manage")
def product_delete(request: WorkspaceRequest, slug: str, product_key: str):
    product = selectors.product_get(workspace=request.workspace, key=product_key)
    services.product_delete(product=product, actor=request.user, confirm_key=product.key)
    return Status(204, None)


# -- teams --------------------------------------------------------------------------------


@router.get("/workspaces/{slug}/teams", response={200: TeamPage, **ERRORS})
@api_access("team.view")
def team_list(request: WorkspaceRequest, slug: str, page: Query[PageQuery]):
    result = paginate(
        selectors.team_list(workspace=request.workspace)
        .select_related("workspace")
        .prefetch_related("members"),
        cursor=page.cursor,
        limit=page.limit,
    )
    return result.as_dict(_team_out)


@router.post("/workspaces/{slug}/teams", response={201: TeamOut, **WRITE_ERRORS})
@api_access("team.manage")
def team_create(request: WorkspaceRequest, slug: str, payload: TeamIn):
    data = payload.dict()
    team = services.team_create(
        workspace=request.workspace, actor=request.user, member_keys=data.pop("members"), **data
    )
    return Status(201, _team_out(team))


@router.get("/workspaces/{slug}/teams/{team_key}", response={200: TeamOut, **ERRORS})
@api_access("team.view")
def team_get(request: WorkspaceRequest, slug: str, team_key: str):
    return _team_out(selectors.team_get(workspace=request.workspace, key=team_key))


@router.patch("/workspaces/{slug}/teams/{team_key}", response={200: TeamOut, **WRITE_ERRORS})
@api_access("team.manage")
def team_update(request: WorkspaceRequest, slug: str, team_key: str, payload: TeamPatch):
    team = selectors.team_get(workspace=request.workspace, key=team_key)
    data = payload.dict(exclude_unset=True)
    team = services.team_update(
        team=team,
        actor=request.user,
        name=data.get("name", team.name) or "",
        description=data.get("description", team.description) or "",
        capacity_points=data.get("capacity_points", team.capacity_points),
        cost_per_week=data.get("cost_per_week", team.cost_per_week),
        member_keys=data.get("members"),
    )
    return _team_out(team)


@router.delete("/workspaces/{slug}/teams/{team_key}", response={204: None, **WRITE_ERRORS})
@api_access("team.manage")
def team_delete(request: WorkspaceRequest, slug: str, team_key: str):
    team = selectors.team_get(workspace=request.workspace, key=team_key)
    services.team_delete(team=team, actor=request.user)
    return Status(204, None)


# -- activity -----------------------------------------------------------------------------


@router.get("/workspaces/{slug}/activity", response={200: ActivityPage, **ERRORS})
@api_access("activity.view")
def activity_list_get(request: WorkspaceRequest, slug: str, page: Query[PageQuery]):
    result = paginate(
        activity_list(workspace=request.workspace),
        cursor=page.cursor,
        limit=page.limit,
        newest_first=True,
    )
    return result.as_dict(
        lambda e: {
            "actor": e.actor_label,
            "verb": e.verb,
            "target_type": e.target_type,
            "target_key": e.target_key,
            "target_label": e.target_label,
            "changes": e.changes,
            "created_at": e.created_at,
        },
    )
