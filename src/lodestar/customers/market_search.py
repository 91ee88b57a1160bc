"""Competitors and research notes in the workspace search (registered in CustomersConfig)."""

from __future__ import annotations

from django.urls import reverse

from lodestar.customers import market_selectors as selectors
from lodestar.workspaces.models import Workspace
from lodestar.workspaces.search import Hit, Source


def _competitors(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.competitor_list(workspace=workspace, q=q).order_by("name", "pk")[:limit]
    return [
        Hit(c.name, c.description, reverse("market:competitor", args=[workspace.slug, c.key]))
        for c in rows
    ]


def _notes(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.research_note_list(workspace=workspace, q=q).order_by("-date", "-pk")[:limit]
    return [
        Hit(
            n.title,
            " · ".join(filter(None, [n.get_kind_display(), n.date.isoformat(),
                                     n.company.name if n.company else ""])),
            reverse("market:note", args=[workspace.slug, n.key]),
        )
        for n in rows
    ]  # fmt: skip


SOURCES = [
    Source("Competitors", "market.view", _competitors),
    Source("Research notes", "market.view", _notes),
]
