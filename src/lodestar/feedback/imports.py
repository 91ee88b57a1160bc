"""Feedback as a CSV import kind (see lodestar.imports): a support-tool or survey export.

Rows match earlier imports by external id (the ticket id) when the file has one, else by a
fingerprint of the text, the author's email and the day, so importing a file twice adds
nothing. Authors are linked to People by email and companies by domain; an email nobody has
is kept off the feedback, but its domain still finds the company."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from lodestar.customers.models import Company, Person
from lodestar.customers.services import normalize_domain
from lodestar.feedback.models import MAX_TEXT, Feedback, Source
from lodestar.feedback.search import fold
from lodestar.imports.engine import Row, chunked
from lodestar.imports.kinds import Field, ImportKind, register
from lodestar.workspaces.models import Product, Workspace

_SOURCES = {
    **{s.value: s.value for s in Source},
    **{s.label.lower(): s.value for s in Source},
    "ticket": Source.SUPPORT,
    "zendesk": Source.SUPPORT,
    "intercom": Source.SUPPORT,
    "call": Source.SALES,
    "survey": Source.IMPORT,
    "nps": Source.IMPORT,
}


def _when(raw: str) -> datetime | None:
    """'2026-03-14', '2026-03-14 09:30' or ISO 8601 -> an aware datetime (UTC when naive)."""
    raw = raw.strip()
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = datetime.combine(day, time(12, 0)) if day else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


@register
class FeedbackImport(ImportKind):
    name = "feedback"
    label = "Feedback"
    noun = "feedback"
    model = Feedback
    match_fields = ("external_id", "fingerprint")
    required = (("text",),)
    derived = {"fingerprint": "An identical row (same text, email and day)"}
    fields = (
        Field("text", "Text", ("feedback", "comment", "message", "body", "description",
                               "request", "what they said", "verbatim", "note")),
        Field("person_email", "Email", ("email", "e-mail", "author", "author email",
                                        "requester", "requester email", "customer email",
                                        "from", "contact email")),
        Field("company_domain", "Company domain", ("domain", "website", "company website",
                                                   "account domain")),
        Field("source", "Source", ("channel", "via", "origin"),
              "support, sales, email, widget…; empty: CSV import."),
        Field("product_key", "Product", ("product", "product key", "app")),
        Field("received_at", "Received", ("date", "created", "created at", "submitted",
                                          "submitted at", "received", "timestamp"),
              "2026-03-14 or 2026-03-14 09:30 (UTC unless the value says otherwise)."),
        Field("external_id", "External id", ("id", "ticket id", "ticket", "case id",
                                             "response id", "external"),
              "The id in the tool it came from. Re-imports match on it."),
    )  # fmt: skip

    def clean(self, raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        text = (raw.get("text") or "").strip()
        if not text:
            errors["text"] = ["Feedback needs some text."]
        elif len(text) > MAX_TEXT:
            errors["text"] = [f"Use at most {MAX_TEXT:,} characters (got {len(text):,})."]
        elif "\x00" in text:
            errors["text"] = ["Null characters are not allowed."]
        values["text"] = text
        values["search_text"] = fold(text)  # the engine bulk-writes, skipping Feedback.save()
        email = (raw.get("person_email") or "").strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["person_email"] = [f"{raw['person_email']!r} is not an email address."]
        values["person_email"] = email
        values["company_domain"] = normalize_domain(raw.get("company_domain") or "")
        source = (raw.get("source") or "").strip().lower()
        if source and source not in _SOURCES:
            errors["source"] = [f"{raw['source']!r} is not a source ({', '.join(Source.values)})."]
        values["source"] = _SOURCES.get(source, Source.IMPORT)
        values["product_key"] = (raw.get("product_key") or "").strip().lower()
        when = raw.get("received_at") or ""
        if when.strip():
            moment = _when(when)
            if moment is None:
                errors["received_at"] = [f"{when!r} is not a date like 2026-03-14."]
            values["received_at"] = moment
        external = (raw.get("external_id") or "").strip()
        if len(external) > 100:
            errors["external_id"] = ["Use at most 100 characters."]
        values["external_id"] = external
        if not external:
            day = values.get("received_at")
            basis = f"{text}\n{email}\n{day.date().isoformat() if day else ''}"
            values["fingerprint"] = hashlib.sha256(basis.encode()).hexdigest()
        else:
            values["fingerprint"] = ""
        if values.get("received_at") is None:
            values.pop("received_at", None)  # the model's default: now
        return values, errors

    def resolve(self, workspace: Workspace, rows: list[Row]) -> None:
        """Emails -> people, domains -> companies, product keys -> products; batched."""
        emails = sorted({r.values["person_email"] for r in rows if r.values.get("person_email")})
        domains = {r.values["company_domain"] for r in rows if r.values.get("company_domain")}
        domains |= {e.split("@", 1)[1] for e in emails}
        people: dict[str, tuple[int, int | None]] = {}
        for chunk in chunked(emails):
            people.update(
                {
                    p.email: (p.pk, p.company_id)
                    for p in Person.objects.filter(workspace=workspace, email__in=chunk)
                }
            )
        companies: dict[str, int] = {}
        for chunk in chunked(sorted(domains)):
            companies.update(
                Company.objects.filter(workspace=workspace, domain__in=chunk).values_list(
                    "domain", "id"
                )
            )
        products = dict(Product.objects.filter(workspace=workspace).values_list("key", "id"))
        for row in rows:
            email = row.values.pop("person_email", "")
            domain = row.values.pop("company_domain", "")
            key = row.values.pop("product_key", "")
            person_id, person_company = people.get(email, (None, None))
            row.values["person_id"] = person_id
            if domain and domain not in companies:
                row.fail("company_domain", f"No company with domain {domain!r}.")
            company = companies.get(domain) if domain else None
            row.values["company_id"] = (
                company
                or person_company
                or (companies.get(email.split("@", 1)[1]) if email else None)
            )
            if key and key not in products:
                row.fail("product_key", f"No product with key {key!r}.")
            row.values["product_id"] = products.get(key)
