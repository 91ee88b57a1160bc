"""Objectives and decisions in the workspace search (registered in StrategyConfig)."""

from __future__ import annotations

from django.urls import reverse

from lodestar.strategy import selectors
from lodestar.workspaces.models import Workspace
from lodestar.workspaces.search import Hit, Source


def _objectives(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = (
        selectors.objective_list(workspace=workspace)
        .filter(title__icontains=q)
        .prefetch_related(None)[:limit]
    )
    return [
        Hit(o.title, f"{o.period} · {o.product.name} · {o.get_status_display()}",
            reverse("strategy:objective", args=[workspace.slug, o.key]))
        for o in rows
    ]  # fmt: skip


def _decisions(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.decision_list(workspace=workspace, q=q).order_by("-created_at", "-pk")
    return [
        Hit(d.title, d.get_status_display(),
            reverse("strategy:decision", args=[workspace.slug, d.key]))
        for d in rows[:limit]
    ]  # fmt: skip


SOURCES = [
    Source("Objectives", "strategy.view", _objectives),
    Source("Decisions", "strategy.view", _decisions),
]
