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

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record, diff
from lodestar.core.errors import Conflict, Invalid
from lodestar.experiments.models import (
    Experiment,
    ExperimentStatus,
    Goal,
    Metric,
    MetricKind,
    MetricRole,
)
from lodestar.experiments.validation import (
    SETTINGS,
    Errors,
    check_variants,
    metric_label,
    metric_values,
    validate,
)
from lodestar.planning.concurrency import save_versioned
from lodestar.workspaces.models import Product

TARGET = "experiment"


def _log(experiment: Experiment, actor, verb: str, changes: dict | None = None) -> None:
    """The experiment's entry in the activity log."""
    activity_record(
        workspace=experiment.workspace,
        actor=actor,
        verb=verb,
        target_type=TARGET,
        target_key=experiment.key,
        target_label=experiment.name,
        changes=changes,
    )


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
        metric_label(
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
    values, checked = validate(product, data, variants=variants, metrics=metrics or [])
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
    values, checked = validate(
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
    fields = list(values)
    if checked is not None or set(changes) & set(SETTINGS):
        # Read differently now: the stored results are recomputed when next shown.
        experiment.results, experiment.results_at = {}, None
        fields += ["results", "results_at"]
    with transaction.atomic():
        save_versioned(experiment, version=version, fields=fields, target_type=TARGET)
        if checked is not None:
            _sync_metrics(experiment, checked)
            new_metrics = _metrics_summary(experiment)
            if new_metrics != old_metrics:
                changes["metrics"] = ["; ".join(old_metrics), "; ".join(new_metrics)]
        _log(experiment, actor, "updated", changes)
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
        _log(
            experiment,
            actor,
            "resumed" if resumed else "started",
            {"status": ["stopped" if resumed else "draft", "running"]},
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
        _log(experiment, actor, "stopped", {"status": ["running", "stopped"]})
    return experiment


def experiment_delete(*, experiment: Experiment, actor) -> None:
    """Delete a draft or stopped experiment with its metrics (Conflict while it runs)."""
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.status == ExperimentStatus.RUNNING:
            raise Conflict("Stop the experiment before deleting it.")
        _log(experiment, actor, "deleted")
        experiment.delete()


# -- one metric ---------------------------------------------------------------------------


def _metric_write(experiment: Experiment, actor, before: str | None, after: str | None) -> None:
    """Bump the experiment's version (an open edit form is stale now) and log the change."""
    save_versioned(experiment, version=None, fields=[], target_type=TARGET)
    _log(experiment, actor, "updated", {"metric": [before, after]})


def metric_create(*, experiment: Experiment, actor, **spec: Any) -> Metric:
    """Add a metric (spec as in experiment_create) to an experiment not yet started."""
    if experiment.started_at is not None:
        raise _frozen(experiment, "metrics")
    errors: Errors = {}
    values = metric_values(errors, experiment.product, spec)
    if errors:
        raise Invalid(fields=errors)
    _one_primary(experiment, values["role"], None)
    with transaction.atomic():
        metric = Metric.objects.create(
            experiment=experiment, position=experiment.metrics.count(), **values
        )
        _metric_write(experiment, actor, None, metric_label(values))
    return metric


def metric_update(*, metric: Metric, actor, **spec: Any) -> Metric:
    experiment = metric.experiment
    if experiment.started_at is not None:
        raise _frozen(experiment, "metrics")
    errors: Errors = {}
    values = metric_values(errors, experiment.product, spec)
    if errors:
        raise Invalid(fields=errors)
    _one_primary(experiment, values["role"], metric)
    before = metric_label(
        {"role": metric.role, "kind": metric.kind, "name": metric.name, "steps": metric.steps}
        | {"event": metric.event, "property": metric.property}
    )
    with transaction.atomic():
        for name, value in values.items():
            setattr(metric, name, value)
        metric.save()
        _metric_write(experiment, actor, before, metric_label(values))
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
