"""API for scoring. No `from __future__ import annotations` (see lodestar/api.py)."""

from typing import Any

from ninja import Field, Query, Router, Schema

from lodestar.core.errors import Invalid
from lodestar.planning import scoring_selectors as selectors
from lodestar.planning.models import FeatureStatus
from lodestar.planning.scoring_services import formula_error_text
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
