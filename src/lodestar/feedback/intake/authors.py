"""Who sent it: the person with that email in the workspace (added to People when new, with
the company whose domain the address is at)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from lodestar.core.errors import Invalid
from lodestar.customers.models import Company, Person
from lodestar.customers.services import normalize_domain, person_create, person_update
from lodestar.workspaces.models import Workspace


def clean_email(value: str, *, field: str = "email") -> str:
    """Lower-cased and validated; Invalid(field) names the bad address."""
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(fields={field: [f"{value[:100]!r} is not an email address."]}) from None
    return email


def company_for_email(workspace: Workspace, email: str) -> Company | None:
    """The company at the address's domain, or at a parent domain: ann@eu.northwind.com
    belongs to northwind.com when no company has eu.northwind.com."""
    labels = normalize_domain(email.rpartition("@")[2]).split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    found = {
        c.domain: c for c in Company.objects.filter(workspace=workspace, domain__in=candidates)
    }
    return next((found[d] for d in candidates if d in found), None)


def person_for(*, workspace: Workspace, email: str, name: str = "") -> Person:
    """The person with this (valid, lower-cased) email; a new one is created with the name
    and company. A person without a name gets the one given."""
    name = " ".join((name or "").split())[:200]
    person = Person.objects.filter(workspace=workspace, email=email).first()
    if person is not None:
        if name and not person.name:
            person_update(person=person, actor=None, name=name)
        return person
    company = company_for_email(workspace, email)
    try:
        with transaction.atomic():
            return person_create(
                workspace=workspace,
                actor=None,
                name=name,
                email=email,
                company_domain=company.domain if company else "",
            )
    except (Invalid, IntegrityError):  # created meanwhile by a concurrent request
        person = Person.objects.filter(workspace=workspace, email=email).first()
        if person is None:
            raise
        return person
