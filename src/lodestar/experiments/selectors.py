"""Reads for experiments: lists and lookups (workspace-checked), the deterministic variant
assignment, and the calculator's baseline from the event store."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from lodestar.analytics.models import Chart, ChartKind
from lodestar.core.errors import Invalid, NotFound
from lodestar.experiments.models import (
    Experiment,
    ExperimentStatus,
    Metric,
    MetricKind,
    MetricRole,
)
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Product, Workspace

STATUS_FILTERS = {"": "Any status", **dict(ExperimentStatus.choices)}
BASELINE_DAYS = 14


def experiment_list(
    *,
    product: Product | None = None,
    workspace: Workspace | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Experiment]:
    """A product's experiments (or, without a product, all of `workspace`'s), optionally of
    one status and matching `q` (name or flag key, case-insensitive). Invalid for an
    unknown status."""
    if product is not None:
        rows = Experiment.objects.filter(product=product)
    elif workspace is not None:
        rows = Experiment.objects.filter(workspace=workspace)
    else:
        raise ValueError("experiment_list needs a product or a workspace")
    rows = rows.select_related("feature", "product", "decision")
    if status:
        if status not in ExperimentStatus.values:
            raise Invalid(fields={"status": [f"Choose one of: {', '.join(ExperimentStatus)}."]})
        rows = rows.filter(status=status)
    q = (q or "").strip()[:200]
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(flag_key__icontains=q))
    return rows


def experiment_get(*, workspace: Workspace, key: str) -> Experiment:
    """The workspace's experiment with `key` (NotFound for another workspace's)."""
    experiment = (
        Experiment.objects.filter(workspace=workspace, key=key)
        .select_related("product", "feature", "decision", "created_by")
        .first()
    )
    if experiment is None:
        raise NotFound("No such experiment.")
    return experiment


def experiment_by_flag(*, product_key: str, workspace_id: int, flag_key: str) -> Experiment:
    """The experiment with `flag_key` in a product (by the product's key, as a write key's
    lookup gives it). NotFound naming the key otherwise."""
    experiment = (
        Experiment.objects.filter(
            workspace_id=workspace_id, product__key=product_key, flag_key=flag_key
        )
        .only("key", "flag_key", "variants", "status", "shipped_variant")
        .first()
    )
    if experiment is None:
        raise NotFound(f"No experiment with flag key “{flag_key[:100]}” in this product.")
    return experiment


def metric_list(experiment: Experiment) -> list[Metric]:
    return list(experiment.metrics.select_related("chart"))


def with_metrics(rows: QuerySet[Experiment]) -> QuerySet[Experiment]:
    """`rows` with their metrics (and charts) fetched in one more query, not one each."""
    return rows.prefetch_related(
        Prefetch("metrics", queryset=Metric.objects.select_related("chart"))
    )


def primary_metric(experiment: Experiment) -> Metric | None:
    return next((m for m in metric_list(experiment) if m.role == MetricRole.PRIMARY), None)


def feature_choices(product: Product) -> list[tuple[str, str]]:
    """(key, title) of the product's features, for the form's feature picker."""
    rows = Feature.objects.filter(workspace=product.workspace, product=product).order_by("title")
    return [(key, title) for key, title in rows.values_list("key", "title")[:1000]]


def funnel_charts(product: Product) -> list[tuple[str, str]]:
    """(key, name) of the product's saved funnels, usable as a conversion metric."""
    rows = Chart.objects.filter(product=product, kind=ChartKind.FUNNEL).order_by("name")
    return [(key, name) for key, name in rows.values_list("key", "name")[:500]]


# -- assignment ---------------------------------------------------------------------------


def bucket(flag_key: str, distinct_id: str) -> float:
    """Where an id falls in [0, 1): the first 8 bytes of sha256("<flag_key>:<distinct_id>")
    as a big-endian unsigned integer, divided by 2**64. The same everywhere, always."""
    digest = hashlib.sha256(f"{flag_key}:{distinct_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(flag_key: str, distinct_id: str, variants: list[dict]) -> str:
    """The variant whose cumulative split interval holds the id's bucket."""
    point = bucket(flag_key, distinct_id)
    upper = 0.0
    for variant in variants:
        upper += float(variant["split"])
        if point < upper:
            return variant["name"]
    return variants[-1]["name"]  # rounding: the splits sum to 1 only within 1e-6


def variant_for(experiment: Experiment, distinct_id: str) -> tuple[str, bool]:
    """(variant, running): the assigned variant while the experiment runs; otherwise the
    shipped variant once one is recorded, else the control."""
    if experiment.status == ExperimentStatus.RUNNING:
        return assign(experiment.flag_key, distinct_id, experiment.variants), True
    return experiment.shipped_variant or experiment.variants[0]["name"], False


# -- the calculator's baseline -----------------------------------------------------------


@dataclass
class Baseline:
    metric: str  # "binomial" or "mean"
    mean: float | None  # conversion rate or mean per person
    stddev: float | None
    daily: float | None  # persons active per day, on average
    persons: int
    days: int
    note: str = ""

    @property
    def percent(self) -> float | None:
        """A conversion baseline in %."""
        return None if self.mean is None else self.mean * 100


def calculator_baseline(experiment: Experiment, *, days: int = BASELINE_DAYS) -> Baseline:
    """The primary metric over the product's persons active in the last `days` days, and
    how many persons are active per day: a first guess for the calculator (no window, no
    funnel order: a funnel counts as its last step)."""
    from lodestar.analytics.queries import filters as event_filters
    from lodestar.analytics.queries.base import source_for

    metric = primary_metric(experiment)
    kind = "binomial" if metric is None or metric.kind == MetricKind.CONVERSION else "mean"
    empty = Baseline(kind, None, None, None, 0, days)
    if metric is None:
        empty.note = "Add a primary metric to the experiment to fill in its baseline."
        return empty
    event = metric.steps[-1]["event"] if metric.steps else metric.event
    step_filters = metric.steps[-1].get("filters", []) if metric.steps else metric.filters
    since = timezone.now() - timedelta(days=days)
    with source_for(experiment.workspace) as src:
        d = src.dialect
        product = d.literal(experiment.product.key)
        match = (
            f"e.event = {d.literal(event)} AND "
            f"{event_filters.where(d, event_filters.parse_filters(step_filters), 'e.properties')}"
        )
        if metric.kind == MetricKind.MEAN:
            value = f"{d.json_num('e.properties', metric.property)}"
            per_person = f"sum(CASE WHEN {match} THEN coalesce({value}, 0) ELSE 0 END)"
        elif metric.kind == MetricKind.COUNT:
            per_person = f"sum(CASE WHEN {match} THEN 1 ELSE 0 END)"
        else:
            per_person = f"max(CASE WHEN {match} THEN 1 ELSE 0 END)"
        sql = f"""
            WITH people AS (
                SELECT e.person_id AS person_id, {per_person} AS v
                FROM events e
                WHERE e.product = {product} AND e.timestamp >= {d.literal(since)}
                GROUP BY e.person_id)
            SELECT count(*) AS n, sum(v) AS s, sum(v * v) AS ss FROM people"""  # noqa: S608
        n, total, squares = src.query(sql).rows[0]
        daily_sql = f"""
            SELECT count(*) AS pd FROM (
                SELECT DISTINCT e.person_id AS person_id, {d.trunc("day", "e.timestamp")} AS day
                FROM events e
                WHERE e.product = {product} AND e.timestamp >= {d.literal(since)}) t"""  # noqa: S608
        (person_days,) = src.query(daily_sql).rows[0]
    n = int(n or 0)
    if n == 0:
        empty.note = f"No events of {experiment.product.name} in the last {days} days."
        return empty
    mean = float(total or 0) / n
    variance = max(float(squares or 0) / n - mean * mean, 0.0)
    if mean == 0:
        # Nobody did it yet (often: the feature's event does not exist before the test).
        what = " → ".join(s["event"] for s in metric.steps) if metric.steps else event
        return Baseline(
            kind,
            None,
            None,
            float(person_days or 0) / days,
            n,
            days,
            note=f"None of the {n:,} persons active in the last {days} days did {what}: "
            "enter the rate or mean you expect for the control.",
        )
    return Baseline(
        metric=kind,
        mean=mean,
        stddev=math.sqrt(variance) if kind == "mean" else None,
        daily=float(person_days or 0) / days,
        persons=n,
        days=days,
    )
