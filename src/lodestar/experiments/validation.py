"""Validation of experiments and their metrics: every field checked, every problem named
(`variants.1.split`, `metrics.0.event`, ...) in one Invalid, before anything is written.
services.py calls `validate` and `metric_values`; the checks also serve the API and the
forms (`check_flag_key`, `check_variants`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from lodestar.analytics.models import Chart, ChartKind
from lodestar.analytics.queries import filters as event_filters
from lodestar.core.errors import Invalid
from lodestar.experiments.models import (
    MAX_TEXT,
    MAX_VARIANTS,
    Correction,
    Engine,
    Experiment,
    Goal,
    MetricKind,
    MetricRole,
)
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Product

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


def metric_values(
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
        values = metric_values(errors, product, spec, prefix=f"metrics.{i}.")
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


def metric_label(m: Mapping[str, Any]) -> str:
    what = " → ".join(s["event"] for s in m["steps"]) if m["steps"] else m["event"]
    extra = f".{m['property']}" if m.get("property") else ""
    return f"{m['role']} {m['kind']}: {m['name']} ({what}{extra})"


def validate(
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
