"""Reads for scoring: models, driver values, and the ranked list with every score explained.

Ranking a product's features takes a fixed number of queries whatever their number: the
features, their entered drivers, and their demand (`feature_demand`, batched)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum

from lodestar.core.errors import NotFound
from lodestar.planning.business import BusinessCase, business_cases
from lodestar.planning.formula import Formula, FormulaError, Result, parse
from lodestar.planning.models import (
    Feature,
    FeatureDriver,
    FeatureStatus,
    ScoreRecord,
    ScoringModel,
)
from lodestar.planning.scoring_services import DATA_DRIVERS
from lodestar.planning.selectors import feature_demand
from lodestar.workspaces.models import Product, Workspace

OPEN = "open"  # a status filter: every feature not shipped nor won't do
# Objectives whose weight counts for the features serving them (not achieved, missed, dropped).
OPEN_OBJECTIVES = ("on_track", "at_risk", "off_track")
NO_HORIZON = "none"  # a horizon filter: features on no horizon


def scoring_model_list(*, product: Product) -> QuerySet[ScoringModel]:
    return ScoringModel.objects.filter(product=product).order_by("-is_default", "name")


def scoring_models_of(*, workspace: Workspace) -> QuerySet[ScoringModel]:
    return (
        ScoringModel.objects.filter(workspace=workspace)
        .select_related("product")
        .order_by("product__name", "-is_default", "name")
    )


def scoring_model_get(*, workspace: Workspace, key: str) -> ScoringModel:
    try:
        return ScoringModel.objects.select_related("product").get(workspace=workspace, key=key)
    except ScoringModel.DoesNotExist:
        raise NotFound("No such scoring model.") from None


def scoring_model_default(*, product: Product) -> ScoringModel | None:
    return scoring_model_list(product=product).first()


def entered_drivers(*, model_formulas: list[str], weights: Collection[str] = ()) -> list[str]:
    """The driver names the formulas use that are entered per feature: not from data, not a
    model's named weight."""
    names: list[str] = []
    for text in model_formulas:
        try:
            used = parse(text).names
        except FormulaError:
            continue
        names += [n for n in used if n not in DATA_DRIVERS and n not in weights and n not in names]
    return names


def driver_values(
    *, features: list[Feature], among: QuerySet | None = None, demand: dict | None = None
) -> dict[int, dict[str, float | None]]:
    """Every driver value of each feature: data drivers and entered ones. A fixed number of
    queries for any number of features. `among`, the ids of `features` as a subquery, spares
    Django checking thousands of ids one by one in each query (a third of the ranking page)."""
    from lodestar.feedback.portal_models import Idea
    from lodestar.strategy.models import ObjectiveFeature

    ids: QuerySet | list[int] = among if among is not None else [f.pk for f in features]
    if demand is None:  # the caller may have read it already (`feature_demand`)
        demand = feature_demand(features=features)
    values: dict[int, dict[str, float | None]] = {}
    for f in features:
        d = demand[f.pk]
        values[f.pk] = {
            "demand_insights": float(d.insights),
            "demand_companies": float(d.companies),
            "demand_arr": float(d.arr),
            "demand_weighted_arr": float(d.weighted_arr),
            "votes": 0.0,
            "objective_weight": 0.0,
            "effort": float(f.effort) if f.effort is not None else None,
        }
    votes = (
        Idea.objects.filter(feature_id__in=ids)
        .values("feature_id")
        .annotate(n=Sum("vote_count"))
        .order_by()
    )
    for row in votes:
        values[row["feature_id"]]["votes"] = float(row["n"] or 0)
    serving = (
        ObjectiveFeature.objects.filter(feature_id__in=ids, objective__status__in=OPEN_OBJECTIVES)
        .values("feature_id")
        .annotate(w=Sum("objective__weight"))
        .order_by()
    )
    for row in serving:
        values[row["feature_id"]]["objective_weight"] = float(row["w"] or 0)
    rows = FeatureDriver.objects.filter(feature_id__in=ids)
    for feature_id, name, value in rows.values_list("feature_id", "name", "value"):
        values[feature_id][name] = value
    return values


@dataclass
class Scored:
    feature: Feature
    result: Result | None = None
    error: FormulaError | None = None
    rank: int | None = None
    before: int | None = None  # the rank under the saved model, in a what-if
    case: BusinessCase | None = None  # filled by the ranking page when asked for

    @property
    def value(self) -> float | None:
        return self.result.value if self.result else None

    @property
    def moved(self) -> int:
        if self.rank is None or self.before is None:
            return 0
        return self.before - self.rank


@dataclass
class Ranking:
    formula: str
    weights: dict[str, float] = field(default_factory=dict)
    rows: list[Scored] = field(default_factory=list)
    error: FormulaError | None = None  # the formula itself does not parse

    @property
    def scored(self) -> list[Scored]:
        return [r for r in self.rows if r.result is not None]

    @property
    def unscored(self) -> list[Scored]:
        return [r for r in self.rows if r.result is None]


def score_feature(formula: Formula, feature: Feature, values: dict, known: set[str]) -> Scored:
    present = dict(values)
    for name in formula.names:
        if name not in present and name in known:
            present[name] = None  # some feature has it: this one is missing a value
    try:
        return Scored(feature, result=formula.evaluate(present))
    except FormulaError as exc:
        if exc.driver and exc.driver not in known:
            exc.message = f"unknown driver “{exc.driver}”: no feature of this product has a value"
        return Scored(feature, error=exc)


def product_features(
    *, product: Product, status: str = "", horizon: str = "", team: str = ""
) -> list[Feature]:
    """The product's features; status "open" leaves out shipped and won't-do ones; `horizon`
    (now, next, later, or "none") and `team` (a team key) narrow them further."""
    # Only what scoring and the ranked list show: loading whole rows doubled the time.
    fields = ("id", "key", "title", "status", "effort", "product_id", "workspace_id")
    rows = _product_rows(product, status, horizon, team)
    return list(rows.only(*fields).order_by("pk"))


def _product_rows(
    product: Product, status: str, horizon: str = "", team: str = ""
) -> QuerySet[Feature]:
    rows = Feature.objects.filter(workspace_id=product.workspace_id, product=product)
    if status == OPEN:
        rows = rows.exclude(status__in=[FeatureStatus.SHIPPED, FeatureStatus.WONT_DO])
    elif status:
        rows = rows.filter(status=status)
    if horizon:
        rows = rows.filter(horizon="" if horizon == NO_HORIZON else horizon)
    if team:
        rows = rows.filter(team__key=team)
    return rows


@dataclass
class Inputs:
    """What scoring reads once and any number of formulas then use: the features and every
    driver value of each."""

    features: list[Feature]
    values: dict[int, dict[str, float | None]]

    @property
    def known(self) -> set[str]:
        return set(DATA_DRIVERS) | {n for v in self.values.values() for n in v}


def scoring_inputs(
    *, product: Product, status: str = "", horizon: str = "", team: str = ""
) -> Inputs:
    features = product_features(product=product, status=status, horizon=horizon, team=team)
    among = _product_rows(product, status, horizon, team).values("pk")
    return Inputs(features, driver_values(features=features, among=among))


def score_all(
    inputs: Inputs,
    formula: str,
    weights: Mapping[str, float] | None = None,
    overrides: Mapping[tuple[str, str], float] | None = None,
) -> Ranking:
    """Score every feature of `inputs` with `formula` and the model's named `weights`;
    highest first, then the features that cannot be scored, each with its reason.
    `overrides` maps (feature key, driver) to a what-if value."""
    weights = dict(weights or {})
    try:
        parsed = parse(formula)
    except FormulaError as exc:
        return Ranking(formula, weights, error=exc)
    known = inputs.known | set(weights)
    changed: dict[str, dict[str, float]] = {}
    for (feature_key, name), value in (overrides or {}).items():
        changed.setdefault(feature_key, {})[name] = value
    rows = []
    for f in inputs.features:
        values = {**inputs.values[f.pk], **changed.get(f.key, {}), **weights}
        rows.append(score_feature(parsed, f, values, known))
    ranking = Ranking(formula, weights, rows=rows)
    _order(ranking)
    return ranking


def rank(
    *,
    product: Product,
    formula: str,
    weights: Mapping[str, float] | None = None,
    status: str = "",
    horizon: str = "",
    team: str = "",
    overrides: Mapping[tuple[str, str], float] | None = None,
    compare_with: tuple[str, Mapping[str, float]] | None = None,
) -> Ranking:
    """Rank the product's features (see `score_all`). `compare_with` is the saved
    (formula, weights), whose ranks go in `Scored.before` so a what-if shows what moved."""
    inputs = scoring_inputs(product=product, status=status, horizon=horizon, team=team)
    ranking = score_all(inputs, formula, weights, overrides)
    if ranking.error is None and compare_with is not None:
        saved = score_all(inputs, *compare_with)
        before = {r.feature.pk: r.rank for r in saved.rows}
        for row in ranking.rows:
            row.before = before.get(row.feature.pk)
    else:
        for row in ranking.rows:
            row.before = row.rank
    return ranking


def _order(ranking: Ranking) -> None:
    scored = sorted(ranking.scored, key=lambda r: (-(r.value or 0.0), r.feature.title.lower()))
    for i, row in enumerate(scored, start=1):
        row.rank = i
    ranking.rows = scored + sorted(ranking.unscored, key=lambda r: r.feature.title.lower())


def add_business_cases(*, workspace: Workspace, rows: list[Scored]) -> None:
    """Fill `case` on each row: two queries for demand, one for the features with their
    teams (scoring loads only the fields it needs)."""
    ids = [r.feature.pk for r in rows]
    full = Feature.objects.filter(workspace=workspace, pk__in=ids).select_related("team")
    cases = business_cases(features=list(full))
    for row in rows:
        row.case = cases.get(row.feature.pk)


def ranking_as_dicts(ranking: Ranking) -> list[dict]:
    """Each row as plain data (API, CLI): rank, score, drivers and terms, or why not."""
    out = []
    for row in ranking.rows:
        item: dict = {
            "rank": row.rank,
            "feature_key": row.feature.key,
            "title": row.feature.title,
            "status": row.feature.status,
            "score": row.value,
            "drivers": row.result.drivers if row.result else {},
            "terms": [
                {"text": t.text, "op": t.op, "value": t.value, "contribution": t.contribution}
                for t in (row.result.terms if row.result else [])
            ],
            "error": None,
        }
        if row.error is not None:
            item["error"] = {
                "message": row.error.message,
                "position": row.error.position,
                "driver": row.error.driver,
            }
        out.append(item)
    return out


def model_for(*, product: Product, key: str = "") -> ScoringModel:
    """The product's model with `key`, or its default; NotFound when there is none."""
    models = scoring_model_list(product=product)
    model = models.filter(key=key).first() if key else models.first()
    if model is None:
        raise NotFound(
            f"No scoring model {key!r} for {product.key}."
            if key
            else f"{product.name} has no scoring model yet."
        )
    return model


def score_history(*, feature: Feature, limit: int = 20) -> list[ScoreRecord]:
    """The feature's recorded scores, newest first."""
    rows = ScoreRecord.objects.filter(feature=feature).select_related("model")
    return list(rows.order_by("-recorded_at", "-pk")[:limit])
