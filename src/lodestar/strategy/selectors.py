"""Reads for the strategy and the decision log, always within one workspace."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from lodestar.core.errors import NotFound
from lodestar.feedback.search import fold
from lodestar.planning.models import Feature
from lodestar.strategy.models import (
    Decision,
    KeyResult,
    KeyResultCheckin,
    Objective,
    ObjectiveFeature,
    Vision,
)
from lodestar.workspaces.models import Product, Workspace


def objective_list(*, workspace: Workspace, product: Product | None = None) -> QuerySet[Objective]:
    rows = Objective.objects.filter(workspace=workspace).select_related("product", "owner__user")
    if product is not None:
        rows = rows.filter(product=product)
    return rows.prefetch_related(
        Prefetch("key_results", queryset=KeyResult.objects.order_by("pk"))
    ).order_by("-period", "-weight", "title", "pk")


def objectives_by_period(objectives) -> list[tuple[str, list[Objective]]]:
    """[(period, objectives)], the latest period first (order of `objective_list`)."""
    groups: dict[str, list[Objective]] = defaultdict(list)
    for objective in objectives:
        groups[objective.period].append(objective)
    return list(groups.items())


def objective_progress(objective: Objective) -> float:
    """The mean progress of its key results (0 without any)."""
    krs = list(objective.key_results.all())
    return sum(kr.progress for kr in krs) / len(krs) if krs else 0.0


def objective_get(*, workspace: Workspace, key: str) -> Objective:
    try:
        return Objective.objects.select_related("product", "owner__user").get(
            workspace=workspace, key=key
        )
    except Objective.DoesNotExist:
        raise NotFound("No such objective.") from None


def objective_features(*, objective: Objective) -> list[Feature]:
    return [
        link.feature
        for link in ObjectiveFeature.objects.filter(objective=objective)
        .select_related("feature")
        .order_by("feature__title")
    ]


def key_result_get(*, workspace: Workspace, key: str) -> KeyResult:
    try:
        return KeyResult.objects.select_related("objective__product").get(
            objective__workspace=workspace, key=key
        )
    except KeyResult.DoesNotExist:
        raise NotFound("No such key result.") from None


def checkins(*, key_result: KeyResult, limit: int = 200) -> list[KeyResultCheckin]:
    """The latest `limit` check-ins, oldest first."""
    rows = KeyResultCheckin.objects.filter(key_result=key_result).select_related("by")
    return list(reversed(rows.order_by("-at", "-pk")[:limit]))


def vision_of(product: Product) -> Vision | None:
    return Vision.objects.filter(product=product).first()


@dataclass
class TreeObjective:
    objective: Objective
    progress: float
    features: list[Feature] = field(default_factory=list)


def strategy_tree(*, product: Product) -> list[TreeObjective]:
    """The product's objectives, each with key results (prefetched) and linked features."""
    objectives = list(objective_list(workspace=product.workspace, product=product))
    links = (
        ObjectiveFeature.objects.filter(objective__in=objectives)
        .select_related("feature")
        .order_by("feature__title")
    )
    by_objective: dict[int, list[Feature]] = defaultdict(list)
    for link in links:
        by_objective[link.objective_id].append(link.feature)
    return [TreeObjective(o, objective_progress(o), by_objective.get(o.pk, [])) for o in objectives]


def decision_list(*, workspace: Workspace, q: str = "", status: str = "") -> QuerySet[Decision]:
    rows = Decision.objects.filter(workspace=workspace).select_related("product")
    folded = fold(q).strip()
    if folded:
        rows = rows.filter(search_text__contains=folded)
    if status:
        rows = rows.filter(status=status)
    return rows


def decision_get(*, workspace: Workspace, key: str) -> Decision:
    try:
        return Decision.objects.select_related("product", "superseded_by").get(
            workspace=workspace, key=key
        )
    except Decision.DoesNotExist:
        raise NotFound("No such decision.") from None


def feature_objectives(*, feature: Feature) -> list[Objective]:
    return list(
        Objective.objects.filter(links__feature=feature)
        .select_related("product")
        .order_by("-period", "title")
    )


def feature_decisions(*, feature: Feature) -> list[Decision]:
    return list(Decision.objects.filter(features=feature).order_by("-decided_on", "-pk"))


def insight_choices(*, features, linked=(), limit: int = 30) -> list[tuple[str, str]]:
    """(key, label) of insights to offer as a decision's evidence: the most important ones
    on `features`, plus those already `linked`."""
    from lodestar.feedback.models import Insight

    rows = list(linked) + list(
        Insight.objects.filter(feature__in=list(features))
        .select_related("feature", "feedback__company")
        .order_by("-importance", "-pk")[:limit]
    )
    choices: dict[str, str] = {}
    for i in rows:
        who = i.feedback.company.name if i.feedback.company else "anonymous"
        snippet = " ".join(i.snippet.split())
        snippet = snippet if len(snippet) <= 120 else snippet[:119] + "…"
        choices.setdefault(i.key, f"“{snippet}” — {who}, on {i.feature.title}")
    return list(choices.items())
