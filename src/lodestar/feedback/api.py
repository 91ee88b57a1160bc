"""API for feedback. No `from __future__ import annotations` (see lodestar/api.py)."""

from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from lodestar.core.pagination import paginate
from lodestar.feedback import selectors, services
from lodestar.feedback.models import MAX_TEXT, Source
from lodestar.feedback.models import Status as FeedbackStatus
from lodestar.workspaces.access import WorkspaceRequest, api_access
from lodestar.workspaces.api import ERRORS, WRITE_ERRORS

router = Router(tags=["feedback"])


class FeedbackQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    status: FeedbackStatus | None = None
    tag: str = Field("", max_length=40)
    q: str = Field(
        "",
        max_length=100,
        description='Search: words (each a word start), "a phrase", -word, company:name, '
        "tag:name; the same results on every database (docs/listen-inbox.md).",
    )


class FeedbackIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)
    source: Source = Source.API
    person_email: str = Field("", max_length=254)
    company_domain: str = Field("", max_length=253)
    product_key: str = Field("", max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=10)


class TriageIn(Schema):
    status: FeedbackStatus | None = None
    assignee_email: str | None = Field(None, max_length=254)
    tags: list[str] | None = Field(None, max_length=10)


class FeedbackOut(Schema):
    key: str
    text: str
    status: str
    source: str
    product_key: str | None
    person_email: str | None
    company_key: str | None
    company_name: str | None
    assignee_email: str | None
    tags: list[str]
    received_at: datetime


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    count: int
    next: str | None


def _out(f) -> dict[str, Any]:
    return {
        "key": f.key,
        "text": f.text,
        "status": f.status,
        "source": f.source,
        "product_key": f.product.key if f.product else None,
        "person_email": (f.person.email or None) if f.person else None,
        "company_key": f.company.key if f.company else None,
        "company_name": f.company.name if f.company else None,
        "assignee_email": f.assignee.user.email if f.assignee else None,
        "tags": sorted(t.name for t in f.tags.all()),
        "received_at": f.received_at,
    }


@router.get("/workspaces/{slug}/feedback", response={200: FeedbackPage, **ERRORS})
@api_access("feedback.view")
def feedback_list(request: WorkspaceRequest, slug: str, query: Query[FeedbackQuery]):
    rows = selectors.feedback_list(
        workspace=request.workspace, status=query.status or "", tag=query.tag, q=query.q
    ).prefetch_related("tags")
    page = paginate(rows, cursor=query.cursor, limit=query.limit, newest_first=True)
    return page.as_dict(_out)


@router.post("/workspaces/{slug}/feedback", response={201: FeedbackOut, **WRITE_ERRORS})
@api_access("feedback.create")
def feedback_create(request: WorkspaceRequest, slug: str, payload: FeedbackIn):
    feedback = services.feedback_create(
        workspace=request.workspace, actor=request.user, **payload.dict()
    )
    return Status(201, _out(feedback))


@router.get("/workspaces/{slug}/feedback/{feedback_key}", response={200: FeedbackOut, **ERRORS})
@api_access("feedback.view")
def feedback_get(request: WorkspaceRequest, slug: str, feedback_key: str):
    return _out(selectors.feedback_get(workspace=request.workspace, key=feedback_key))


@router.patch(
    "/workspaces/{slug}/feedback/{feedback_key}", response={200: FeedbackOut, **WRITE_ERRORS}
)
@api_access("feedback.triage")
def feedback_update(request: WorkspaceRequest, slug: str, feedback_key: str, payload: TriageIn):
    feedback = selectors.feedback_get(workspace=request.workspace, key=feedback_key)
    services.feedback_triage(
        feedback=feedback, actor=request.user, **payload.dict(exclude_unset=True)
    )
    return _out(selectors.feedback_get(workspace=request.workspace, key=feedback_key))
