"""Reads for features, and demand: what customers asked for, weighed by what they pay."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from lodestar.core.errors import NotFound
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Workspace


@dataclass
class Demand:
    insights: int = 0
    companies: int = 0
    arr: Decimal = Decimal(0)  # the companies' ARR, each counted once
    weighted_arr: Decimal = Decimal(0)  # each company's ARR x its highest importance's weight
    critical_arr: Decimal = Decimal(0)  # the ARR of the companies whose highest is critical
    by_segment: dict[str, dict] = field(default_factory=dict)


# How the features list may be ordered: the keyset field for `paginate`, and its label.
FEATURE_ORDERS = {
    "newest": (None, "Newest first"),
    "insights": ("-insight_count", "Most insights"),
    "title": ("title", "Title A to Z"),
}


def feature_list(
    *,
    workspace: Workspace,
    q: str = "",
    status: str = "",
    order: str = "newest",
    horizon: str = "",
    team: str = "",
) -> QuerySet[Feature]:
    rows = Feature.objects.filter(workspace=workspace).select_related("product", "team")
    if order == "insights":
        # A correlated count per feature walks the (feature, id) index; a GROUP BY over
        # every insight of the workspace was ten times slower on the large demo.
        from lodestar.feedback.models import Insight

        per_feature = (
            Insight.objects.filter(feature=OuterRef("pk"))
            .order_by()
            .values("feature")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = rows.annotate(insight_count=Coalesce(Subquery(per_feature), 0))
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if status:
        rows = rows.filter(status=status)
    if horizon:
        rows = rows.filter(horizon=horizon)
    if team:
        rows = rows.filter(team__key=team)
    return rows


def feature_choices(
    *, workspace: Workspace, exclude: Feature | None = None, limit: int = 2000
) -> list[tuple[str, str]]:
    """(key, title) of the workspace's features, for choosing a parent (initiative)."""
    rows = Feature.objects.filter(workspace=workspace).order_by("title")
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return list(rows.values_list("key", "title")[:limit])


def feature_titles(*, workspace: Workspace, limit: int = 200) -> list[str]:
    """Titles to suggest when linking feedback (the newest first; typing finds the rest)."""
    rows = Feature.objects.filter(workspace=workspace).order_by("-pk")
    return list(rows.values_list("title", flat=True)[:limit])


def feature_get(*, workspace: Workspace, key: str) -> Feature:
    try:
        return Feature.objects.select_related(
            "product", "parent", "team", "owner__user", "release"
        ).get(workspace=workspace, key=key)
    except Feature.DoesNotExist:
        raise NotFound("No such feature.") from None


_DEMAND_SQL = """
    SELECT per_company.feature_id, per_company.segment, COUNT(*),
           SUM(per_company.arr), SUM(per_company.arr * per_company.importance),
           SUM(CASE WHEN per_company.importance = 3 THEN per_company.arr ELSE 0 END)
    FROM (
        SELECT i.feature_id AS feature_id, f.company_id AS company_id,
               c.arr AS arr, c.segment AS segment, MAX(i.importance) AS importance
        FROM feedback_insight i
        JOIN feedback_feedback f ON f.id = i.feedback_id
        JOIN customers_company c ON c.id = f.company_id
        WHERE i.feature_id IN ({ids})
        GROUP BY i.feature_id, f.company_id, c.arr, c.segment
    ) per_company
    GROUP BY per_company.feature_id, per_company.segment
"""


def feature_demand(*, features: list[Feature]) -> dict[int, Demand]:
    """Demand per feature id, for any number of features, in two queries whose results have
    at most a few rows per feature (the per-company step happens in the database).

    A company that asked several times counts once, at the highest importance it gave; its
    ARR is weighted by importance / 3 (critical 1, important 2/3, nice to have 1/3);
    `critical_arr` sums the ARR of the companies whose highest importance is critical."""
    from lodestar.feedback.models import Insight

    ids = [f.pk for f in features]
    demand = {pk: Demand() for pk in ids}
    if not ids:
        return demand
    totals = Insight.objects.filter(feature_id__in=ids).values("feature_id").annotate(n=Count("id"))
    for row in totals:
        demand[row["feature_id"]].insights = row["n"]
    cent = Decimal("0.01")
    with connection.cursor() as cursor:
        cursor.execute(_DEMAND_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
        for row in cursor.fetchall():
            feature_id, segment, companies, arr, arr_times_importance, critical = row
            d = demand[feature_id]
            arr = Decimal(str(arr or 0)).quantize(cent)
            weighted = (Decimal(str(arr_times_importance or 0)) / 3).quantize(cent)
            d.companies += companies
            d.arr += arr
            d.weighted_arr += weighted
            d.critical_arr += Decimal(str(critical or 0)).quantize(cent)
            d.by_segment[segment or "unknown"] = {
                "companies": companies,
                "arr": arr,
                "weighted_arr": weighted,
            }
    return demand


@dataclass
class Asked:
    """A feature one company asked for: how often (insights) and how badly (the highest
    importance it gave)."""

    feature: Feature
    asks: int
    importance: int


def features_asked_by(*, company, limit: int = 50) -> list[Asked]:
    """The features `company` asked for (through insights on its feedback), most pressing
    first. Two queries; the first starts from the company's feedback, so it reads only
    their insights (joining from features read every insight: ~7x slower on the large demo)."""
    from django.db.models import Max

    from lodestar.feedback.models import Insight

    per_feature = {
        row["feature_id"]: row
        for row in Insight.objects.filter(feedback__company=company)
        .values("feature_id")
        .annotate(asks=Count("id"), importance=Max("importance"))
        .order_by()
    }
    features = list(
        Feature.objects.filter(
            workspace_id=company.workspace_id, pk__in=per_feature
        ).select_related("product")
    )
    asked = [Asked(f, per_feature[f.pk]["asks"], per_feature[f.pk]["importance"]) for f in features]
    asked.sort(key=lambda a: (-a.importance, -a.asks, a.feature.title))
    return asked[:limit]
