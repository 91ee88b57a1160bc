"""Template helpers for research notes: `{{ note.body|excerpt }}` and the company page's
`{% company_research company %}` section."""

from __future__ import annotations

from django import template
from django.utils.text import Truncator

from lodestar.customers.market_selectors import research_note_list
from lodestar.customers.research_services import note_text
from lodestar.workspaces.permissions import role_can

register = template.Library()


@register.filter
def excerpt(body: str, length: int = 200) -> str:
    """The first words of a markdown note as plain text. Only the start is rendered, so a
    list of long notes stays cheap."""
    return Truncator(note_text((body or "")[: length * 3])).chars(length)


@register.inclusion_tag("customers/_company_research.html", takes_context=True)
def company_research(context, company, limit: int = 10) -> dict:
    """The research notes about `company`, newest first, for members who may read them."""
    request = context["request"]
    membership = getattr(request, "membership", None)
    readable = membership is not None and role_can(membership.role, "market.view")
    rows = research_note_list(workspace=company.workspace, company=company) if readable else None
    return {
        "company": company,
        "readable": readable,
        "notes": list(rows.order_by("-date", "-pk")[:limit]) if rows is not None else [],
        "count": rows.count() if rows is not None else 0,
        "can_write": membership is not None and role_can(membership.role, "research.write"),
        "current_workspace": context.get("current_workspace"),
    }
