"""API for features (with their business case) and scoring. No `from __future__ import
annotations` (see lodestar/api.py)."""

from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema

from lodestar.core.errors import Invalid
from lodestar.planning import business
from lodestar.planning import scoring_selectors as selectors
from lodestar.planning.models import FeatureStatus
from lodestar.planning.scoring_services import formula_error_text
from lodestar.planning.selectors import feature_demand, feature_get
from lodestar.workspaces.access import WorkspaceRequest, api_access
from lodestar.workspaces.api import ERRORS
from lodestar.workspaces.selectors import product_get

router = Router(tags=["scoring"])


class RankingQuery(Schema):
    model: str = Field(
        "", max_length=16, description="A scoring model key; default: the product's default model."
    )
    formula: str = Field(
        "", max_length=500, description="What-if: score with this formula instead (not saved)."
    )
    status: FeatureStatus | None = Field(
        None, description="Only features with this status; default: all but shipped, won't do."
    )


class TermOut(Schema):
    text: str
    op: str
    value: float
    contribution: float | None


class RowErrorOut(Schema):
    message: str
    position: int | None
    driver: str | None


class RankedOut(Schema):
    rank: int | None = Field(..., description="None: the feature cannot be scored (see error).")
    feature_key: str
    title: str
    status: str
    score: float | None
    drivers: dict[str, float]
    terms: list[TermOut]
    error: RowErrorOut | None


class RankingOut(Schema):
    product_key: str
    model_key: str
    model_name: str
    formula: str
    weights: dict[str, float]
    items: list[RankedOut]


@router.get(
    "/workspaces/{slug}/products/{product_key}/ranking",
    response={200: RankingOut, **ERRORS},
    summary="A product's features ranked by a scoring model, each score explained",
)
@api_access("feature.view")
def ranking_get(
    request: WorkspaceRequest, slug: str, product_key: str, query: Query[RankingQuery]
) -> Any:
    product = product_get(workspace=request.workspace, key=product_key)
    model = selectors.model_for(product=product, key=query.model)
    formula = query.formula.strip() or model.formula
    ranking = selectors.rank(
        product=product,
        formula=formula,
        weights=model.weights,
        status=query.status or selectors.OPEN,
    )
    if ranking.error is not None:
        raise Invalid(
            "The formula cannot be read.",
            fields={"formula": [formula_error_text(ranking.error, formula)]},
        )
    return {
        "product_key": product.key,
        "model_key": model.key,
        "model_name": model.name,
        "formula": formula,
        "weights": model.weights,
        "items": selectors.ranking_as_dicts(ranking),
    }


class MoneyRangeOut(Schema):
    low: Decimal
    expected: Decimal
    high: Decimal


class RatioRangeOut(Schema):
    low: float
    expected: float
    high: float


class MonthsOut(Schema):
    low: float | None = Field(..., description="Highest cost, lowest revenue; None: never.")
    expected: float | None
    high: float | None = Field(..., description="Lowest cost, highest revenue; None: never.")


class BusinessInputsOut(Schema):
    asking_arr: Decimal
    weighted_arr: Decimal
    critical_arr: Decimal
    companies: int
    new_revenue: MoneyRangeOut
    weeks: Decimal | None
    cost_per_week: Decimal | None
    team: str
    confidence: str


class BusinessCaseOut(Schema):
    revenue: MoneyRangeOut = Field(..., description="Annual revenue at stake.")
    cost: MoneyRangeOut | None
    roi: RatioRangeOut | None = Field(..., description="(revenue - cost) / cost, first year.")
    payback_months: MonthsOut | None
    never_pays_back: bool
    missing: list[str] = Field(..., description="Why a part cannot be computed.")
    inputs: BusinessInputsOut


class ImpactOut(Schema):
    metric: str
    change: Decimal | None
    unit: str
    text: str = Field(..., description='The change in words: "+15 %".')


class FeatureOut(Schema):
    key: str
    title: str
    description: str
    status: str
    horizon: str
    product_key: str | None
    team_key: str | None
    effort: Decimal | None
    effort_unit: str
    effort_confidence: str
    tags: list[str]
    currency: str
    new_revenue_low: Decimal | None
    new_revenue: Decimal | None
    new_revenue_high: Decimal | None
    business_case: BusinessCaseOut
    predicted_impact: ImpactOut | None


@router.get(
    "/workspaces/{slug}/features/{feature_key}",
    response={200: FeatureOut, **ERRORS},
    tags=["features"],
    summary="A feature with its business case and predicted impact",
)
@api_access("feature.view")
def feature_detail(request: WorkspaceRequest, slug: str, feature_key: str) -> Any:
    feature = feature_get(workspace=request.workspace, key=feature_key)
    demand = feature_demand(features=[feature])[feature.pk]
    case = business.business_case(feature, demand, feature.team)
    impact = None
    if feature.impact_metric or feature.impact_change is not None:
        impact = {
            "metric": feature.impact_metric,
            "change": feature.impact_change,
            "unit": feature.impact_unit,
            "text": business.predicted_change(feature),
        }
    return {
        "key": feature.key,
        "title": feature.title,
        "description": feature.description,
        "status": feature.status,
        "horizon": feature.horizon,
        "product_key": feature.product.key if feature.product else None,
        "team_key": feature.team.key if feature.team else None,
        "effort": feature.effort,
        "effort_unit": feature.effort_unit,
        "effort_confidence": feature.effort_confidence,
        "tags": feature.tag_list,
        "currency": request.workspace.currency,
        "new_revenue_low": feature.new_revenue_low,
        "new_revenue": feature.new_revenue,
        "new_revenue_high": feature.new_revenue_high,
        "business_case": case.as_dict(),
        "predicted_impact": impact,
    }
