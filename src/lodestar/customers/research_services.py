"""Writes for research notes, and their highlights: a quote from a note becomes feedback."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

from django.db import transaction

from lodestar.activity.services import activity_record, diff, record_delete
from lodestar.core.errors import Invalid
from lodestar.core.markdown import render
from lodestar.customers.market_models import MAX_BODY, Highlight, NoteKind, ResearchNote
from lodestar.customers.market_services import clean_text
from lodestar.customers.models import Company, Person
from lodestar.customers.services import normalize_domain
from lodestar.feedback.models import MAX_TEXT, Source
from lodestar.workspaces.models import Membership, Workspace

MAX_MEMBERS = 20
_BLOCKS = {"p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "pre", "hr",
           "blockquote", "ul", "ol", "table"}  # fmt: skip


def note_values(
    workspace: Workspace, data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean note fields from raw input; (values, errors). Absent keys are left out.

    `company_domain` and `person_email` name the company and person (as the rest of Listen
    does); a person without a company given brings their own."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "kind" in data:
        kind = str(data.get("kind") or "").strip()
        if kind not in NoteKind.values:
            errors["kind"] = [f"Use one of {', '.join(NoteKind.values)}."]
        values["kind"] = kind
    if "title" in data:
        values["title"] = " ".join(clean_text(data, "title", 200, errors).split())
        if not values["title"] and "title" not in errors:
            errors["title"] = ["A note needs a title."]
    if "date" in data:
        values["date"] = _date(data.get("date"), errors)
    if "participants" in data:
        values["participants"] = clean_text(data, "participants", 500, errors)
    if "body" in data:
        values["body"] = clean_text(data, "body", MAX_BODY, errors)
        if not values["body"] and "body" not in errors:
            errors["body"] = ["Write what you heard or found: the note is empty."]
    if "member_emails" in data:
        values["members"] = _members(workspace, data.get("member_emails"), errors)
    if "company_domain" in data:
        values["company"] = _company(workspace, data.get("company_domain"), errors)
    if "person_email" in data:
        values["person"] = _person(workspace, data.get("person_email"), errors)
        person = values["person"]
        if person is not None and person.company and values.get("company") is None:
            values["company"] = person.company
    return values, errors


def _date(raw: Any, errors: dict[str, list[str]]) -> date | None:
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        problem = f"{text[:40]!r} is not a date like 2026-03-14." if text else "When was it?"
        errors["date"] = [problem]
        return None


def _members(workspace: Workspace, raw: Any, errors: dict[str, list[str]]) -> list[Membership]:
    items = re.split(r"[,;\s]+", raw) if isinstance(raw, str) else list(raw or [])
    emails = list(dict.fromkeys(str(e).strip().lower() for e in items if str(e).strip()))
    if len(emails) > MAX_MEMBERS:
        errors["member_emails"] = [f"Name at most {MAX_MEMBERS} colleagues."]
        return []
    found = {
        m.user.email: m
        for m in Membership.objects.select_related("user").filter(
            workspace=workspace, user__email__in=emails
        )
    }
    missing = [e for e in emails if e not in found]
    if missing:
        errors["member_emails"] = [f"Not members of this workspace: {', '.join(missing)[:200]}."]
    return [found[e] for e in emails if e in found]


def _company(workspace: Workspace, raw: Any, errors: dict[str, list[str]]) -> Company | None:
    domain = normalize_domain(str(raw or ""))
    if not domain:
        return None
    company = Company.objects.filter(workspace=workspace, domain=domain).first()
    if company is None:
        errors["company_domain"] = [f"No company with domain {domain!r}."]
    return company


def _person(workspace: Workspace, raw: Any, errors: dict[str, list[str]]) -> Person | None:
    email = str(raw or "").strip().lower()
    if not email:
        return None
    person = Person.objects.select_related("company").filter(workspace=workspace, email=email)
    found = person.first()
    if found is None:
        errors["person_email"] = [f"No person with email {email!r}: add them under People first."]
    return found


def _save(note: ResearchNote, values: dict[str, Any]) -> dict[str, list]:
    """Set the values on `note`, save it and its colleagues; return what changed."""
    members = values.pop("members", None)
    before = {name: getattr(note, name) for name in values}
    for name, value in values.items():
        setattr(note, name, value)
    note.save()
    changes = diff(
        {k: str(v) if v is not None else None for k, v in before.items()},
        {k: str(v) if v is not None else None for k, v in values.items()},
    )
    if "body" in changes:  # the log says the body changed; it does not copy it
        changes["body"] = ["…", "…"]
    if members is not None:
        old = sorted(m.user.email for m in note.members.select_related("user"))
        new = sorted(m.user.email for m in members)
        if old != new:
            note.members.set(members)
            changes["members"] = [", ".join(old), ", ".join(new)]
    return changes


def note_create(*, workspace: Workspace, actor, **data) -> ResearchNote:
    values, errors = note_values(workspace, {"title": "", "body": "", **data})
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        note = ResearchNote(workspace=workspace, author=actor)
        _save(note, values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="wrote",
            target_type="research note",
            target_key=note.key,
            target_label=note.title,
        )
    return note


def note_update(*, note: ResearchNote, actor, **data) -> ResearchNote:
    values, errors = note_values(note.workspace, data)
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        changes = _save(note, values)
        if changes:
            activity_record(
                workspace=note.workspace,
                actor=actor,
                verb="updated",
                target_type="research note",
                target_key=note.key,
                target_label=note.title,
                changes=changes,
            )
    return note


def note_delete(*, note: ResearchNote, actor) -> None:
    """The note and its highlights go; the feedback they became stays, with its text."""
    with transaction.atomic():
        record_delete(note, actor=actor, target_type="research note")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def _normalized(text: str) -> str:
    return " ".join(text.split())


def note_text(body: str) -> str:
    """The words a reader sees on the note's page (the rendered markdown, without tags)."""
    parser = _Text()
    parser.feed(render(body))
    parser.close()
    return _normalized("".join(parser.parts))


def highlight_create(
    *, note: ResearchNote, actor, quote: str, product_key: str = "", tags: str | list[str] = ""
) -> Highlight:
    """Turn a quote from `note` into feedback (source: research note) from the note's person
    and company. The quote must be words of the note as its page shows them (or as its
    markdown source has them)."""
    from lodestar.feedback.services import feedback_create

    quote = _normalized(quote or "")
    if not quote:
        raise Invalid(fields={"quote": ["Select the words to turn into feedback."]})
    if "\x00" in quote:
        raise Invalid(fields={"quote": ["Null characters are not allowed."]})
    if len(quote) > MAX_TEXT:
        raise Invalid(fields={"quote": [f"Quote at most {MAX_TEXT:,} characters."]})
    if quote not in note_text(note.body) and quote not in _normalized(note.body):
        raise Invalid(fields={"quote": ["The quote must be words from this note."]})
    person, company = note.person, note.company
    with transaction.atomic():
        feedback = feedback_create(
            workspace=note.workspace,
            actor=actor,
            text=quote,
            source=Source.RESEARCH,
            person=person,
            company=company,
            product_key=product_key,
            tags=tags,
        )
        highlight = Highlight.objects.create(
            note=note, quote=quote, feedback=feedback, created_by=actor
        )
        activity_record(
            workspace=note.workspace,
            actor=actor,
            verb="turned a highlight into feedback from",
            target_type="research note",
            target_key=note.key,
            target_label=note.title,
            changes={"quote": [None, quote[:200]]},
        )
    return highlight
