"""Companies and people in the workspace search (registered in CustomersConfig.ready)."""

from __future__ import annotations

from django.urls import reverse

from lodestar.customers import selectors
from lodestar.workspaces.models import Workspace
from lodestar.workspaces.search import Hit, Source


def _companies(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.company_list(workspace=workspace, q=q).order_by("-arr", "pk")[:limit]
    return [
        Hit(
            c.name,
            " · ".join(filter(None, [c.domain, c.plan, f"ARR {c.arr:,.0f} {workspace.currency}"])),
            reverse("customers:company", args=[workspace.slug, c.key]),
        )
        for c in rows
    ]


def _people(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.person_list(workspace=workspace, q=q).order_by("name", "pk")[:limit]
    return [
        Hit(
            str(p),
            " · ".join(filter(None, [p.title, p.company.name if p.company else "", p.email])),
            reverse("customers:person", args=[workspace.slug, p.key]),
        )
        for p in rows
    ]


SOURCES = [
    Source("Companies", "customer.view", _companies),
    Source("People", "customer.view", _people),
]
