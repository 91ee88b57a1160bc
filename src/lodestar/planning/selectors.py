"""Reads for features, and demand: what customers asked for, weighed by what they pay."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet

from lodestar.core.errors import NotFound
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Workspace

# An insight's importance (1 nice to have, 2 important, 3 critical) scales the ARR it brings.
IMPORTANCE_WEIGHT = {1: Decimal(1) / 3, 2: Decimal(2) / 3, 3: Decimal(1)}


@dataclass
class Demand:
    insights: int = 0
    companies: int = 0
    arr: Decimal = Decimal(0)  # the companies' ARR, each counted once
    weighted_arr: Decimal = Decimal(0)  # each company's ARR x its highest importance's weight
    by_segment: dict[str, dict] = field(default_factory=dict)


def feature_list(*, workspace: Workspace, q: str = "", status: str = "") -> QuerySet[Feature]:
    rows = Feature.objects.filter(workspace=workspace).select_related("product")
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if status:
        rows = rows.filter(status=status)
    return rows


def feature_titles(*, workspace: Workspace, limit: int = 200) -> list[str]:
    """Titles to suggest when linking feedback (the newest first; typing finds the rest)."""
    rows = Feature.objects.filter(workspace=workspace).order_by("-pk")
    return list(rows.values_list("title", flat=True)[:limit])


def feature_get(*, workspace: Workspace, key: str) -> Feature:
    try:
        return Feature.objects.select_related("product").get(workspace=workspace, key=key)
    except Feature.DoesNotExist:
        raise NotFound("No such feature.") from None


def feature_demand(*, features: list[Feature]) -> dict[int, Demand]:
    """Demand per feature id, for any number of features, in two queries.

    A company that asked several times counts once, at the highest importance it gave."""
    from lodestar.feedback.models import Insight

    ids = [f.pk for f in features]
    demand = {pk: Demand() for pk in ids}
    totals = Insight.objects.filter(feature_id__in=ids).values("feature_id").annotate(n=Count("id"))
    for row in totals:
        demand[row["feature_id"]].insights = row["n"]
    per_company = (
        Insight.objects.filter(feature_id__in=ids, feedback__company__isnull=False)
        .values(
            "feature_id",
            "feedback__company_id",
            "feedback__company__arr",
            "feedback__company__segment",
        )
        .annotate(importance=Max("importance"))
    )
    segments: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in per_company:
        d = demand[row["feature_id"]]
        arr = row["feedback__company__arr"] or Decimal(0)
        weighted = arr * IMPORTANCE_WEIGHT[row["importance"]]
        d.companies += 1
        d.arr += arr
        d.weighted_arr += weighted
        seg = segments[row["feature_id"]].setdefault(
            row["feedback__company__segment"] or "unknown",
            {"companies": 0, "arr": Decimal(0), "weighted_arr": Decimal(0)},
        )
        seg["companies"] += 1
        seg["arr"] += arr
        seg["weighted_arr"] += weighted
    for pk, by_segment in segments.items():
        demand[pk].by_segment = by_segment
    for d in demand.values():
        d.weighted_arr = d.weighted_arr.quantize(Decimal("0.01"))
    return demand
