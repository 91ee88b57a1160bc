"""The demo's saved inbox filters: what a product team keeps one click away.

No randomness, so the seed's later draws (features, ideas) stay what they were."""

from __future__ import annotations

from urllib.parse import urlencode

from lodestar.feedback.models import SavedFilter
from lodestar.feedback.saved_filters import clean_query
from lodestar.workspaces.models import Membership, Role, Workspace

SAVED_FILTERS = (  # (role of the first such member, name, inbox filters, shared)
    (Role.PRODUCT_MANAGER, "Churn risk, untriaged", {"tag": "churn-risk"}, True),
    (Role.PRODUCT_MANAGER, "Enterprise asks", {"tag": "enterprise"}, True),
    (Role.PRODUCT_MANAGER, "QuickBooks duplicates", {"q": "quickbooks duplicat"}, False),
    (Role.OWNER, "Mine to triage", {"who": "me"}, False),
)


def build_saved_filters(workspace: Workspace) -> None:
    """Filters of the first product manager (two shared) and of the owner."""
    first: dict[str, Membership] = {}
    for member in Membership.objects.filter(workspace=workspace).order_by("pk"):
        first.setdefault(member.role, member)
    SavedFilter.objects.bulk_create(
        SavedFilter(
            workspace=workspace,
            owner=first[role],
            name=name,
            query=clean_query(urlencode({"status": "inbox", **filters})),
            shared=shared,
        )
        for role, name, filters, shared in SAVED_FILTERS
        if role in first
    )
