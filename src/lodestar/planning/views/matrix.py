"""The value-versus-effort matrix page (a Plotly scatter, with a table for keyboards)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from lodestar.core.errors import NotFound
from lodestar.planning import scoring_selectors
from lodestar.planning.matrix import SCORE, matrix_build
from lodestar.planning.models import FeatureStatus, ScoringModel
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import product_get

LISTED = 100  # features per quadrant in the table, and features "not on the matrix" listed


def _model(request: WorkspaceRequest, models: list[ScoringModel]) -> ScoringModel | None:
    """`?model=KEY`, else `?product=KEY`'s default model, else the first default (as the
    ranking page chooses)."""
    key = request.GET.get("model", "")
    if key:
        model = next((m for m in models if m.key == key), None)
        if model is None:
            raise NotFound("No such scoring model.")
        return model
    if request.GET.get("product"):
        product = product_get(workspace=request.workspace, key=request.GET["product"])
        return next((m for m in models if m.product_id == product.pk and m.is_default), None)
    return next((m for m in models if m.is_default), models[0] if models else None)


@workspace_view(read="feature.view")
def matrix(request: WorkspaceRequest) -> HttpResponse:
    models = list(scoring_selectors.scoring_models_of(workspace=request.workspace))
    model = _model(request, models)
    if model is None:
        return render(request, "planning/matrix.html", {"models": models, "model": None})
    status = request.GET.get("status", scoring_selectors.OPEN)
    if status not in FeatureStatus.values and status != scoring_selectors.OPEN:
        status = ""
    result = matrix_build(model=model, status=status, measure=request.GET.get("value", SCORE))
    quadrants = [
        (key, name, meaning, len(rows), rows[:LISTED])
        for key, name, meaning, rows in result.by_quadrant
    ]
    return render(
        request,
        "planning/matrix.html",
        {
            "models": models,
            "model": model,
            "matrix": result,
            "figure": result.figure(),
            "quadrants": quadrants,
            "left_off": result.left_off[:LISTED],
            "left_more": max(len(result.left_off) - LISTED, 0),
            "listed": LISTED,
            "status": status,
            "statuses": FeatureStatus.choices,
        },
    )
