"""An experiment's results: one JSON snapshot of exposures and every metric's comparison.

`compute(experiment)` reads the event store (lodestar.experiments.queries) and runs the
statistics (lodestar.experiments.stats.analyze); `refresh(experiment)` stores the snapshot
in `experiment.results`, which the page shows at once. The snapshot holds only numbers,
strings, lists and dicts: never NaN or infinity. Where there is no honest number (no
exposures, no events, zero variance, too small a sample) a `problem` sentence says why.

Shape (version 1):

    {"version": 1, "state": "draft" | "results" | "error", "message": str,
     "computed_at", "start", "end": ISO times, "days": float,
     "engine", "sequential", "alpha", "ci_level", "correction", "minimum_sample",
     "exposures": {"total", "variants": [{"name", "n", "planned", "share"}], "mixed",
                   "unknown": {name: n}, "first_at", "last_at",
                   "daily": {"dates": [...], "cumulative": {variant: [...]}}},
     "srm": {"p_value": float | None, "flagged": bool},
     "problem": str | None,                           # the whole experiment (no exposures)
     "metrics": [{"key", "name", "kind", "role", "goal", "type", "event", "problem",
                  "variants": [{"name", "control", "n", "value", "stddev", "lift", "ci",
                                "p_value", "adjusted_p_value", "chance_to_win", "risk",
                                "outcome": "win" | "loss" | "", "problem"}]}]}

Lifts and intervals are relative fractions ((variant - control) / control). Bayesian
`chance_to_win` and `risk` are turned the metric's way: for a lower-is-better metric the
chance to win is the chance the variant is lower, and the risk is of it being higher.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.core.errors import LodestarError
from lodestar.experiments.models import (
    Experiment,
    ExperimentStatus,
    Goal,
    Metric,
    MetricKind,
    MetricRole,
)
from lodestar.experiments.stats.arms import Arm, Options, Unanalysable

VERSION = 1
CHANCE_TO_WIN = 0.95  # Bayesian: a variant wins above this chance of beating control ...
RISK_THRESHOLD = 0.0025  # ... when its expected loss is below 0.25 % (GrowthBook's default)


def compute(experiment: Experiment, *, now: datetime | None = None) -> dict[str, Any]:
    """The snapshot of `experiment`'s results as of `now` (JSON-serialisable)."""
    now = now or timezone.now()
    base: dict[str, Any] = {
        "version": VERSION,
        "computed_at": now.isoformat(),
        "engine": experiment.engine,
        "sequential": experiment.sequential,
        "alpha": float(experiment.alpha),
        "ci_level": round(1 - float(experiment.alpha), 6),
        "correction": experiment.correction,
        "minimum_sample": experiment.minimum_sample,
        "metrics": [],
        "problem": None,
    }
    if experiment.status == ExperimentStatus.DRAFT or experiment.started_at is None:
        return base | {
            "state": "draft",
            "message": "This experiment has not started, so there are no results yet.",
        }
    start = experiment.started_at
    end = min(experiment.stopped_at or now, now)
    base |= {
        "state": "results",
        "message": "",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": round(max((end - start).total_seconds(), 0) / 86_400, 2),
    }
    metrics = _ordered(experiment)
    from lodestar.analytics.queries.base import source_for
    from lodestar.experiments import queries

    try:
        with source_for(experiment.workspace) as src:
            seen = queries.exposures(src, experiment, start=start, end=end)
            arms = (
                queries.metric_arms(src, experiment, metrics, start=start, end=end)
                if metrics
                else {}
            )
    except LodestarError as exc:
        return base | {"state": "error", "message": f"The events could not be read: {exc}"}
    base["exposures"] = _exposures(experiment, seen)
    base["srm"] = _srm(experiment, base["exposures"])
    if base["exposures"]["total"] == 0:
        base["problem"] = (
            f"No one has been exposed to '{experiment.flag_key}' since the experiment started: "
            "check that your app sends exposure events ($feature_flag_called, "
            "Experiment Viewed or $exposure) with this flag key."
        )
    base["metrics"] = [
        _metric(experiment, metric, _by_variant(experiment, arms.get(metric.key) or []))
        for metric in metrics
    ]
    _adjust(experiment, base["metrics"])
    for entry in base["metrics"]:
        for row in entry["variants"]:
            row["outcome"] = outcome(entry, row, base)
    return base


def refresh(experiment: Experiment, *, now: datetime | None = None) -> dict[str, Any]:
    """Compute the results and store them on the experiment (only those two fields: a
    refresh never overwrites an edit made meanwhile)."""
    now = now or timezone.now()
    snapshot = compute(experiment, now=now)
    with transaction.atomic():
        Experiment.objects.filter(pk=experiment.pk).update(results=snapshot, results_at=now)
    experiment.results, experiment.results_at = snapshot, now
    return snapshot


def current(experiment: Experiment) -> dict[str, Any]:
    """The snapshot to show: the stored one, computed first when there is none or when the
    experiment stopped after it was computed (decided experiments: the decided results)."""
    if experiment.decision_id is not None and experiment.decided_results:
        return experiment.decided_results
    stale = (
        experiment.stopped_at is not None
        and experiment.results_at is not None
        and experiment.results_at < experiment.stopped_at
    )
    stored = experiment.results or {}
    wrong_state = (stored.get("state") == "draft") != (experiment.status == ExperimentStatus.DRAFT)
    if not stored or stale or wrong_state or stored.get("version") != VERSION:
        return refresh(experiment)
    return stored


def outcome(entry: dict[str, Any], row: dict[str, Any], snapshot: dict[str, Any]) -> str:
    """'win' or 'loss' when the variant is significantly better or worse than control on
    this metric (the secondary metrics judged on their adjusted p-values), else ''."""
    if row.get("control") or row.get("lift") is None:
        return ""
    better = row["lift"] > 0 if entry["goal"] == Goal.INCREASE else row["lift"] < 0
    if snapshot["engine"] == "bayesian":
        chance, risk = row.get("chance_to_win"), row.get("risk")
        if chance is None:
            return ""
        if chance >= CHANCE_TO_WIN and (risk is None or risk <= RISK_THRESHOLD):
            return "win"
        return "loss" if chance <= 1 - CHANCE_TO_WIN else ""
    p = row.get("adjusted_p_value")
    if p is None:
        p = row.get("p_value")
    if p is None or p >= snapshot["alpha"]:
        return ""
    return "win" if better else "loss"


# -- pieces --------------------------------------------------------------------------------


def _ordered(experiment: Experiment) -> list[Metric]:
    metrics = list(experiment.metrics.all())
    return sorted(metrics, key=lambda m: (m.role != MetricRole.PRIMARY, m.position, m.pk))


def _num(value: Any) -> float | None:
    """A finite float, or None (never NaN or infinity in a snapshot)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _exposures(experiment: Experiment, seen) -> dict[str, Any]:
    names = experiment.variant_names
    counts = {name: int(seen.counts.get(name, 0)) for name in names}
    total = sum(counts.values())
    cumulative: dict[str, list[int]] = {name: [] for name in names}
    running = dict.fromkeys(names, 0)
    dates = []
    for day, added in seen.daily:
        dates.append(day.isoformat())
        for name in names:
            running[name] += int(added.get(name, 0))
            cumulative[name].append(running[name])
    return {
        "total": total,
        "variants": [
            {
                "name": name,
                "n": counts[name],
                "planned": split,
                "share": counts[name] / total if total else None,
            }
            for name, split in zip(names, experiment.splits, strict=True)
        ],
        "mixed": int(seen.mixed),
        "unknown": {str(k): int(v) for k, v in (seen.unknown or {}).items()},
        "first_at": _iso(seen.first_at),
        "last_at": _iso(seen.last_at),
        "daily": {"dates": dates, "cumulative": cumulative},
    }


def _srm(experiment: Experiment, exposures: dict[str, Any]) -> dict[str, Any]:
    from lodestar.experiments.stats.arms import SRM_THRESHOLD

    counts = [v["n"] for v in exposures["variants"]]
    if sum(counts) == 0:
        return {"p_value": None, "flagged": False}
    from lodestar.experiments.stats.srm import srm_p_value

    try:
        p = _num(srm_p_value(counts, experiment.splits))
    except LodestarError:
        p = None
    return {"p_value": p, "flagged": p is not None and p < SRM_THRESHOLD}


def _by_variant(experiment: Experiment, arms: list[Arm]) -> list[Arm]:
    """One arm per variant in the experiment's order (a variant the store left out: empty)."""
    found = {arm.name: arm for arm in arms}
    return [found.get(name) or Arm(name, 0, 0.0, 0.0) for name in experiment.variant_names]


def _options(experiment: Experiment, metric: Metric) -> Options:
    return Options(
        metric="binomial" if metric.kind == MetricKind.CONVERSION else "mean",
        engine="bayesian" if experiment.engine == "bayesian" else "frequentist",
        sequential=experiment.sequential,
        alpha=float(experiment.alpha),
        difference="relative",
        prior_mean=experiment.prior_mean,
        prior_stddev=experiment.prior_stddev,
        minimum_sample=experiment.minimum_sample,
    )


def describe(metric: Metric) -> str:
    """What the metric counts, in a few words ("'checkout'", "a → b", "'order'.amount")."""
    if metric.steps:
        return " → ".join(str(s.get("event", "")) for s in metric.steps)
    if metric.kind == MetricKind.MEAN:
        return f"{metric.event}.{metric.property}"
    return metric.event


def _no_events(metric: Metric) -> str:
    if metric.steps:
        return (
            f"No one finished the funnel {describe(metric)} in the window: "
            "check the step events' names."
        )
    if metric.kind == MetricKind.MEAN:
        return (
            f"No '{metric.event}' event with a number in '{metric.property}' in the window: "
            "check the event and property names."
        )
    return f"No one did '{metric.event}' in the window: check the event name."


def _metric(experiment: Experiment, metric: Metric, arms: list[Arm]) -> dict[str, Any]:
    options = _options(experiment, metric)
    entry: dict[str, Any] = {
        "key": metric.key,
        "name": metric.name,
        "kind": metric.kind,
        "role": metric.role,
        "goal": metric.goal,
        "type": options.metric,
        "event": describe(metric),
        "problem": None,
        "variants": [_arm_row(arms[0], options, control=True)],
    }
    rows = [_arm_row(arm, options) for arm in arms[1:]]
    entry["variants"] += rows
    exposed = sum(arm.n for arm in arms)
    if exposed == 0:
        for row in rows:
            row["problem"] = "No exposures yet."
        return entry
    if all(arm.sum == 0 and arm.sum_squares == 0 for arm in arms):
        entry["problem"] = _no_events(metric)
        for row in rows:
            row["problem"] = entry["problem"]
        return entry
    from lodestar.experiments.stats.analyze import analyze

    try:
        analysis = analyze(arms, options, experiment.splits)
    except (LodestarError, Unanalysable) as exc:
        entry["problem"] = f"These numbers cannot be analysed: {getattr(exc, 'message', exc)}"
        for row in rows:
            row["problem"] = entry["problem"]
        return entry
    decrease = metric.goal == Goal.DECREASE
    for row, comparison in zip(rows, analysis.comparisons, strict=False):
        _fill(row, comparison, decrease=decrease)
    return entry


def _arm_row(arm: Arm, options: Options, *, control: bool = False) -> dict[str, Any]:
    variance = arm.variance(options.metric) if arm.n else None
    return {
        "name": arm.name,
        "control": control,
        "n": int(arm.n),
        "value": _num(arm.mean) if arm.n else None,
        "stddev": _num(math.sqrt(variance)) if variance is not None and variance >= 0 else None,
        "lift": None,
        "ci": None,
        "p_value": None,
        "adjusted_p_value": None,
        "chance_to_win": None,
        "risk": None,
        "outcome": "",
        "problem": None,
    }


def _fill(row: dict[str, Any], comparison, *, decrease: bool) -> None:
    if comparison.problem:
        row["problem"] = comparison.problem
        return
    lift = _num(comparison.lift)
    ci = comparison.ci
    low, high = (_num(ci[0]), _num(ci[1])) if ci else (None, None)
    if lift is None or low is None or high is None:
        row["problem"] = "The lift cannot be computed from these numbers."
        return
    row["lift"], row["ci"] = lift, [low, high]
    row["p_value"] = _num(comparison.p_value)
    chance = _num(comparison.chance_to_win)
    risk, risk_control = _num(comparison.risk), _num(comparison.risk_control)
    if decrease:  # the statistics assume higher is better: turn them the metric's way
        chance = 1 - chance if chance is not None else None
        risk = risk_control
    row["chance_to_win"], row["risk"] = chance, risk


def _adjust(experiment: Experiment, entries: list[dict[str, Any]]) -> None:
    """Holm or Benjamini-Hochberg across the secondary metrics' comparisons (the primary
    metric is the one the experiment was planned for: it is not adjusted)."""
    if experiment.correction == "none" or experiment.engine == "bayesian":
        return
    rows = [
        row
        for entry in entries
        if entry["role"] == MetricRole.SECONDARY
        for row in entry["variants"]
        if row.get("p_value") is not None
    ]
    if not rows:
        return
    from lodestar.experiments.stats.multiple import adjust

    adjusted = adjust([row["p_value"] for row in rows], experiment.correction)
    for row, p in zip(rows, adjusted, strict=True):
        row["adjusted_p_value"] = _num(p)


def primary(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """The primary metric's entry of a snapshot (None: there is none)."""
    for entry in snapshot.get("metrics") or []:
        if entry.get("role") == MetricRole.PRIMARY:
            return entry
    return None
