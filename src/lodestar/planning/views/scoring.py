"""Scoring models, the ranked list with every score explained, what-if, driver values."""

from __future__ import annotations

import math
from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.core.errors import NotFound
from lodestar.core.forms import form_status, submit
from lodestar.planning import scoring_selectors as selectors
from lodestar.planning import scoring_services as services
from lodestar.planning.forms import DriverForm, ScoringModelForm
from lodestar.planning.formula import FormulaError, parse
from lodestar.planning.models import FeatureStatus, Horizon, ScoringModel
from lodestar.planning.selectors import feature_get
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import product_get, product_list, team_list

SHOWN = 200  # ranked rows on the page; the API and CLI give them all


def _what_if(query) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    """One what-if driver value from the query: feature key, driver name and value."""
    form = {k: query.get(f"what_{k}", "")[:100] for k in ("feature", "driver", "value")}
    value = _float(form["value"])
    if form["feature"] and form["driver"] and value is not None:
        return {(form["feature"], form["driver"]): value}, form
    return {}, form


def _weights(query, model: ScoringModel) -> tuple[dict[str, float], dict[str, str]]:
    """The model's named weights, each replaced by a what-if value from the query if given;
    and the message for each given value that is not a number."""
    weights, errors = dict(model.weight_items), {}
    for name in weights:
        raw = query.get(f"weight_{name}", "").strip()
        if not raw:
            continue
        value = _float(raw)
        if value is None:
            errors[name] = f"{name}: use a number; the saved {weights[name]:g} is used."
        else:
            weights[name] = value
    return weights, errors


def _shown(query, name: str, value: float) -> str:
    """What a weight's what-if input shows: what was typed, else the value."""
    return query.get(f"weight_{name}", "").strip()[:100] or f"{value:.12g}"


def _float(text: str) -> float | None:
    try:
        value = float(text[:100])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@workspace_view(read="feature.view")
def ranking(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    models = list(selectors.scoring_models_of(workspace=workspace))
    model: ScoringModel | None = None
    key = request.GET.get("model", "")
    if key:
        model = next((m for m in models if m.key == key), None)
        if model is None:
            raise NotFound("No such scoring model.")
    elif request.GET.get("product"):
        product = product_get(workspace=workspace, key=request.GET["product"])
        model = next((m for m in models if m.product_id == product.pk and m.is_default), None)
    elif models:
        model = next((m for m in models if m.is_default), models[0])
    if model is None:
        return render(request, "planning/ranking.html", {"models": models, "model": None})
    status = request.GET.get("status", selectors.OPEN)
    status = status if status in FeatureStatus.values or status == selectors.OPEN else ""
    # The what-if fields belong to the model the form was shown for (`for_model`): after
    # choosing another model in the same form they are dropped for the new model's own.
    switched = request.GET.get("for_model", model.key) != model.key
    query = {} if switched else request.GET
    formula = str(query.get("formula", ""))[:1000].strip() or model.formula
    overrides, what = _what_if(query)
    weights, weight_errors = _weights(query, model)
    trying = formula != model.formula or bool(overrides) or weights != model.weights
    horizon = request.GET.get("horizon", "")
    horizon = horizon if horizon in Horizon.values or horizon == selectors.NO_HORIZON else ""
    teams = list(team_list(workspace=workspace).order_by("name").values_list("key", "name")[:200])
    team = request.GET.get("team", "")
    team = team if any(key == team for key, _ in teams) else ""
    result = selectors.rank(
        product=model.product,
        formula=formula,
        weights=weights,
        status=status,
        horizon=horizon,
        team=team,
        overrides=overrides,
        compare_with=(model.formula, model.weights) if trying else None,
    )
    shown = result.scored[:SHOWN]
    business = request.GET.get("business") == "1"
    if business and shown:
        selectors.add_business_cases(workspace=workspace, rows=shown)
    return render(
        request,
        "planning/ranking.html",
        {
            "models": models,
            "model": model,
            "ranking": result,
            "shown": shown,
            "business": business,
            "more": max(len(result.scored) - SHOWN, 0),
            "unscored": result.unscored[:SHOWN],
            # The what-if choice: the features on the page (the list would be thousands long).
            "what_rows": (result.scored[:SHOWN] + result.unscored[:SHOWN])[: SHOWN * 2],
            "formula_error": (
                services.formula_error_text(result.error, formula) if result.error else ""
            ),
            "formula": formula,
            "weights": weights,
            "weights_text": services.weights_text(weights, "; "),
            "weight_fields": [
                (name, _shown(query, name, value), weight_errors.get(name, ""))
                for name, value in weights.items()
            ],
            "changed": formula != model.formula or weights != model.weights,
            "trying": trying,
            "what": what,
            "status": status,
            "statuses": FeatureStatus.choices,
            "horizon": horizon,
            "horizons": Horizon.choices,
            "team": team,
            "teams": teams,
            "data_drivers": services.DATA_DRIVERS,
        },
        status=400 if result.error else 200,
    )


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:50]]


def _create(*, workspace, actor, product_key: str, **data) -> ScoringModel:
    product = product_get(workspace=workspace, key=product_key)
    return services.scoring_model_create(workspace=workspace, product=product, actor=actor, **data)


@workspace_view(read="feature.view", write="scoring.manage")
def scoring_models(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = ScoringModelForm(
        request.POST or None, products=_products(workspace), initial={"kind": "rice"}
    )
    done = submit(request, form, partial(_create, workspace=workspace, actor=request.user))
    if done.ok:
        messages.success(request, f"{done.result.name} was added.")
        return redirect("planning:scoring_model", slug=workspace.slug, model_key=done.result.key)
    return render(
        request,
        "planning/scoring_models.html",
        {
            "models": selectors.scoring_models_of(workspace=workspace),
            "form": form,
            "kind_formulas": services.KIND_FORMULAS,
            "data_drivers": services.DATA_DRIVERS,
        },
        status=form_status(form),
    )


@workspace_view(read="feature.view", write="scoring.manage")
def scoring_model(request: WorkspaceRequest, model_key: str) -> HttpResponse:
    model = selectors.scoring_model_get(workspace=request.workspace, key=model_key)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.scoring_model_delete(model=model, actor=request.user)
        messages.success(request, f"{model.name} was deleted.")
        return redirect("planning:scoring_models", slug=request.workspace.slug)
    form = ScoringModelForm(
        request.POST or None,
        initial={
            "name": model.name,
            "kind": model.kind,
            "formula": model.formula,
            "weights": services.weights_text(model.weights),
            "is_default": model.is_default,
        },
    )
    if submit(
        request, form, partial(services.scoring_model_update, model=model, actor=request.user)
    ).ok:
        messages.success(request, "Scoring model saved.")
        return redirect("planning:scoring_model", slug=request.workspace.slug, model_key=model.key)
    return render(
        request,
        "planning/scoring_model.html",
        {
            "model": model,
            "form": form,
            "kind_formulas": services.KIND_FORMULAS,
            "data_drivers": services.DATA_DRIVERS,
        },
        status=form_status(form),
    )


def feature_scores(feature, demand: dict | None = None) -> dict:
    """The scoring section of a feature page: each model of its product with this feature's
    score explained, and the entered drivers those models use."""
    if feature.product_id is None:
        return {"models": [], "names": [], "values": {}}
    models = list(selectors.scoring_model_list(product=feature.product))
    weights = {name for m in models for name in m.weights}
    names = selectors.entered_drivers(model_formulas=[m.formula for m in models], weights=weights)
    values = selectors.driver_values(features=[feature], demand=demand)[feature.pk]
    known = set(services.DATA_DRIVERS) | set(values)
    rows = []
    for m in models:
        try:
            parsed = parse(m.formula)
        except FormulaError as exc:
            rows.append((m, selectors.Scored(feature, error=exc)))
            continue
        with_weights = {**values, **m.weights}
        rows.append(
            (m, selectors.score_feature(parsed, feature, with_weights, known | set(m.weights)))
        )
    history = selectors.score_history(feature=feature)
    return {"models": rows, "names": names, "values": values, "history": history}


@workspace_view(read="feature.view", write="scoring.manage")
def feature_drivers(request: WorkspaceRequest, feature_key: str) -> HttpResponse:
    feature = feature_get(workspace=request.workspace, key=feature_key)
    scores = feature_scores(feature)
    form = DriverForm(request.POST or None, names=scores["names"])
    done = submit(
        request,
        form,
        lambda **values: services.driver_values_set(
            feature=feature, actor=request.user, values=values
        ),
    )
    if done.ok or request.method != "POST":
        if done.ok:
            messages.success(request, "Driver values saved.")
        return redirect("planning:feature", slug=request.workspace.slug, feature_key=feature.key)
    return render(
        request,
        "planning/feature_drivers.html",
        {"feature": feature, "form": form},
        status=form_status(form),
    )
