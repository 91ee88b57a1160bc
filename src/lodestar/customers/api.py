"""API for companies and people, competitors and research notes.

No `from __future__ import annotations` (see lodestar/api.py)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from lodestar.core.markdown import render as render_markdown
from lodestar.core.pagination import paginate
from lodestar.customers import (
    market_selectors,
    market_services,
    research_services,
    selectors,
    services,
)
from lodestar.customers.market_schemas import (
    CapabilityIn,
    CapabilityOut,
    CompetitorDetail,
    CompetitorIn,
    CompetitorOut,
    CompetitorPage,
    CompetitorPatch,
    CompetitorQuery,
    HighlightIn,
    HighlightOut,
    NoteIn,
    NoteOut,
    NotePage,
    NotePatch,
    NoteQuery,
)
from lodestar.customers.models import Segment
from lodestar.planning.selectors import feature_get
from lodestar.workspaces.access import WorkspaceRequest, api_access
from lodestar.workspaces.api import ERRORS, WRITE_ERRORS

router = Router(tags=["customers"])


class CompanyQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    q: str = Field("", max_length=100)
    segment: Segment | None = None
    plan: str = Field("", max_length=60)
    arr_min: Decimal | None = Field(None, ge=0)
    arr_max: Decimal | None = Field(None, ge=0)
    order: str = Field("arr", pattern="^(arr|name|newest)$")


class CompanyIn(Schema):
    name: str = Field(..., max_length=200)
    domain: str = Field("", max_length=253)
    external_id: str = Field("", max_length=100)
    arr: str = Field("0", max_length=30, description='An amount: 48000, "1.2M", "45k".')
    plan: str = Field("", max_length=60)
    segment: str = Field("", max_length=20, description="smb, mid_market or enterprise")
    employees: int | None = Field(None, ge=0, le=10_000_000)
    owner_email: str = Field("", max_length=254)


class CompanyPatch(Schema):
    name: str | None = Field(None, max_length=200)
    domain: str | None = Field(None, max_length=253)
    external_id: str | None = Field(None, max_length=100)
    arr: str | None = Field(None, max_length=30)
    plan: str | None = Field(None, max_length=60)
    segment: str | None = Field(None, max_length=20)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    owner_email: str | None = Field(None, max_length=254)


class CompanyOut(Schema):
    key: str
    name: str
    domain: str
    external_id: str
    arr: Decimal
    currency: str
    plan: str
    segment: str
    employees: int | None
    owner_email: str | None
    created_at: datetime


class CompanyPage(Schema):
    items: list[CompanyOut]
    count: int
    next: str | None


class PeopleQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    q: str = Field("", max_length=100)


class PersonIn(Schema):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    title: str = Field("", max_length=120)
    external_id: str = Field("", max_length=100)
    company_domain: str = Field("", max_length=253)


class PersonPatch(Schema):
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    title: str | None = Field(None, max_length=120)
    external_id: str | None = Field(None, max_length=100)
    company_domain: str | None = Field(None, max_length=253)


class PersonOut(Schema):
    key: str
    name: str
    email: str
    title: str
    external_id: str
    company_key: str | None
    company_name: str | None


class PersonPage(Schema):
    items: list[PersonOut]
    count: int
    next: str | None


def _company_out(company) -> dict[str, Any]:
    return {
        "key": company.key,
        "name": company.name,
        "domain": company.domain,
        "external_id": company.external_id,
        "arr": company.arr,
        "currency": company.workspace.currency,
        "plan": company.plan,
        "segment": company.segment,
        "employees": company.employees,
        "owner_email": company.owner.user.email if company.owner else None,
        "created_at": company.created_at,
    }


def _person_out(person) -> dict[str, Any]:
    return {
        "key": person.key,
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "external_id": person.external_id,
        "company_key": person.company.key if person.company else None,
        "company_name": person.company.name if person.company else None,
    }


@router.get("/workspaces/{slug}/companies", response={200: CompanyPage, **ERRORS})
@api_access("customer.view")
def company_list(request: WorkspaceRequest, slug: str, query: Query[CompanyQuery]):
    queryset = selectors.company_list(
        workspace=request.workspace,
        q=query.q,
        segment=query.segment or "",
        plan=query.plan,
        arr_min=query.arr_min,
        arr_max=query.arr_max,
    ).select_related("workspace")
    page = paginate(
        queryset,
        cursor=query.cursor,
        limit=query.limit,
        order_by=selectors.COMPANY_ORDERS[query.order],
    )
    return page.as_dict(_company_out)


@router.post("/workspaces/{slug}/companies", response={201: CompanyOut, **WRITE_ERRORS})
@api_access("customer.manage")
def company_create(request: WorkspaceRequest, slug: str, payload: CompanyIn):
    company = services.company_create(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    return Status(201, _company_out(company))


@router.get("/workspaces/{slug}/companies/{company_key}", response={200: CompanyOut, **ERRORS})
@api_access("customer.view")
def company_get(request: WorkspaceRequest, slug: str, company_key: str):
    return _company_out(selectors.company_get(workspace=request.workspace, key=company_key))


@router.patch(
    "/workspaces/{slug}/companies/{company_key}", response={200: CompanyOut, **WRITE_ERRORS}
)
@api_access("customer.manage")
def company_update(request: WorkspaceRequest, slug: str, company_key: str, payload: CompanyPatch):
    company = selectors.company_get(workspace=request.workspace, key=company_key)
    company = services.company_update(
        company=company, actor=request.user, **payload.dict(exclude_unset=True)
    )
    return _company_out(company)


@router.delete("/workspaces/{slug}/companies/{company_key}", response={204: None, **WRITE_ERRORS})
@api_access("customer.manage")
def company_delete(request: WorkspaceRequest, slug: str, company_key: str):
    company = selectors.company_get(workspace=request.workspace, key=company_key)
    services.company_delete(company=company, actor=request.user)
    return Status(204, None)


@router.get("/workspaces/{slug}/people", response={200: PersonPage, **ERRORS})
@api_access("customer.view")
def person_list(request: WorkspaceRequest, slug: str, query: Query[PeopleQuery]):
    page = paginate(
        selectors.person_list(workspace=request.workspace, q=query.q),
        cursor=query.cursor,
        limit=query.limit,
        order_by="name",
    )
    return page.as_dict(_person_out)


@router.post("/workspaces/{slug}/people", response={201: PersonOut, **WRITE_ERRORS})
@api_access("customer.manage")
def person_create(request: WorkspaceRequest, slug: str, payload: PersonIn):
    person = services.person_create(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    return Status(201, _person_out(person))


@router.get("/workspaces/{slug}/people/{person_key}", response={200: PersonOut, **ERRORS})
@api_access("customer.view")
def person_get(request: WorkspaceRequest, slug: str, person_key: str):
    return _person_out(selectors.person_get(workspace=request.workspace, key=person_key))


@router.patch("/workspaces/{slug}/people/{person_key}", response={200: PersonOut, **WRITE_ERRORS})
@api_access("customer.manage")
def person_update(request: WorkspaceRequest, slug: str, person_key: str, payload: PersonPatch):
    person = selectors.person_get(workspace=request.workspace, key=person_key)
    person = services.person_update(
        person=person, actor=request.user, **payload.dict(exclude_unset=True)
    )
    return _person_out(person)


@router.delete("/workspaces/{slug}/people/{person_key}", response={204: None, **WRITE_ERRORS})
@api_access("customer.manage")
def person_delete(request: WorkspaceRequest, slug: str, person_key: str):
    person = selectors.person_get(workspace=request.workspace, key=person_key)
    services.person_delete(person=person, actor=request.user)
    return Status(204, None)


# -- competitors, the capability matrix, research notes ------------------------------------

MARKET = ["market"]


def _competitor_out(competitor) -> dict[str, Any]:
    return {
        "key": competitor.key,
        "name": competitor.name,
        "website": competitor.website,
        "description": competitor.description,
        "notes": competitor.notes,
        "created_at": competitor.created_at,
    }


def _capability_out(capability) -> dict[str, Any]:
    return {
        "feature_key": capability.feature.key,
        "feature_title": capability.feature.title,
        "level": capability.level,
        "note": capability.note,
        "source_url": capability.source_url,
        "updated_at": capability.updated_at,
    }


def _highlight_out(highlight) -> dict[str, Any]:
    return {
        "key": highlight.key,
        "quote": highlight.quote,
        "feedback_key": highlight.feedback.key if highlight.feedback else None,
        "created_at": highlight.created_at,
    }


def _note_summary(note) -> dict[str, Any]:
    return {
        "key": note.key,
        "kind": note.kind,
        "title": note.title,
        "date": note.date,
        "company_key": note.company.key if note.company else None,
        "company_name": note.company.name if note.company else None,
        "person_key": note.person.key if note.person else None,
        "author_email": note.author.email if note.author else None,
    }


def _note_out(note) -> dict[str, Any]:
    return {
        **_note_summary(note),
        "participants": note.participants,
        "member_emails": [m.user.email for m in note.members.select_related("user")],
        "person_email": note.person.email if note.person else None,
        "body": note.body,
        "body_html": str(render_markdown(note.body)),
        "highlights": [_highlight_out(h) for h in market_selectors.highlight_list(note=note)],
        "created_at": note.created_at,
        "updated_at": note.updated_at,
    }


@router.get("/workspaces/{slug}/competitors", response={200: CompetitorPage, **ERRORS}, tags=MARKET)
@api_access("market.view")
def competitor_list(request: WorkspaceRequest, slug: str, query: Query[CompetitorQuery]):
    page = paginate(
        market_selectors.competitor_list(workspace=request.workspace, q=query.q),
        cursor=query.cursor,
        limit=query.limit,
        order_by="name",
    )
    return page.as_dict(_competitor_out)


@router.post(
    "/workspaces/{slug}/competitors", response={201: CompetitorOut, **WRITE_ERRORS}, tags=MARKET
)
@api_access("market.manage")
def competitor_create(request: WorkspaceRequest, slug: str, payload: CompetitorIn):
    competitor = market_services.competitor_create(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    return Status(201, _competitor_out(competitor))


@router.get(
    "/workspaces/{slug}/competitors/{competitor_key}",
    response={200: CompetitorDetail, **ERRORS},
    tags=MARKET,
)
@api_access("market.view")
def competitor_get(request: WorkspaceRequest, slug: str, competitor_key: str):
    competitor = market_selectors.competitor_get(workspace=request.workspace, key=competitor_key)
    cells = competitor.capabilities.select_related("feature").order_by("feature__title", "pk")
    return {**_competitor_out(competitor), "capabilities": [_capability_out(c) for c in cells]}


@router.patch(
    "/workspaces/{slug}/competitors/{competitor_key}",
    response={200: CompetitorOut, **WRITE_ERRORS},
    tags=MARKET,
)
@api_access("market.manage")
def competitor_update(
    request: WorkspaceRequest, slug: str, competitor_key: str, payload: CompetitorPatch
):
    competitor = market_selectors.competitor_get(workspace=request.workspace, key=competitor_key)
    competitor = market_services.competitor_update(
        competitor=competitor, actor=request.user, **payload.dict(exclude_unset=True)
    )
    return _competitor_out(competitor)


@router.delete(
    "/workspaces/{slug}/competitors/{competitor_key}",
    response={204: None, **WRITE_ERRORS},
    tags=MARKET,
)
@api_access("market.manage")
def competitor_delete(request: WorkspaceRequest, slug: str, competitor_key: str):
    competitor = market_selectors.competitor_get(workspace=request.workspace, key=competitor_key)
    market_services.competitor_delete(competitor=competitor, actor=request.user)
    return Status(204, None)


@router.put(
    "/workspaces/{slug}/competitors/{competitor_key}/capabilities/{feature_key}",
    response={200: CapabilityOut, 204: None, **WRITE_ERRORS},
    tags=MARKET,
)
@api_access("market.manage")
def capability_set(
    request: WorkspaceRequest,
    slug: str,
    competitor_key: str,
    feature_key: str,
    payload: CapabilityIn,
):
    """Set one cell of the capability matrix; `level: null` clears it (answers 204)."""
    competitor = market_selectors.competitor_get(workspace=request.workspace, key=competitor_key)
    feature = feature_get(workspace=request.workspace, key=feature_key)
    capability = market_services.capability_set(
        competitor=competitor,
        feature=feature,
        actor=request.user,
        level=payload.level or "",
        note=payload.note,
        source_url=payload.source_url,
    )
    return Status(204, None) if capability is None else _capability_out(capability)


@router.get("/workspaces/{slug}/research-notes", response={200: NotePage, **ERRORS}, tags=MARKET)
@api_access("market.view")
def note_list(request: WorkspaceRequest, slug: str, query: Query[NoteQuery]):
    rows = market_selectors.research_note_list(
        workspace=request.workspace,
        q=query.q,
        kind=query.kind or "",
        company_key=query.company_key,
    )
    page = paginate(rows, cursor=query.cursor, limit=query.limit, order_by="-day")
    return page.as_dict(_note_summary)


@router.post(
    "/workspaces/{slug}/research-notes", response={201: NoteOut, **WRITE_ERRORS}, tags=MARKET
)
@api_access("research.write")
def note_create(request: WorkspaceRequest, slug: str, payload: NoteIn):
    note = research_services.note_create(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    return Status(201, _note_out(note))


@router.get(
    "/workspaces/{slug}/research-notes/{note_key}", response={200: NoteOut, **ERRORS}, tags=MARKET
)
@api_access("market.view")
def note_get(request: WorkspaceRequest, slug: str, note_key: str):
    return _note_out(market_selectors.research_note_get(workspace=request.workspace, key=note_key))


@router.patch(
    "/workspaces/{slug}/research-notes/{note_key}",
    response={200: NoteOut, **WRITE_ERRORS},
    tags=MARKET,
)
@api_access("research.write")
def note_update(request: WorkspaceRequest, slug: str, note_key: str, payload: NotePatch):
    note = market_selectors.research_note_get(workspace=request.workspace, key=note_key)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    note = research_services.note_update(note=note, actor=request.user, **values)
    return _note_out(note)


@router.delete(
    "/workspaces/{slug}/research-notes/{note_key}",
    response={204: None, **WRITE_ERRORS},
    tags=MARKET,
)
@api_access("research.write")
def note_delete(request: WorkspaceRequest, slug: str, note_key: str):
    note = market_selectors.research_note_get(workspace=request.workspace, key=note_key)
    research_services.note_delete(note=note, actor=request.user)
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/research-notes/{note_key}/highlights",
    response={201: HighlightOut, **WRITE_ERRORS},
    tags=MARKET,
)
@api_access("research.write")
def highlight_create(request: WorkspaceRequest, slug: str, note_key: str, payload: HighlightIn):
    """Turn a quote from the note into feedback (source: research note)."""
    note = market_selectors.research_note_get(workspace=request.workspace, key=note_key)
    highlight = research_services.highlight_create(note=note, actor=request.user, **payload.dict())
    return Status(201, _highlight_out(highlight))
