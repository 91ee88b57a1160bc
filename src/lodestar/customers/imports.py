"""Companies and people as CSV import kinds (see lodestar.imports). The cleaning is the
services' own company_values / person_values: the import refuses exactly what the form does."""

from __future__ import annotations

from typing import Any

from lodestar.customers.models import Company, Person
from lodestar.customers.services import company_values, person_values
from lodestar.imports.engine import Row, chunked
from lodestar.imports.kinds import Field, ImportKind, register
from lodestar.workspaces.models import Workspace

EXTERNAL_ID_ALIASES = ("id", "crm id", "record id", "external", "ext id")


@register
class CompanyImport(ImportKind):
    name = "companies"
    label = "Companies"
    noun = "company"
    model = Company
    match_fields = ("external_id", "domain")
    required = (("name",),)
    fields = (
        Field(
            "name",
            "Name",
            ("company", "company name", "account", "account name", "organization", "organisation",
             "organization name", "customer", "customer name"),
        ),
        Field(
            "domain",
            "Domain",
            ("website", "web site", "url", "site", "homepage", "web", "company domain",
             "company website", "domain name"),
            "acme.com or https://www.acme.com/: stored as acme.com. Re-imports match on it.",
        ),
        Field(
            "external_id",
            "External id",
            (*EXTERNAL_ID_ALIASES, "account id", "company id", "customer id", "salesforce id",
             "hubspot id"),
            "The company's id in your CRM. When present, re-imports match on it first.",
        ),
        Field(
            "arr",
            "ARR",
            ("annual recurring revenue", "annual revenue", "revenue", "arr usd", "acv"),
            "48000, $1,200,000, 1.2M or 45k.",
        ),
        Field("plan", "Plan", ("tier", "pricing plan", "subscription", "package")),
        Field(
            "segment",
            "Segment",
            ("customer segment", "market segment"),
            "SMB, Mid-market or Enterprise.",
        ),
        Field(
            "employees",
            "Employees",
            ("headcount", "employee count", "number of employees", "no of employees",
             "num employees", "company size", "size", "staff"),
        ),
    )  # fmt: skip

    def clean(self, raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        return company_values(raw)


@register
class PersonImport(ImportKind):
    name = "people"
    label = "People"
    noun = "person"
    model = Person
    match_fields = ("external_id", "email")
    required = (("name", "email"),)
    fields = (
        Field("name", "Name", ("full name", "contact", "contact name", "person", "person name")),
        Field(
            "email",
            "Email",
            ("e-mail", "email address", "e-mail address", "work email", "mail"),
            "Re-imports match on it.",
        ),
        Field("title", "Title", ("job title", "role", "position", "job")),
        Field(
            "external_id",
            "External id",
            (*EXTERNAL_ID_ALIASES, "contact id", "person id", "user id", "lead id"),
            "The person's id in your CRM. When present, re-imports match on it first.",
        ),
        Field(
            "company_domain",
            "Company domain",
            ("company website", "company url", "account domain", "account website",
             "organization domain", "domain", "website"),
            "Links the person to the company with this domain; the company must exist.",
        ),
    )  # fmt: skip

    def clean(self, raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        return person_values(raw)

    def resolve(self, workspace: Workspace, rows: list[Row]) -> None:
        """company_domain -> company_id, with one query per 500 domains."""
        wanted = sorted(
            {row.values["company_domain"] for row in rows if row.values.get("company_domain")}
        )
        companies: dict[str, int] = {}
        for chunk in chunked(wanted):
            found = Company.objects.filter(workspace=workspace, domain__in=chunk)
            companies.update(found.values_list("domain", "id"))
        for row in rows:
            if "company_domain" not in row.values:
                continue
            domain = row.values.pop("company_domain")
            row.values["company_id"] = companies.get(domain) if domain else None
            if domain and domain not in companies:
                row.fail(
                    "company_domain",
                    f"No company with domain {domain!r} in this workspace. Companies are not "
                    "created from a people file: import or add the company first.",
                )
