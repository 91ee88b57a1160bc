"""Reads for share links: the management list, and what a link shows (only its products,
only the internal fields it turns on)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from lodestar.core.errors import NotFound
from lodestar.planning.models import Feature
from lodestar.planning.roadmap_models import Release, RoadmapView, ShareLink
from lodestar.planning.visibility import Visible
from lodestar.workspaces.models import Product, Workspace


def share_link_list(*, workspace: Workspace) -> QuerySet[ShareLink]:
    return (
        ShareLink.objects.filter(workspace=workspace)
        .select_related("created_by", "workspace")
        .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name")))
        .order_by("-created_at", "-pk")
    )


def share_link_get(*, workspace: Workspace, key: str) -> ShareLink:
    try:
        return share_link_list(workspace=workspace).get(key=key)
    except ShareLink.DoesNotExist:
        raise NotFound("No such share link.") from None


def share_link_state(link: ShareLink, now: datetime | None = None) -> str:
    """The link's state: "revoked", "expired" or "active"."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def link_views(link: ShareLink) -> list[tuple[str, str]]:
    """(value, label) of the link's views, in the roadmap's own order."""
    return [(value, label) for value, label in RoadmapView.choices if value in link.views]


def link_products(link: ShareLink) -> list[Product]:
    """The link's products; never another workspace's, even if one were attached."""
    return list(link.products.filter(workspace=link.workspace_id).order_by("name"))


def link_scope(link: ShareLink, product_key: str = "") -> list[Product]:
    """The products a page of the link shows: all of the link's, or the one asked for (which
    must be one of them: anything else is NotFound)."""
    products = link_products(link)
    if not product_key:
        return products
    chosen = [p for p in products if p.key == product_key]
    if not chosen:
        raise NotFound("This link does not show that product.")
    return chosen


@dataclass
class SharedFeature:
    feature: Feature
    customers: list[str] = field(default_factory=list)  # only when visible.customers
    arr: Decimal | None = None  # only when visible.arr
    comments: list[str] = field(default_factory=list)  # only when visible.comments


@dataclass
class SharedRelease:
    release: Release
    features: list[SharedFeature] = field(default_factory=list)


def shared_releases(
    *, workspace: Workspace, products: list[Product], visible: Visible
) -> list[SharedRelease]:
    """The releases and milestones of `products`, by target date, each with its features.
    Customer names and ARR are read only when `visible` shows them. Four queries at most."""
    releases = list(
        Release.objects.filter(workspace=workspace, product__in=products)
        .select_related("product", "team")
        .prefetch_related(
            Prefetch(
                "features",
                queryset=Feature.objects.filter(workspace=workspace).order_by("rank", "title"),
            )
        )
        .order_by("target", "name")
    )
    rows = [SharedRelease(r, [SharedFeature(f) for f in r.features.all()]) for r in releases]
    shared = [sf for row in rows for sf in row.features]
    if shared and visible.customers:
        names = _customer_names([sf.feature.pk for sf in shared])
        for sf in shared:
            sf.customers = names.get(sf.feature.pk, [])
    if shared and visible.arr:
        from lodestar.planning.selectors import feature_demand

        demand = feature_demand(features=[sf.feature for sf in shared])
        for sf in shared:
            sf.arr = demand[sf.feature.pk].arr
    if shared and visible.comments:
        said = _comments([sf.feature.pk for sf in shared])
        for sf in shared:
            sf.comments = said.get(sf.feature.pk, [])
    return rows


COMMENTS_SHOWN = 3


def _comments(feature_ids: list[int]) -> dict[int, list[str]]:
    """The newest comments visitors can read on the portal ideas linked to each feature (at
    most COMMENTS_SHOWN each), as plain text. One query."""
    from lodestar.feedback.portal_models import Comment

    rows = (
        Comment.objects.filter(
            idea__feature_id__in=feature_ids,
            hidden=False,
            confirmed=True,
            idea__hidden=False,
            idea__confirmed=True,
            idea__merged_into__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .values_list("idea__feature_id", "body")
    )
    said: dict[int, list[str]] = defaultdict(list)
    for feature_id, body in rows[: COMMENTS_SHOWN * len(feature_ids)]:
        if len(said[feature_id]) < COMMENTS_SHOWN:
            said[feature_id].append(body)
    return said


def _customer_names(feature_ids: list[int]) -> dict[int, list[str]]:
    """The companies that asked for each feature (through insights on their feedback)."""
    from lodestar.feedback.models import Insight

    pairs = (
        Insight.objects.filter(feature_id__in=feature_ids, feedback__company__isnull=False)
        .values_list("feature_id", "feedback__company__name")
        .distinct()
        .order_by("feedback__company__name")
    )
    names: dict[int, list[str]] = defaultdict(list)
    for feature_id, name in pairs:
        names[feature_id].append(name)
    return names
