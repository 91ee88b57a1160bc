"""Writes for companies and people.

`company_values` / `person_values` turn raw input (a form, a JSON body, a CSV row) into
clean field values and per-field errors; the create/update services and the CSV importer all
go through them, so a value the form refuses is refused by the import too.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from lodestar.activity.services import activity_record, diff, record_delete, record_update
from lodestar.core.errors import Invalid
from lodestar.customers.models import Company, Person, Segment
from lodestar.workspaces.models import Membership, Workspace

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SEGMENT_ALIASES = {
    **{s.value: s.value for s in Segment},
    **{s.label.lower(): s.value for s in Segment},
    "mid market": Segment.MID_MARKET,
    "midmarket": Segment.MID_MARKET,
    "mm": Segment.MID_MARKET,
    "ent": Segment.ENTERPRISE,
    "small business": Segment.SMB,
}
COMPANY_FIELDS = ("name", "domain", "external_id", "arr", "plan", "segment", "employees")
PERSON_FIELDS = ("name", "email", "title", "external_id", "company_domain")


def normalize_domain(value: str) -> str:
    """'https://www.Acme.com/about' -> 'acme.com'."""
    value = (value or "").strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    return value.removeprefix("www.").rstrip(".")


def _text(data: dict[str, Any], name: str, limit: int, errors: dict[str, list[str]]) -> str:
    value = str(data.get(name) or "").strip()
    if "\x00" in value:
        errors[name] = ["Null characters are not allowed."]
    elif len(value) > limit:
        errors[name] = [f"Use at most {limit} characters (got {len(value)})."]
    return value


_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?[kKmM]?$")


def _money(raw: Any) -> Decimal:
    """'$1,250,000.50', '1 250 000', '1.2M', '45k' -> Decimal. ValueError otherwise.

    A comma is a thousands separator only in groups of three ('1,250,000'); '1,5' or '1,2M'
    (a decimal comma) is refused rather than misread as 15 or 12M."""
    text = str(raw).strip().replace(" ", "").replace("_", "").replace("\u00a0", "")
    text = text.lstrip("$€£¥")
    if "," in text:
        if not _GROUPED.match(text):
            raise ValueError
        text = text.replace(",", "")
    scale = {"k": Decimal(1_000), "m": Decimal(1_000_000)}.get(text[-1:].lower(), Decimal(1))
    if scale != 1:
        text = text[:-1]
    try:
        value = Decimal(text) * scale
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ValueError
    return value.quantize(Decimal("0.01"))


def company_values(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean company fields from raw input; (values, errors). Absent keys are left out, so
    a partial update changes only what it names."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = _text(data, "name", 200, errors)
        if not values["name"] and "name" not in errors:
            errors["name"] = ["A company needs a name."]
    if "domain" in data:
        domain = normalize_domain(_text(data, "domain", 253, errors))
        if domain and not _DOMAIN.match(domain):
            errors["domain"] = [f"{data['domain']!r} is not a domain like acme.com."]
        values["domain"] = domain
    if "external_id" in data:
        values["external_id"] = _text(data, "external_id", 100, errors)
    if "plan" in data:
        values["plan"] = _text(data, "plan", 60, errors)
    if "arr" in data:
        raw = data["arr"]
        if raw in (None, ""):
            values["arr"] = Decimal(0)
        else:
            try:
                values["arr"] = _money(raw)
            except ValueError:
                errors["arr"] = [f"{raw!r} is not an amount like 48000 or 1.2M."]
    if "segment" in data:
        raw = str(data.get("segment") or "").strip().lower()
        if raw and raw not in _SEGMENT_ALIASES:
            labels = ", ".join(s.label for s in Segment)
            errors["segment"] = [f"{data['segment']!r} is not a segment ({labels})."]
        values["segment"] = _SEGMENT_ALIASES.get(raw, "")
    if "employees" in data:
        raw = data["employees"]
        if raw in (None, ""):
            values["employees"] = None
        else:
            try:
                number = int(str(raw).replace(",", "").strip())
                if number < 0 or number > 10_000_000:
                    raise ValueError
                values["employees"] = number
            except ValueError:
                errors["employees"] = [f"{raw!r} is not a number of employees."]
    return values, errors


def person_values(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = _text(data, "name", 200, errors)
    if "email" in data:
        email = _text(data, "email", 254, errors).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = [f"{data['email']!r} is not an email address."]
        values["email"] = email
    if "title" in data:
        values["title"] = _text(data, "title", 120, errors)
    if "external_id" in data:
        values["external_id"] = _text(data, "external_id", 100, errors)
    if "company_domain" in data:
        values["company_domain"] = normalize_domain(_text(data, "company_domain", 253, errors))
    named = values.get("name") or values.get("email")
    if not named and "name" not in errors and ("name" in data or "email" in data):
        errors["name"] = ["A person needs a name or an email."]
    return values, errors


def _unique_conflicts(model, workspace: Workspace, values: dict[str, Any], exclude_pk=None):
    errors: dict[str, list[str]] = {}
    for field in ("domain", "email", "external_id"):
        value = values.get(field)
        if not value or not hasattr(model, field):
            continue
        clash = model.objects.filter(workspace=workspace, **{field: value})
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors[field] = [f"Another {model._meta.verbose_name} already has {value!r}."]
    return errors


def _owner(workspace: Workspace, owner_email: str | None) -> Membership | None:
    email = (owner_email or "").strip().lower()
    if not email:
        return None
    owner = (
        Membership.objects.select_related("user")
        .filter(workspace=workspace, user__email=email)
        .first()
    )
    if owner is None:
        raise Invalid(fields={"owner_email": [f"{email} is not a member of this workspace."]})
    return owner


def company_create(
    *, workspace: Workspace, actor, owner_email: str | None = None, **data
) -> Company:
    values, errors = company_values({"name": "", **data})
    errors.update(_unique_conflicts(Company, workspace, values))
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        company = Company.objects.create(
            workspace=workspace, owner=_owner(workspace, owner_email), **values
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="company",
            target_key=company.key,
            target_label=company.name,
        )
    return company


def company_update(*, company: Company, actor, owner_email: str | None = None, **data) -> Company:
    values, errors = company_values(data)
    errors.update(_unique_conflicts(Company, company.workspace, values, exclude_pk=company.pk))
    if errors:
        raise Invalid(fields=errors)
    # None leaves the owner as is (a partial update); "" clears it.
    owner = company.owner if owner_email is None else _owner(company.workspace, owner_email)
    before = {name: getattr(company, name) for name in values}
    before["owner"] = company.owner.user.email if company.owner else None
    with transaction.atomic():
        for name, value in values.items():
            setattr(company, name, value)
        company.owner = owner
        company.save()
        after = {**values, "owner": owner.user.email if owner else None}
        if changes := diff(before, after):
            activity_record(
                workspace=company.workspace,
                actor=actor,
                verb="updated",
                target_type="company",
                target_key=company.key,
                target_label=company.name,
                changes=changes,
            )
    return company


def company_delete(*, company: Company, actor) -> None:
    with transaction.atomic():
        record_delete(company, actor=actor, target_type="company")


def _company_by_domain(workspace: Workspace, domain: str) -> Company | None:
    if not domain:
        return None
    company = Company.objects.filter(workspace=workspace, domain=domain).first()
    if company is None:
        raise Invalid(fields={"company_domain": [f"No company with domain {domain!r}."]})
    return company


def person_create(*, workspace: Workspace, actor, **data) -> Person:
    values, errors = person_values({"name": "", "email": "", **data})
    errors.update(_unique_conflicts(Person, workspace, values))
    if errors:
        raise Invalid(fields=errors)
    company = _company_by_domain(workspace, values.pop("company_domain", ""))
    with transaction.atomic():
        person = Person.objects.create(workspace=workspace, company=company, **values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="person",
            target_key=person.key,
            target_label=str(person),
        )
    return person


def person_update(*, person: Person, actor, **data) -> Person:
    values, errors = person_values(data)
    errors.update(_unique_conflicts(Person, person.workspace, values, exclude_pk=person.pk))
    if errors:
        raise Invalid(fields=errors)
    if "company_domain" in values:
        person.company = _company_by_domain(person.workspace, values.pop("company_domain"))
    with transaction.atomic():
        record_update(person, actor=actor, values=values, target_type="person")
    return person


def person_delete(*, person: Person, actor) -> None:
    with transaction.atomic():
        record_delete(person, actor=actor, target_type="person")
