"""API schemas for competitors, the capability matrix and research notes (used by
customers/api.py). No `from __future__ import annotations`: ninja reads these annotations."""

import datetime as dt

from ninja import Field, Schema

from lodestar.customers.market_models import Level, NoteKind


class CompetitorQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    q: str = Field("", max_length=100)


class CompetitorIn(Schema):
    name: str = Field(..., max_length=120)
    website: str = Field("", max_length=300, description="An http(s) address.")
    description: str = Field("", max_length=500)
    notes: str = Field("", max_length=50_000, description="Markdown.")


class CompetitorPatch(Schema):
    name: str | None = Field(None, max_length=120)
    website: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=500)
    notes: str | None = Field(None, max_length=50_000)


class CapabilityOut(Schema):
    feature_key: str
    feature_title: str
    level: Level
    note: str
    source_url: str
    updated_at: dt.datetime


class CompetitorOut(Schema):
    key: str
    name: str
    website: str
    description: str
    notes: str
    created_at: dt.datetime


class CompetitorDetail(CompetitorOut):
    capabilities: list[CapabilityOut]


class CompetitorPage(Schema):
    items: list[CompetitorOut]
    count: int
    next: str | None


class CapabilityIn(Schema):
    level: Level | None = Field(
        None, description="has, partial or none; null clears the cell (not assessed)."
    )
    note: str = Field("", max_length=500)
    source_url: str = Field("", max_length=500, description="An http(s) address.")


class NoteQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    q: str = Field("", max_length=100)
    kind: NoteKind | None = None
    company_key: str = Field("", max_length=16)


class NoteIn(Schema):
    kind: NoteKind = NoteKind.INTERVIEW
    title: str = Field(..., max_length=200)
    date: dt.date
    participants: str = Field("", max_length=500)
    member_emails: list[str] = Field(default_factory=list, max_length=20)
    company_domain: str = Field("", max_length=253)
    person_email: str = Field("", max_length=254)
    body: str = Field(..., max_length=50_000, description="Markdown.")


class NotePatch(Schema):
    kind: NoteKind | None = None
    title: str | None = Field(None, max_length=200)
    date: dt.date | None = None
    participants: str | None = Field(None, max_length=500)
    member_emails: list[str] | None = Field(None, max_length=20)
    company_domain: str | None = Field(None, max_length=253)
    person_email: str | None = Field(None, max_length=254)
    body: str | None = Field(None, max_length=50_000)


class HighlightOut(Schema):
    key: str
    quote: str
    feedback_key: str | None
    created_at: dt.datetime


class NoteOut(Schema):
    key: str
    kind: NoteKind
    title: str
    date: dt.date
    participants: str
    member_emails: list[str]
    company_key: str | None
    company_name: str | None
    person_key: str | None
    person_email: str | None
    author_email: str | None
    body: str
    body_html: str = Field(..., description="The body rendered and sanitized.")
    highlights: list[HighlightOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class NoteSummary(Schema):
    key: str
    kind: NoteKind
    title: str
    date: dt.date
    company_key: str | None
    company_name: str | None
    person_key: str | None
    author_email: str | None


class NotePage(Schema):
    items: list[NoteSummary]
    count: int
    next: str | None


class HighlightIn(Schema):
    quote: str = Field(..., max_length=10_000, description="Words from the note.")
    product_key: str = Field("", max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=10)
