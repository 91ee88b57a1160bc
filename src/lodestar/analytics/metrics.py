"""Key results fed by a saved chart: the chart's last value becomes the key result's current
value, refreshed every `refresh_minutes` by the compactor's ticker thread (any server
worker; a conditional update claims each refresh, so two workers never run the same one),
by "Refresh now", and by `lodestar manage refresh_metrics`.

The last value of a chart:
    trends     the last interval's value of the first series
    funnel     the overall conversion, first step to last, in %
    sql        the last row's (first) y column
    other      the query module's own `last_value(result)`, when it has one

A refresh that changes the value records a check-in (strategy's key_result_update, by
"Lodestar"); one that fails keeps the value and records `last_error`.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connections, transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.analytics.charts import chart_run, query_module
from lodestar.analytics.models import Chart, ChartKind, KeyResultMetric
from lodestar.core.errors import Invalid
from lodestar.strategy.services import key_result_update

log = logging.getLogger(__name__)

MIN_MINUTES = 5
MAX_MINUTES = 7 * 24 * 60
CHECK_SECONDS = 30.0  # how often the ticker looks for due metrics
LIMIT = Decimal("1e12")


class NoValue(Exception):
    """The chart's result has no value to take."""


def last_value(kind: str, result: dict, figure: dict | None) -> float:
    module = query_module(kind)
    if module is not None and hasattr(module, "last_value"):
        value = module.last_value(result)
    elif kind == ChartKind.FUNNEL:
        steps = result.get("steps") or []
        if len(steps) < 2:
            raise NoValue("The funnel has fewer than two steps.")
        first = steps[0].get("count") or 0
        if not first:
            raise NoValue("No one entered the funnel in its date range.")
        value = 100 * (steps[-1].get("count") or 0) / first
    elif kind == ChartKind.TRENDS:
        traces = (figure or {}).get("data") or []
        ys = [y for y in (traces[0].get("y") or []) if y is not None] if traces else []
        if not ys:
            raise NoValue("The chart's first series has no values.")
        value = ys[-1]
    elif kind == ChartKind.SQL:
        columns, rows = result.get("columns") or [], result.get("rows") or []
        ys = result.get("y") or []
        if not rows or not ys or ys[0] not in columns:
            raise NoValue("The query gave no numeric column to take a value from.")
        value = rows[-1][columns.index(ys[0])]
    else:
        raise NoValue("A value cannot be taken from this kind of chart.")
    if value is None:
        raise NoValue("The chart has no value yet.")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise NoValue("The chart's last value is not a number.")
    return number


def metric_of(key_result) -> KeyResultMetric | None:
    return KeyResultMetric.objects.filter(key_result=key_result).select_related("chart").first()


def _minutes(value, errors: dict[str, list[str]]) -> int:
    try:
        minutes = int(str(value).strip() or 60)
    except ValueError:
        errors["refresh_minutes"] = ["Give a whole number of minutes."]
        return 60
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["refresh_minutes"] = [
            f"Between {MIN_MINUTES} minutes and {MAX_MINUTES // 1440} days ({MAX_MINUTES})."
        ]
    return minutes


def metric_set(*, key_result, actor, chart_key: str, refresh_minutes=60) -> KeyResultMetric:
    """Feed the key result from a saved chart (of its objective's workspace), refresh now."""
    errors: dict[str, list[str]] = {}
    workspace = key_result.objective.workspace
    chart = Chart.objects.filter(workspace=workspace, key=chart_key).first()
    if chart is None:
        errors["chart_key"] = ["Pick one of the saved charts."]
    minutes = _minutes(refresh_minutes, errors)
    if errors or chart is None:
        raise Invalid(fields=errors)
    with transaction.atomic():
        metric, _created = KeyResultMetric.objects.update_or_create(
            key_result=key_result,
            defaults={"chart": chart, "refresh_minutes": minutes, "refreshed_at": None},
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="fed from a chart",
            target_type="key result",
            target_key=key_result.key,
            target_label=key_result.metric,
            changes={"chart": [None, chart.name], "refresh_minutes": [None, minutes]},
        )
    metric_refresh(metric)
    return metric


def metric_remove(*, key_result, actor) -> None:
    metric = metric_of(key_result)
    if metric is None:
        return
    with transaction.atomic():
        activity_record(
            workspace=key_result.objective.workspace,
            actor=actor,
            verb="stopped feeding from a chart",
            target_type="key result",
            target_key=key_result.key,
            target_label=key_result.metric,
            changes={"chart": [metric.chart.name, None]},
        )
        metric.delete()


def metric_refresh(metric: KeyResultMetric, *, now: datetime | None = None) -> Decimal | None:
    """Run the chart and put its last value on the key result (a check-in when it changed).
    Returns the value, or None after recording `last_error`."""
    now = now or timezone.now()
    chart = metric.chart
    rendered = chart_run(chart)
    error = rendered.error
    value: Decimal | None = None
    if not error:
        try:
            number = last_value(chart.kind, rendered.result or {}, rendered.figure)
            value = Decimal(repr(number)).quantize(Decimal("0.0001"))
            if abs(value) >= LIMIT:
                raise NoValue("The chart's last value is too large for a key result.")
        except (NoValue, InvalidOperation, TypeError, ValueError) as exc:
            error = str(exc) or "The chart has no value to take."
            value = None
    kr = metric.key_result
    if value is not None:
        try:
            key_result_update(key_result=kr, actor=None, current=f"{value:f}")
        except Invalid as exc:
            error = "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message
            value = None
    metric.refreshed_at = now
    metric.last_error = error[:500]
    metric.save(update_fields=["refreshed_at", "last_error"])
    return value


def due(metric: KeyResultMetric, now: datetime) -> bool:
    return (
        metric.refreshed_at is None
        or metric.refreshed_at + timedelta(minutes=metric.refresh_minutes) <= now
    )


def refresh_due(*, now: datetime | None = None, force: bool = False) -> tuple[int, int]:
    """Refresh every metric that is due (all of them with `force`); returns (refreshed,
    failed). Each is claimed first by a conditional update of refreshed_at, so concurrent
    callers (several server workers) never refresh the same metric twice."""
    now = now or timezone.now()
    done = failed = 0
    metrics = KeyResultMetric.objects.select_related(
        "chart__product", "chart__workspace", "key_result__objective__workspace"
    )
    for metric in metrics.order_by("pk"):
        if not force and not due(metric, now):
            continue
        claimed = KeyResultMetric.objects.filter(
            pk=metric.pk, refreshed_at=metric.refreshed_at
        ).update(refreshed_at=now)
        if not claimed:
            continue
        try:
            ok = metric_refresh(metric, now=now) is not None
        except Exception:  # one broken metric must not stop the others
            log.exception("refreshing key result metric %s failed", metric.pk)
            ok = False
        done += ok
        failed += not ok
    return done, failed


_next_check = 0.0


def tick() -> None:
    """Called by the compactor's ticker every second: every CHECK_SECONDS, refresh what is
    due. Never raises (the ticker thread must live on)."""
    global _next_check
    if time.monotonic() < _next_check:
        return
    _next_check = time.monotonic() + CHECK_SECONDS
    try:
        refresh_due()
    except Exception:
        log.exception("key result metrics refresh failed")
    finally:
        connections.close_all()  # this thread's connections only (they are per thread)
