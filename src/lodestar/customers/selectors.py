"""Reads for companies and people, always within one workspace."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from lodestar.core.errors import NotFound
from lodestar.customers.models import Company, Person
from lodestar.workspaces.models import Workspace

COMPANY_ORDERS = {"arr": "-arr", "name": "name", "newest": "-created_at"}


def company_list(
    *,
    workspace: Workspace,
    q: str = "",
    segment: str = "",
    plan: str = "",
    arr_min: Decimal | None = None,
    arr_max: Decimal | None = None,
) -> QuerySet[Company]:
    companies = Company.objects.filter(workspace=workspace).select_related("owner__user")
    if q:
        companies = companies.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    if segment:
        companies = companies.filter(segment=segment)
    if plan:
        companies = companies.filter(plan__iexact=plan)
    if arr_min is not None:
        companies = companies.filter(arr__gte=arr_min)
    if arr_max is not None:
        companies = companies.filter(arr__lte=arr_max)
    return companies


def company_plans(*, workspace: Workspace) -> list[str]:
    """The distinct plan names in use, for the filter (bounded: plans are few)."""
    plans = (
        Company.objects.filter(workspace=workspace)
        .exclude(plan="")
        .values_list("plan", flat=True)
        .distinct()
        .order_by("plan")
    )
    return list(plans[:100])


def company_get(*, workspace: Workspace, key: str) -> Company:
    try:
        return (
            Company.objects.select_related("owner__user")
            .annotate(people_count=Count("people"))
            .get(workspace=workspace, key=key)
        )
    except Company.DoesNotExist:
        raise NotFound("No such company.") from None


def person_list(
    *, workspace: Workspace, q: str = "", company: Company | None = None
) -> QuerySet[Person]:
    people = Person.objects.filter(workspace=workspace).select_related("company")
    if q:
        people = people.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if company is not None:
        people = people.filter(company=company)
    return people


def person_get(*, workspace: Workspace, key: str) -> Person:
    try:
        return Person.objects.select_related("company").get(workspace=workspace, key=key)
    except Person.DoesNotExist:
        raise NotFound("No such person.") from None
