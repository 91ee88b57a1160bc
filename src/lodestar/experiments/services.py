"""Writes for experiments: create, edit (versioned), start, stop, delete, and their metrics.

Every write validates first (Invalid naming each bad field: `variants.1.split`,
`metrics.0.event`, ...), then writes in one transaction together with its activity-log entry
(target_type "experiment"), so nothing is ever half-written.

Life cycle: draft -> running (experiment_start) -> stopped (experiment_stop) -> running again
(experiment_start resumes: the original start is kept, so results span both periods). An
experiment never goes back to draft, and one whose outcome is recorded does not start again.
Once started (started_at set), its flag key, variants and metrics are frozen: changing what
is measured, or who gets what, in the middle of a test would bias the result."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record, diff
from lodestar.analytics.models import Chart, ChartKind
from lodestar.analytics.queries import filters as event_filters
from lodestar.core.errors import Conflict, Invalid
from lodestar.experiments.models import (
    MAX_TEXT,
    MAX_VARIANTS,
    Correction,
    Engine,
    Experiment,
    ExperimentStatus,
    Goal,
    Metric,
    MetricKind,
    MetricRole,
)
from lodestar.planning.concurrency import save_versioned
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Product

TARGET = "experiment"
FLAG_KEY_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
MIN_VARIANTS = 2
SPLIT_TOLERANCE = 1e-6
MAX_METRICS = 20
MAX_STEPS = 10
MIN_WINDOW = 60
MAX_WINDOW = 90 * 86_400
VARIANT_NAME_MAX = 60

Errors = dict[str, list[str]]

# The settings of an experiment besides its variants and metrics, with their defaults.
SETTINGS: dict[str, Any] = {
    "engine": Engine.FREQUENTIST,
    "sequential": False,
    "alpha": Decimal("0.05"),
    "correction": Correction.HOLM,
    "prior_mean": None,
    "prior_stddev": None,
    "cuped": True,
    "cuped_days": 14,
    "minimum_effect": Decimal("5"),
    "power": Decimal("0.8"),
    "minimum_sample": 100,
}


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# -- validation ---------------------------------------------------------------------------


def _text(
    errors: Errors, field: str, value: Any, *, required: str = "", limit: int = MAX_TEXT
) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        _add(errors, field, required)
    elif len(text) > limit:
        _add(errors, field, f"At most {limit} characters (this has {len(text)}).")
    return text


def _decimal(
    errors: Errors, field: str, value: Any, *, low: str, high: str, message: str, places: str
) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        _add(errors, field, message)
        return None
    if not number.is_finite() or not Decimal(low) <= number <= Decimal(high):
        _add(errors, field, message)
        return None
    return number.quantize(Decimal(places))


def _integer(errors: Errors, field: str, value: Any, *, low: int, high: int, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        _add(errors, field, message)
        return low
    if not low <= number <= high:
        _add(errors, field, message)
    return number


def _float_or_none(errors: Errors, field: str, value: Any, message: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        _add(errors, field, message)
        return None
    if number != number or number in (float("inf"), float("-inf")):
        _add(errors, field, message)
        return None
    return number


def check_flag_key(product: Product, flag_key: Any, *, exclude: Experiment | None = None) -> str:
    """The flag key, stripped; Invalid(fields={"flag_key": ...}) naming the problem."""
    errors: Errors = {}
    key = _flag_key(errors, product, flag_key, exclude)
    if errors:
        raise Invalid(fields=errors)
    return key


def _flag_key(errors: Errors, product: Product, value: Any, exclude: Experiment | None) -> str:
    key = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not key:
        _add(
            errors,
            "flag_key",
            "Give the flag key: the feature flag's key in PostHog, the experiment's name in "
            "Segment, or your own key for $exposure events and the assignment API.",
        )
    elif len(key) > 100:
        _add(errors, "flag_key", f"At most 100 characters in the flag key (this has {len(key)}).")
    elif not FLAG_KEY_RE.match(key):
        _add(errors, "flag_key", "Use only letters, digits, -, _ and . in the flag key.")
    else:
        taken = Experiment.objects.filter(product=product, flag_key=key)
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        if taken.exists():
            _add(
                errors,
                "flag_key",
                f"Another experiment of {product.name} already uses the flag key “{key}”.",
            )
    return key


def check_variants(variants: Any) -> list[dict[str, Any]]:
    """Variants as stored: [{"name", "split"}], 2 to 5, unique names, splits > 0 summing to 1
    (within 1e-6). Invalid naming `variants` or `variants.<i>.name|split` otherwise."""
    errors: Errors = {}
    result = _variants(errors, variants)
    if errors:
        raise Invalid(fields=errors)
    return result


def _variants(errors: Errors, variants: Any) -> list[dict[str, Any]]:
    if not isinstance(variants, list | tuple):
        _add(errors, "variants", 'Variants are a list of {"name", "split"}.')
        return []
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        _add(
            errors,
            "variants",
            f"An experiment has {MIN_VARIANTS} to {MAX_VARIANTS} variants (the first is the "
            f"control); this one has {len(variants)}.",
        )
        return []
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, variant in enumerate(variants):
        if not isinstance(variant, Mapping):
            _add(errors, f"variants.{i}", 'Write each variant as {"name", "split"}.')
            continue
        name = variant.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            _add(errors, f"variants.{i}.name", f"Name variant {i + 1}.")
        elif len(name) > VARIANT_NAME_MAX:
            _add(errors, f"variants.{i}.name", f"At most {VARIANT_NAME_MAX} characters.")
        elif name.lower() in seen:
            _add(errors, f"variants.{i}.name", f"Variant names must differ: “{name}” is twice.")
        seen.add(name.lower())
        split = _float_or_none(
            errors, f"variants.{i}.split", variant.get("split"), "Give the split as a number."
        )
        if split is None:
            if f"variants.{i}.split" not in errors:
                _add(errors, f"variants.{i}.split", "Give the variant's share of the traffic.")
        elif split <= 0:
            _add(errors, f"variants.{i}.split", "Each variant's split must be more than 0.")
        result.append({"name": name, "split": split})
    splits = [v["split"] for v in result if isinstance(v["split"], float)]
    if len(splits) == len(variants) and not any(k.startswith("variants.") for k in errors):
        total = sum(splits)
        if abs(total - 1) > SPLIT_TOLERANCE:
            _add(
                errors,
                "variants",
                f"The splits add up to {total:.6g} ({total * 100:.4g} %); they must add up to "
                "1 (100 %).",
            )
    return result


def _feature(errors: Errors, product: Product, feature_key: Any) -> Feature | None:
    key = (feature_key or "").strip() if isinstance(feature_key, str | None) else str(feature_key)
    if not key:
        return None
    feature = (
        Feature.objects.filter(workspace=product.workspace, key=key)
        .select_related("product")
        .first()
    )
    if feature is None:
        _add(errors, "feature_key", f"No feature with key “{key[:40]}” in this workspace.")
    elif feature.product_id != product.pk:
        _add(
            errors,
            "feature_key",
            f"“{feature.title}” is not a feature of {product.name}: link a feature of the "
            "experiment's own product.",
        )
        return None
    return feature


def _settings(errors: Errors, data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    engine = data.get("engine", SETTINGS["engine"])
    if engine not in Engine.values:
        _add(errors, "engine", "Choose the frequentist or the Bayesian engine.")
    values["engine"] = engine
    values["sequential"] = bool(data.get("sequential", SETTINGS["sequential"]))
    values["alpha"] = _decimal(
        errors,
        "alpha",
        data.get("alpha", SETTINGS["alpha"]),
        low="0.001",
        high="0.2",
        places="0.001",
        message="Alpha (the false-positive rate) must be from 0.001 to 0.2; 0.05 is usual.",
    )
    correction = data.get("correction", SETTINGS["correction"])
    if correction not in Correction.values:
        _add(errors, "correction", "Choose Holm, Benjamini-Hochberg or none.")
    values["correction"] = correction
    mean = _float_or_none(
        errors, "prior_mean", data.get("prior_mean"), "Give the prior's mean as a number."
    )
    stddev = _float_or_none(
        errors,
        "prior_stddev",
        data.get("prior_stddev"),
        "Give the prior's standard deviation as a number.",
    )
    if stddev is not None and stddev <= 0:
        _add(errors, "prior_stddev", "The prior's standard deviation must be more than 0.")
    if (mean is None) != (stddev is None) and "prior_stddev" not in errors:
        _add(
            errors,
            "prior_stddev" if stddev is None else "prior_mean",
            "Give both the prior's mean and its standard deviation, or neither (a flat prior).",
        )
    values["prior_mean"], values["prior_stddev"] = mean, stddev
    values["cuped"] = bool(data.get("cuped", SETTINGS["cuped"]))
    values["cuped_days"] = _integer(
        errors,
        "cuped_days",
        data.get("cuped_days", SETTINGS["cuped_days"]),
        low=1,
        high=90,
        message="CUPED looks back 1 to 90 days before exposure.",
    )
    values["minimum_effect"] = _decimal(
        errors,
        "minimum_effect",
        data.get("minimum_effect", SETTINGS["minimum_effect"]),
        low="0.01",
        high="9999.99",
        places="0.01",
        message="The minimum effect is a relative change in %, from 0.01 to 9999.99.",
    )
    values["power"] = _decimal(
        errors,
        "power",
        data.get("power", SETTINGS["power"]),
        low="0.5",
        high="0.99",
        places="0.01",
        message="Power must be from 0.5 to 0.99; 0.8 is usual.",
    )
    values["minimum_sample"] = _integer(
        errors,
        "minimum_sample",
        data.get("minimum_sample", SETTINGS["minimum_sample"]),
        low=1,
        high=1_000_000_000,
        message="The minimum sample is a whole number of exposures per arm, at least 1.",
    )
    return values


# -- metrics ------------------------------------------------------------------------------


def _funnel_steps(product: Product, chart_key: str) -> tuple[Chart, list[dict[str, Any]]]:
    from lodestar.analytics.queries import funnels

    chart = Chart.objects.filter(product=product, key=chart_key).first()
    if chart is None:
        raise Invalid(fields={"chart_key": f"No saved chart with key “{chart_key[:40]}” here."})
    if chart.kind != ChartKind.FUNNEL:
        raise Invalid(
            fields={
                "chart_key": f"“{chart.name}” is a {chart.get_kind_display()} chart, not a funnel."
            }
        )
    try:
        params = funnels.parse(chart.query)
    except Invalid:
        raise Invalid(
            fields={"chart_key": f"The saved funnel “{chart.name}” has invalid steps."}
        ) from None
    steps = [{"event": s.event, "filters": [f.as_dict() for f in s.filters]} for s in params.steps]
    return chart, steps


def _steps(errors: Errors, prefix: str, steps: Any) -> list[dict[str, Any]]:
    if not steps:
        return []
    if not isinstance(steps, list | tuple) or not 2 <= len(steps) <= MAX_STEPS:
        _add(errors, f"{prefix}steps", f"A funnel has 2 to {MAX_STEPS} steps.")
        return []
    result = []
    for n, step in enumerate(steps, start=1):
        step = {"event": step} if isinstance(step, str) else step
        event = step.get("event") if isinstance(step, Mapping) else None
        if not isinstance(event, str) or not event.strip():
            _add(errors, f"{prefix}steps", f"Step {n} has no event.")
            continue
        try:
            parsed = event_filters.parse_filters(step.get("filters"), field=f"{prefix}steps")
        except Invalid as exc:
            for field, messages in exc.fields.items():
                for message in messages:
                    _add(errors, field, f"Step {n}: {message}")
            continue
        result.append({"event": event.strip()[:200], "filters": [f.as_dict() for f in parsed]})
    return result


def _metric_values(
    errors: Errors, product: Product, spec: Mapping[str, Any], prefix: str = ""
) -> dict[str, Any]:
    """One metric's fields from `spec` (name, role, kind, event, filters, steps, chart_key,
    property, window_seconds, goal); problems go to errors under `prefix` + field."""
    values: dict[str, Any] = {"chart": None, "steps": []}
    role = spec.get("role") or MetricRole.SECONDARY
    if role not in MetricRole.values:
        _add(errors, f"{prefix}role", "A metric is primary or secondary.")
    values["role"] = role
    kind = spec.get("kind") or MetricKind.CONVERSION
    if kind not in MetricKind.values:
        _add(errors, f"{prefix}kind", "Choose the kind: conversion, mean or count.")
    values["kind"] = kind
    event = _text(errors, f"{prefix}event", spec.get("event"), limit=200)
    prop = _text(errors, f"{prefix}property", spec.get("property"), limit=200)
    try:
        parsed = event_filters.parse_filters(spec.get("filters"), field=f"{prefix}filters")
        values["filters"] = [f.as_dict() for f in parsed]
    except Invalid as exc:
        for field, messages in exc.fields.items():
            for message in messages:
                _add(errors, field, message)
        values["filters"] = []
    chart_key = (spec.get("chart_key") or "").strip()
    if kind == MetricKind.CONVERSION and chart_key:
        try:
            values["chart"], values["steps"] = _funnel_steps(product, chart_key)
        except Invalid as exc:
            _add(errors, f"{prefix}chart_key", exc.fields["chart_key"][0])
    elif kind == MetricKind.CONVERSION and spec.get("steps"):
        values["steps"] = _steps(errors, prefix, spec.get("steps"))
    bare = not event and not values["steps"] and not chart_key
    if kind == MetricKind.CONVERSION and bare and f"{prefix}steps" not in errors:
        _add(
            errors,
            f"{prefix}event",
            "Name the event that counts as a conversion, or pick a saved funnel.",
        )
    if kind == MetricKind.COUNT and not event:
        _add(errors, f"{prefix}event", "Name the event to count per person.")
    if kind == MetricKind.MEAN:
        if not event:
            _add(errors, f"{prefix}event", "Name the event that carries the value.")
        if not prop:
            _add(
                errors,
                f"{prefix}property",
                "Name the numeric event property to average per person (e.g. amount).",
            )
    values["event"] = "" if values["steps"] else event
    values["property"] = prop if kind == MetricKind.MEAN else ""
    if values["steps"]:
        values["filters"] = []
    window = spec.get("window_seconds")
    values["window_seconds"] = _integer(
        errors,
        f"{prefix}window_seconds",
        14 * 86_400 if window in (None, "") else window,
        low=MIN_WINDOW,
        high=MAX_WINDOW,
        message="The window after exposure must be from 1 minute to 90 days.",
    )
    goal = spec.get("goal") or Goal.INCREASE
    if goal not in Goal.values:
        _add(errors, f"{prefix}goal", "Say whether higher or lower is better.")
    values["goal"] = goal
    name = _text(errors, f"{prefix}name", spec.get("name"), limit=120)
    if not name:
        if values["chart"] is not None:
            name = values["chart"].name
        else:
            name = {
                MetricKind.CONVERSION: f"Did {event}",
                MetricKind.COUNT: f"{event} per person",
                MetricKind.MEAN: f"Mean {prop} of {event}",
            }.get(kind, event)[:120]
    values["name"] = name
    return values


def _metrics(errors: Errors, product: Product, metrics: Any) -> list[dict[str, Any]]:
    if not isinstance(metrics, list | tuple):
        _add(errors, "metrics", "Metrics are a list.")
        return []
    if len(metrics) > MAX_METRICS:
        _add(errors, "metrics", f"At most {MAX_METRICS} metrics.")
        return []
    result = []
    for i, spec in enumerate(metrics):
        if not isinstance(spec, Mapping):
            _add(errors, f"metrics.{i}", "Write each metric as an object.")
            continue
        values = _metric_values(errors, product, spec, prefix=f"metrics.{i}.")
        values["key"] = (spec.get("key") or "").strip()
        result.append(values)
    primaries = sum(1 for m in result if m["role"] == MetricRole.PRIMARY)
    if result and primaries != 1:
        _add(
            errors,
            "metrics",
            "Mark exactly one metric as primary: the one the experiment decides on"
            + (f" ({primaries} are)." if primaries else "."),
        )
    return result


def _metric_label(m: Mapping[str, Any]) -> str:
    what = " → ".join(s["event"] for s in m["steps"]) if m["steps"] else m["event"]
    extra = f".{m['property']}" if m.get("property") else ""
    return f"{m['role']} {m['kind']}: {m['name']} ({what}{extra})"


def _sync_metrics(experiment: Experiment, metrics: list[dict[str, Any]]) -> None:
    """Make the experiment's metrics these (matched by key; the rest deleted)."""
    existing = {m.key: m for m in experiment.metrics.all()}
    keep: set[int] = set()
    for position, values in enumerate(metrics):
        key = values.pop("key", "")
        metric = existing.get(key)
        if metric is None:
            metric = Metric(experiment=experiment)
        for name, value in values.items():
            setattr(metric, name, value)
        metric.position = position
        metric.save()
        keep.add(metric.pk)
    experiment.metrics.exclude(pk__in=keep).delete()


def _metrics_summary(experiment: Experiment) -> list[str]:
    return [
        _metric_label(
            {
                "role": m.role,
                "kind": m.kind,
                "name": m.name,
                "steps": m.steps,
                "event": m.event,
                "property": m.property,
            }
        )
        for m in experiment.metrics.all()
    ]


def _frozen(experiment: Experiment, what: str) -> Conflict:
    when = (
        timezone.localtime(experiment.started_at).strftime("%b %-d, %Y")
        if (experiment.started_at)
        else "already"
    )
    return Conflict(
        f"The {what} are frozen: the experiment started ({when}). Changing them mid-test "
        "would bias the results; stop it and create a new experiment instead."
    )


# -- experiments --------------------------------------------------------------------------


def _validate(
    product: Product,
    data: Mapping[str, Any],
    *,
    exclude: Experiment | None = None,
    variants: Any = None,
    metrics: Any = None,
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "name": _text(
            errors, "name", data.get("name"), required="Give the experiment a name.", limit=200
        ),
        "hypothesis": _text(
            errors,
            "hypothesis",
            data.get("hypothesis"),
            required="State the hypothesis: what you change, what you expect to happen, and why.",
        ),
    }
    if "flag_key" in data:
        values["flag_key"] = _flag_key(errors, product, data.get("flag_key"), exclude)
    if variants is not None:
        values["variants"] = _variants(errors, variants)
    values["feature"] = _feature(errors, product, data.get("feature_key"))
    values.update(_settings(errors, data))
    checked = _metrics(errors, product, metrics) if metrics is not None else None
    if errors:
        raise Invalid(fields=errors)
    return values, checked


def experiment_create(
    *,
    product: Product,
    actor,
    name: str,
    flag_key: str,
    hypothesis: str,
    variants: list[dict[str, Any]] | None = None,
    metrics: list[dict[str, Any]] | None = None,
    feature_key: str = "",
    **settings: Any,
) -> Experiment:
    """A draft experiment of `product` with its variants (default: control / treatment, 50/50)
    and metrics (a list of metric specs: name, role, kind, event, filters, steps, chart_key,
    property, window_seconds, goal). `settings`: engine, sequential, alpha, correction,
    prior_mean, prior_stddev, cuped, cuped_days, minimum_effect, power, minimum_sample."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    if variants is None:
        variants = [{"name": "control", "split": 0.5}, {"name": "treatment", "split": 0.5}]
    data = {
        "name": name,
        "flag_key": flag_key,
        "hypothesis": hypothesis,
        "feature_key": feature_key,
        **settings,
    }
    values, checked = _validate(product, data, variants=variants, metrics=metrics or [])
    with transaction.atomic():
        experiment = Experiment.objects.create(
            workspace=product.workspace, product=product, created_by=actor, **values
        )
        _sync_metrics(experiment, checked or [])
        activity_record(
            workspace=product.workspace,
            actor=actor,
            verb="created",
            target_type=TARGET,
            target_key=experiment.key,
            target_label=experiment.name,
            changes=diff(
                {},
                {
                    **{k: v for k, v in values.items() if k != "feature"},
                    "feature": values["feature"].title if values["feature"] else None,
                    "metrics": _metrics_summary(experiment),
                },
            ),
        )
    return experiment


def experiment_update(
    *,
    experiment: Experiment,
    actor,
    version: int | None,
    name: str,
    hypothesis: str,
    flag_key: str | None = None,
    variants: list[dict[str, Any]] | None = None,
    metrics: list[dict[str, Any]] | None = None,
    feature_key: str = "",
    **settings: Any,
) -> dict[str, list[Any]]:
    """Save an edit. `flag_key`, `variants`, `metrics` None: left as they are (and they may
    only change before the experiment starts: Conflict after). Other settings not given keep
    their current value. `version` is the one the form was shown (None: no check); a stale
    one raises EditConflict (409) listing what changed since. Returns {field: [old, new]}."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    product = experiment.product
    started = experiment.started_at is not None
    current_metrics = [
        {
            "key": m.key,
            "name": m.name,
            "role": m.role,
            "kind": m.kind,
            "event": m.event,
            "filters": m.filters,
            "steps": m.steps if m.chart_id is None else [],
            "chart_key": m.chart.key if m.chart else "",
            "property": m.property,
            "window_seconds": m.window_seconds,
            "goal": m.goal,
        }
        for m in experiment.metrics.select_related("chart")
    ]
    if started:
        if flag_key is not None and flag_key.strip() != experiment.flag_key:
            raise _frozen(experiment, "flag key and variants")
        if variants is not None and check_variants(variants) != experiment.variants:
            raise _frozen(experiment, "flag key and variants")
        if metrics is not None and _comparable(metrics) != _comparable(current_metrics):
            raise _frozen(experiment, "metrics")
        flag_key, variants, metrics = None, None, None
    data: dict[str, Any] = {
        **{name: getattr(experiment, name) for name in SETTINGS},
        **settings,
        "name": name,
        "hypothesis": hypothesis,
        "feature_key": feature_key,
    }
    if flag_key is not None:
        data["flag_key"] = flag_key
    values, checked = _validate(
        product, data, exclude=experiment, variants=variants, metrics=metrics
    )
    before = {field: getattr(experiment, field) for field in values}
    changes = diff(
        {**before, "feature": before["feature"].title if before["feature"] else None},
        {**values, "feature": values["feature"].title if values["feature"] else None},
    )
    changes.pop("feature_id", None)
    old_metrics = _metrics_summary(experiment)
    if not changes and checked is not None and _comparable(checked) == _comparable(current_metrics):
        checked = None
    if not changes and checked is None:
        return {}
    for field, value in values.items():
        setattr(experiment, field, value)
    with transaction.atomic():
        save_versioned(experiment, version=version, fields=list(values), target_type=TARGET)
        if checked is not None:
            _sync_metrics(experiment, checked)
            new_metrics = _metrics_summary(experiment)
            if new_metrics != old_metrics:
                changes["metrics"] = ["; ".join(old_metrics), "; ".join(new_metrics)]
        activity_record(
            workspace=experiment.workspace,
            actor=actor,
            verb="updated",
            target_type=TARGET,
            target_key=experiment.key,
            target_label=experiment.name,
            changes=changes,
        )
    return changes


def _comparable(metrics: Iterable[Mapping[str, Any]]) -> list[tuple]:
    """What matters of each metric spec, to tell whether a list of them changes anything."""
    out = []
    for m in metrics:
        chart = m.get("chart")
        chart_key = chart.key if chart is not None else (m.get("chart_key") or "")
        out.append(
            (
                m.get("name") or "",
                m.get("role") or MetricRole.SECONDARY,
                m.get("kind") or MetricKind.CONVERSION,
                m.get("event") or "",
                m.get("filters") or [],
                [] if chart_key else (m.get("steps") or []),
                chart_key,
                m.get("property") or "",
                int(m.get("window_seconds") or 14 * 86_400),
                m.get("goal") or Goal.INCREASE,
            )
        )
    return out


def start_problems(experiment: Experiment) -> list[str]:
    """Why `experiment` cannot start now ([] when it can): for the confirm page and start."""
    problems = []
    if experiment.status == ExperimentStatus.RUNNING:
        problems.append("It is already running.")
    if experiment.decision_id is not None or experiment.shipped_variant:
        problems.append("Its outcome is recorded in the decision log: it does not run again.")
    primaries = [m for m in experiment.metrics.all() if m.role == MetricRole.PRIMARY]
    if len(primaries) != 1:
        problems.append("Add a primary metric first: it is what the experiment decides on.")
    try:
        check_variants(experiment.variants)
    except Invalid as exc:
        messages = [m for ms in exc.fields.values() for m in ms]
        problems.append("Fix the variants first: " + " ".join(messages))
    return problems


def experiment_start(*, experiment: Experiment, actor, now=None) -> Experiment:
    """Start (or resume) the experiment: status running, started_at now (kept on a resume).
    Conflict when it is running or decided; Invalid without exactly one primary metric or
    with a split that does not sum to 1."""
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        problems = start_problems(experiment)
        if (
            experiment.status == ExperimentStatus.RUNNING
            or experiment.decision_id
            or (experiment.shipped_variant)
        ):
            raise Conflict(problems[0])
        if problems:
            raise Invalid(" ".join(problems))
        resumed = experiment.started_at is not None
        experiment.status = ExperimentStatus.RUNNING
        experiment.started_at = experiment.started_at or now or timezone.now()
        experiment.stopped_at = None
        save_versioned(
            experiment,
            version=None,
            fields=["status", "started_at", "stopped_at"],
            target_type=TARGET,
        )
        activity_record(
            workspace=experiment.workspace,
            actor=actor,
            verb="resumed" if resumed else "started",
            target_type=TARGET,
            target_key=experiment.key,
            target_label=experiment.name,
            changes={"status": ["stopped" if resumed else "draft", "running"]},
        )
    return experiment


def experiment_stop(*, experiment: Experiment, actor, now=None) -> Experiment:
    """Stop a running experiment (stopped_at now): no more exposures are counted."""
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.status != ExperimentStatus.RUNNING:
            raise Conflict(
                "Only a running experiment can be stopped; this one is "
                f"{experiment.get_status_display().lower()}."
            )
        experiment.status = ExperimentStatus.STOPPED
        experiment.stopped_at = now or timezone.now()
        save_versioned(
            experiment, version=None, fields=["status", "stopped_at"], target_type=TARGET
        )
        activity_record(
            workspace=experiment.workspace,
            actor=actor,
            verb="stopped",
            target_type=TARGET,
            target_key=experiment.key,
            target_label=experiment.name,
            changes={"status": ["running", "stopped"]},
        )
    return experiment


def experiment_delete(*, experiment: Experiment, actor) -> None:
    """Delete a draft or stopped experiment with its metrics (Conflict while it runs)."""
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.status == ExperimentStatus.RUNNING:
            raise Conflict("Stop the experiment before deleting it.")
        activity_record(
            workspace=experiment.workspace,
            actor=actor,
            verb="deleted",
            target_type=TARGET,
            target_key=experiment.key,
            target_label=experiment.name,
        )
        experiment.delete()


# -- one metric ---------------------------------------------------------------------------


def _metric_write(experiment: Experiment, actor, before: str | None, after: str | None) -> None:
    """Bump the experiment's version (an open edit form is stale now) and log the change."""
    save_versioned(experiment, version=None, fields=[], target_type=TARGET)
    activity_record(
        workspace=experiment.workspace,
        actor=actor,
        verb="updated",
        target_type=TARGET,
        target_key=experiment.key,
        target_label=experiment.name,
        changes={"metric": [before, after]},
    )


def metric_create(*, experiment: Experiment, actor, **spec: Any) -> Metric:
    """Add a metric (spec as in experiment_create) to an experiment not yet started."""
    if experiment.started_at is not None:
        raise _frozen(experiment, "metrics")
    errors: Errors = {}
    values = _metric_values(errors, experiment.product, spec)
    if errors:
        raise Invalid(fields=errors)
    _one_primary(experiment, values["role"], None)
    with transaction.atomic():
        metric = Metric.objects.create(
            experiment=experiment, position=experiment.metrics.count(), **values
        )
        _metric_write(experiment, actor, None, _metric_label(values))
    return metric


def metric_update(*, metric: Metric, actor, **spec: Any) -> Metric:
    experiment = metric.experiment
    if experiment.started_at is not None:
        raise _frozen(experiment, "metrics")
    errors: Errors = {}
    values = _metric_values(errors, experiment.product, spec)
    if errors:
        raise Invalid(fields=errors)
    _one_primary(experiment, values["role"], metric)
    before = _metric_label(
        {"role": metric.role, "kind": metric.kind, "name": metric.name, "steps": metric.steps}
        | {"event": metric.event, "property": metric.property}
    )
    with transaction.atomic():
        for name, value in values.items():
            setattr(metric, name, value)
        metric.save()
        _metric_write(experiment, actor, before, _metric_label(values))
    return metric


def metric_delete(*, metric: Metric, actor) -> None:
    experiment = metric.experiment
    if experiment.started_at is not None:
        raise _frozen(experiment, "metrics")
    label = metric.name
    with transaction.atomic():
        metric.delete()
        _metric_write(experiment, actor, label, None)


def _one_primary(experiment: Experiment, role: str, metric: Metric | None) -> None:
    if role != MetricRole.PRIMARY:
        return
    other = experiment.metrics.filter(role=MetricRole.PRIMARY)
    if metric is not None:
        other = other.exclude(pk=metric.pk)
    existing = other.first()
    if existing is not None:
        raise Invalid(
            fields={
                "role": [
                    f"This experiment already has a primary metric (“{existing.name}”): make "
                    "this one secondary, or that one secondary first."
                ]
            }
        )
