"""Workspace search: each area registers a source; the search page asks those the member's
role may read. Later areas (feedback, features, ...) append their own sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from lodestar.workspaces import selectors
from lodestar.workspaces.models import Membership, Workspace
from lodestar.workspaces.permissions import role_can

MIN_LENGTH = 2


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class Source:
    title: str
    permission: str
    find: Callable[[Workspace, str, int], list[Hit]]


def _products(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.product_list(workspace=workspace).filter(
        Q(name__icontains=q) | Q(key__icontains=q) | Q(description__icontains=q)
    )[:limit]
    return [
        Hit(p.name, p.key, reverse("workspaces:product", args=[workspace.slug, p.key]))
        for p in rows
    ]


def _teams(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.team_list(workspace=workspace).filter(
        Q(name__icontains=q) | Q(description__icontains=q)
    )[:limit]
    return [
        Hit(t.name, f"{t.capacity_points} points a week", reverse(
            "workspaces:team", args=[workspace.slug, t.key]))
        for t in rows
    ]  # fmt: skip


def _members(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    rows = selectors.member_list(workspace=workspace).filter(
        Q(user__name__icontains=q) | Q(user__email__icontains=q)
    )[:limit]
    url = reverse("workspaces:members", args=[workspace.slug])
    return [Hit(m.user.display_name, f"{m.user.email} · {m.get_role_display()}", url) for m in rows]


SOURCES: list[Source] = [
    Source("Products", "workspace.view", _products),
    Source("Teams", "team.view", _teams),
    Source("Members", "member.view", _members),
]


def register(*sources: Source) -> None:
    """Add an area's sources (call from its AppConfig.ready); registering twice is a no-op."""
    for source in sources:
        if all(existing.title != source.title for existing in SOURCES):
            SOURCES.append(source)


def search(*, membership: Membership, query: str, limit: int = 10) -> list[tuple[str, list[Hit]]]:
    """Hits per source, for the sources this member's role may read. Empty for short queries."""
    query = query.strip()
    if len(query) < MIN_LENGTH:
        return []
    results = []
    for source in SOURCES:
        if role_can(membership.role, source.permission):
            hits = source.find(membership.workspace, query, limit)
            if hits:
                results.append((source.title, hits))
    return results
