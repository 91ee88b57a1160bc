"""API for experiments, and the assignment endpoint for teams without a flag system. No
`from __future__ import annotations` (see lodestar/api.py).

    GET    /workspaces/{slug}/experiments                     experiment.view
    POST   /workspaces/{slug}/experiments                     experiment.manage
    GET    /workspaces/{slug}/experiments/{experiment_key}    experiment.view
    PATCH  /workspaces/{slug}/experiments/{experiment_key}    experiment.manage (409 + changes)
    DELETE /workspaces/{slug}/experiments/{experiment_key}    experiment.manage
    POST   /workspaces/{slug}/experiments/{experiment_key}/start | /stop
    GET    /experiments/{flag_key}/variant?distinct_id=...    the product's write key
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status

from lodestar.analytics.capture import keys, ratelimit
from lodestar.core import cors, errors
from lodestar.core.access import public
from lodestar.core.pagination import paginate
from lodestar.experiments import selectors, services
from lodestar.experiments.models import (
    Correction,
    Engine,
    ExperimentStatus,
    Goal,
    MetricKind,
    MetricRole,
)
from lodestar.feedback.intake.widget import origin_known
from lodestar.planning.concurrency import EditConflict
from lodestar.workspaces.access import WorkspaceRequest, api_access
from lodestar.workspaces.api import ERRORS, WRITE_ERRORS, ConflictOut, conflict_response
from lodestar.workspaces.selectors import product_get

router = Router(tags=["experiments"])


class FilterIn(Schema):
    key: str = Field(..., max_length=200)
    op: str = Field("eq", max_length=10)
    value: Any = None


class StepIn(Schema):
    event: str = Field(..., max_length=200)
    filters: list[FilterIn] = []


class MetricIn(Schema):
    key: str = Field("", max_length=16, description="An existing metric's key (PATCH), to keep it.")
    name: str = Field("", max_length=120, description="Empty: named after the event.")
    role: MetricRole = MetricRole.SECONDARY
    kind: MetricKind = MetricKind.CONVERSION
    event: str = Field("", max_length=200)
    filters: list[FilterIn] = []
    steps: list[StepIn] = Field([], description="A funnel (conversion): 2 to 10 steps.")
    chart_key: str = Field("", max_length=16, description="A saved funnel: its steps are copied.")
    property: str = Field("", max_length=200, description="For a mean: the numeric property.")
    window_seconds: int = Field(14 * 86_400, description="60 (1 minute) to 7776000 (90 days).")
    goal: Goal = Goal.INCREASE


class VariantIn(Schema):
    name: str = Field(..., max_length=60)
    split: float = Field(..., description="A fraction of the traffic; the splits sum to 1.")


class SettingsIn(Schema):
    engine: Engine | None = None
    sequential: bool | None = None
    alpha: float | None = None
    correction: Correction | None = None
    prior_mean: float | None = Field(None, description="Relative lift, as a fraction.")
    prior_stddev: float | None = Field(None, description="> 0; both prior fields or neither.")
    cuped: bool | None = None
    cuped_days: int | None = None
    minimum_effect: float | None = Field(None, description="Relative change in %.")
    power: float | None = None
    minimum_sample: int | None = None


class ExperimentIn(SettingsIn):
    product_key: str = Field(..., max_length=20)
    name: str = Field(..., max_length=200)
    flag_key: str = Field(..., max_length=100)
    hypothesis: str = Field(..., max_length=20_000, description="Markdown.")
    feature_key: str = Field("", max_length=16)
    variants: list[VariantIn] | None = Field(
        None, description="Default: control and treatment, 50/50. The first is the control."
    )
    metrics: list[MetricIn] = []


class ExperimentPatch(SettingsIn):
    name: str | None = Field(None, max_length=200)
    flag_key: str | None = Field(None, max_length=100)
    hypothesis: str | None = Field(None, max_length=20_000)
    feature_key: str | None = Field(None, max_length=16)
    variants: list[VariantIn] | None = None
    metrics: list[MetricIn] | None = Field(
        None, description="The whole list (metrics not in it are deleted); before start only."
    )
    version: int | None = Field(
        None,
        ge=1,
        description="The version you read; if the experiment changed since, the PATCH is "
        "refused with 409 and the changes made since.",
    )


class ExperimentQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    product: str = Field("", max_length=20, description="A product key (default: all).")
    status: ExperimentStatus | None = None
    q: str = Field("", max_length=200, description="Name or flag key contains.")


class MetricOut(Schema):
    key: str
    name: str
    role: str
    kind: str
    event: str
    filters: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    chart_key: str | None
    property: str
    window_seconds: int
    goal: str


class ExperimentOut(Schema):
    key: str
    product_key: str
    name: str
    flag_key: str
    hypothesis: str
    feature_key: str | None
    status: str
    variants: list[dict[str, Any]]
    engine: str
    sequential: bool
    alpha: float
    correction: str
    prior_mean: float | None
    prior_stddev: float | None
    cuped: bool
    cuped_days: int
    minimum_effect: float
    power: float
    minimum_sample: int
    started_at: datetime | None
    stopped_at: datetime | None
    shipped_variant: str
    decision_key: str | None
    version: int
    created_at: datetime
    metrics: list[MetricOut]


class ExperimentPage(Schema):
    items: list[ExperimentOut]
    count: int
    next: str | None


class AssignmentOut(Schema):
    experiment: str
    variant: str
    running: bool


def _metric_out(metric) -> dict[str, Any]:
    return {
        "key": metric.key,
        "name": metric.name,
        "role": metric.role,
        "kind": metric.kind,
        "event": metric.event,
        "filters": metric.filters,
        "steps": metric.steps,
        "chart_key": metric.chart.key if metric.chart else None,
        "property": metric.property,
        "window_seconds": metric.window_seconds,
        "goal": metric.goal,
    }


def _out(experiment, metrics=None) -> dict[str, Any]:
    """The experiment as the API shows it; `metrics` when already fetched (a list page)."""
    if metrics is None:
        metrics = selectors.metric_list(experiment)
    return {
        "key": experiment.key,
        "product_key": experiment.product.key,
        "name": experiment.name,
        "flag_key": experiment.flag_key,
        "hypothesis": experiment.hypothesis,
        "feature_key": experiment.feature.key if experiment.feature else None,
        "status": experiment.status,
        "variants": experiment.variants,
        "engine": experiment.engine,
        "sequential": experiment.sequential,
        "alpha": float(experiment.alpha),
        "correction": experiment.correction,
        "prior_mean": experiment.prior_mean,
        "prior_stddev": experiment.prior_stddev,
        "cuped": experiment.cuped,
        "cuped_days": experiment.cuped_days,
        "minimum_effect": float(experiment.minimum_effect),
        "power": float(experiment.power),
        "minimum_sample": experiment.minimum_sample,
        "started_at": experiment.started_at,
        "stopped_at": experiment.stopped_at,
        "shipped_variant": experiment.shipped_variant,
        "decision_key": experiment.decision.key if experiment.decision else None,
        "version": experiment.version,
        "created_at": experiment.created_at,
        "metrics": [_metric_out(m) for m in metrics],
    }


def _metric_specs(metrics) -> list[dict[str, Any]]:
    return [m.dict() for m in metrics]


def _settings(payload: SettingsIn) -> dict[str, Any]:
    """The settings the request gave (the others keep their default or current value)."""
    return {
        name: getattr(payload, name)
        for name in SettingsIn.model_fields
        if name in payload.model_fields_set
    }


def _product(request: WorkspaceRequest, key: str, field: str = "product_key"):
    try:
        return product_get(workspace=request.workspace, key=key)
    except errors.NotFound:
        raise errors.Invalid(fields={field: [f"No product with key {key[:20]!r}."]}) from None


@router.get("/workspaces/{slug}/experiments", response={200: ExperimentPage, **ERRORS})
@api_access("experiment.view")
def experiment_list(request: WorkspaceRequest, slug: str, query: Query[ExperimentQuery]):
    product = _product(request, query.product, "product") if query.product else None
    rows = selectors.experiment_list(
        product=product, workspace=request.workspace, status=query.status or "", q=query.q
    )
    page = paginate(
        selectors.with_metrics(rows), cursor=query.cursor, limit=query.limit, newest_first=True
    )
    return page.as_dict(lambda experiment: _out(experiment, experiment.metrics.all()))


@router.post("/workspaces/{slug}/experiments", response={201: ExperimentOut, **WRITE_ERRORS})
@api_access("experiment.manage")
def experiment_create(request: WorkspaceRequest, slug: str, payload: ExperimentIn):
    experiment = services.experiment_create(
        product=_product(request, payload.product_key),
        actor=request.user,
        name=payload.name,
        flag_key=payload.flag_key,
        hypothesis=payload.hypothesis,
        feature_key=payload.feature_key,
        variants=[v.dict() for v in payload.variants] if payload.variants is not None else None,
        metrics=_metric_specs(payload.metrics),
        **_settings(payload),
    )
    return Status(
        201, _out(selectors.experiment_get(workspace=request.workspace, key=experiment.key))
    )


@router.get(
    "/workspaces/{slug}/experiments/{experiment_key}", response={200: ExperimentOut, **ERRORS}
)
@api_access("experiment.view")
def experiment_get(request: WorkspaceRequest, slug: str, experiment_key: str):
    return _out(selectors.experiment_get(workspace=request.workspace, key=experiment_key))


@router.patch(
    "/workspaces/{slug}/experiments/{experiment_key}",
    response={
        200: ExperimentOut,
        409: ConflictOut,
        **{k: v for k, v in WRITE_ERRORS.items() if k != 409},
    },
)
@api_access("experiment.manage")
def experiment_update(
    request: WorkspaceRequest, slug: str, experiment_key: str, payload: ExperimentPatch
):
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    given = payload.model_fields_set
    try:
        services.experiment_update(
            experiment=experiment,
            actor=request.user,
            version=payload.version,
            name=payload.name if payload.name is not None else experiment.name,
            hypothesis=(
                payload.hypothesis if payload.hypothesis is not None else experiment.hypothesis
            ),
            feature_key=(
                (payload.feature_key or "")
                if "feature_key" in given
                else (experiment.feature.key if experiment.feature else "")
            ),
            flag_key=payload.flag_key,
            variants=[v.dict() for v in payload.variants] if payload.variants is not None else None,
            metrics=_metric_specs(payload.metrics) if payload.metrics is not None else None,
            **_settings(payload),
        )
    except EditConflict as conflict:
        return conflict_response(conflict)
    return _out(selectors.experiment_get(workspace=request.workspace, key=experiment_key))


@router.delete(
    "/workspaces/{slug}/experiments/{experiment_key}", response={204: None, **WRITE_ERRORS}
)
@api_access("experiment.manage")
def experiment_delete(request: WorkspaceRequest, slug: str, experiment_key: str):
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    services.experiment_delete(experiment=experiment, actor=request.user)
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/experiments/{experiment_key}/start",
    response={200: ExperimentOut, **WRITE_ERRORS},
)
@api_access("experiment.manage")
def experiment_start(request: WorkspaceRequest, slug: str, experiment_key: str):
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    services.experiment_start(experiment=experiment, actor=request.user)
    return _out(selectors.experiment_get(workspace=request.workspace, key=experiment_key))


@router.post(
    "/workspaces/{slug}/experiments/{experiment_key}/stop",
    response={200: ExperimentOut, **WRITE_ERRORS},
)
@api_access("experiment.manage")
def experiment_stop(request: WorkspaceRequest, slug: str, experiment_key: str):
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    services.experiment_stop(experiment=experiment, actor=request.user)
    return _out(selectors.experiment_get(workspace=request.workspace, key=experiment_key))


# -- assignment ---------------------------------------------------------------------------

NO_KEY = (
    "No write key: send the product's capture key (lw_...) as `Authorization: Bearer <key>` "
    "or as `?api_key=`."
)


def _write_key(request: HttpRequest) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return (request.GET.get("api_key") or "").strip()


def _assignment(request: HttpRequest, flag_key: str) -> tuple[HttpResponse, bool]:
    """The answer, and whether the request's Origin may read it (CORS)."""
    origin = request.headers.get("Origin", "").strip()
    key = _write_key(request)
    if not key:
        raise errors.NotAuthenticated(NO_KEY)
    info = keys.lookup(key)
    # The capture key's own bucket: a variant lookup costs what one event does.
    ratelimit.take(info.write_key, 1)
    if origin and origin.lower() not in info.origins:
        raise errors.PermissionDenied(
            f"{origin[:200]} is not an allowed origin of this product; add it on the "
            "product's page in Lodestar."
        )
    distinct_id = (request.GET.get("distinct_id") or "").strip()
    if not distinct_id:
        raise errors.Invalid(
            fields={"distinct_id": ["Give the person's distinct_id: ?distinct_id=..."]}
        )
    if len(distinct_id) > 200:
        raise errors.Invalid(fields={"distinct_id": ["At most 200 characters."]})
    experiment = selectors.experiment_by_flag(
        product_key=info.product, workspace_id=info.workspace_id, flag_key=flag_key
    )
    variant, running = selectors.variant_for(experiment, distinct_id)
    body = {"experiment": experiment.flag_key, "variant": variant, "running": running}
    return JsonResponse(body), bool(origin)


@router.get(
    "/experiments/{flag_key}/variant",
    auth=None,
    response={200: AssignmentOut, **ERRORS},
    summary="The variant of an experiment for one person",
    description="Deterministic: the variant whose cumulative split interval holds "
    'sha256("<flag_key>:<distinct_id>")\'s first 8 bytes (big-endian) / 2**64. '
    "Authenticated by the product's write key (`Authorization: Bearer lw_...` or "
    "`?api_key=`); browsers may call it from the product's allowed origins. Not running: "
    "the control (or the shipped variant), with running false.",
)
@public
def experiment_variant(request: HttpRequest, flag_key: str):
    origin = request.headers.get("Origin", "").strip()
    share = False
    try:
        response, share = _assignment(request, flag_key)
    except errors.LodestarError as exc:
        response = JsonResponse(exc.as_dict(), status=exc.status)
        share = isinstance(exc, errors.Invalid | errors.NotFound | errors.RateLimited)
        if isinstance(exc, errors.RateLimited) and exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
    if origin:
        response["Vary"] = "Origin"
        if share:
            response["Access-Control-Allow-Origin"] = origin
    return response


# The CORS preflight of the GET above: a browser's, not part of the API's contract.
@router.api_operation(
    ["OPTIONS"], "/experiments/{flag_key}/variant", auth=None, include_in_schema=False
)
@public
def experiment_variant_preflight(request: HttpRequest, flag_key: str):
    origin = request.headers.get("Origin", "").strip()
    if not request.headers.get("Access-Control-Request-Method"):
        # Not a browser's preflight: OPTIONS is no method of this API.
        refused = errors.MethodNotAllowed("GET the variant; OPTIONS is only a CORS preflight.")
        return JsonResponse(refused.as_dict(), status=refused.status)
    return cors.preflight(
        origin,
        known=origin_known(origin),
        methods="GET, OPTIONS",
        headers="Authorization",
        refusal="This origin may not ask for variants: add it to the product's allowed origins.",
    )
