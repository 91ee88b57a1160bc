"""The experiment form (create and edit) and the sample-size calculator's form.

The experiment form is flat, for a page without scripts: five variant rows (name, split in
%), one primary and three secondary metric rows; blank rows are ignored. `service_data()`
turns it into the services' arguments, and `remap()` puts the services' errors
(`variants.1.split`, `metrics.0.event`) back on the rows they came from. The services check
everything again: the API goes straight to them."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms

from lodestar.analytics.queries.filters import OPS
from lodestar.core.errors import Invalid
from lodestar.core.forms import StyledForm
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

VARIANT_ROWS = MAX_VARIANTS
METRIC_ROWS = 4  # the first is the primary metric
DEFAULT_VARIANTS = [("control", 50), ("treatment", 50)]
FILTER_HELP = (
    'Optional, as JSON: [{"key": "plan", "op": "eq", "value": "pro"}]. Operators: '
    + ", ".join(OPS)
    + "."
)


def _window_text(seconds: int) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


def _percent(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value * 100:.6g}"


class ExperimentForm(StyledForm):
    name = forms.CharField(max_length=200, required=False)
    flag_key = forms.CharField(
        max_length=100,
        required=False,
        label="Flag key",
        help_text="The feature flag's key in PostHog, the experiment's name or id in Segment "
        "(\u201cExperiment Viewed\u201d), or your own key for $exposure events and the "
        "assignment API. Letters, digits, - _ and .",
    )
    hypothesis = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you change, what you expect to happen, and why. Markdown.",
    )
    feature_key = forms.ChoiceField(
        required=False,
        label="Feature",
        help_text="The feature this tests: its measured impact is set when you record the outcome.",
    )
    engine = forms.ChoiceField(choices=Engine.choices, initial=Engine.FREQUENTIST)
    sequential = forms.BooleanField(
        required=False,
        label="Sequential testing",
        help_text="Always-valid intervals: you may look at the results every day without "
        "inflating false positives (the intervals are wider). Frequentist engine only: the "
        "Bayesian one needs no correction for looking.",
    )
    alpha = forms.DecimalField(
        initial=Decimal("0.05"),
        max_digits=6,
        decimal_places=4,
        help_text="The false-positive rate you accept; 0.05 is usual.",
    )
    correction = forms.ChoiceField(
        choices=Correction.choices,
        initial=Correction.HOLM,
        label="Correction for secondary metrics",
    )
    prior_mean = forms.FloatField(
        required=False,
        label="Prior mean of the lift (%)",
        help_text="Bayesian engine: leave both prior fields empty for a flat prior.",
    )
    prior_stddev = forms.FloatField(
        required=False,
        label="Prior standard deviation of the lift (%)",
        help_text="E.g. 0 and 10: \u201cno change expected, give or take 10 %\u201d.",
    )
    cuped = forms.BooleanField(
        required=False,
        initial=True,
        label="CUPED variance reduction",
        help_text="Use each person's own value of the metric before exposure to narrow "
        "the intervals.",
    )
    cuped_days = forms.IntegerField(initial=14, label="CUPED look-back (days)")
    minimum_effect = forms.DecimalField(
        initial=Decimal("5"),
        max_digits=8,
        decimal_places=2,
        label="Minimum detectable effect (%)",
        help_text="The smallest relative change worth detecting.",
    )
    power = forms.DecimalField(initial=Decimal("0.8"), max_digits=4, decimal_places=2)
    minimum_sample = forms.IntegerField(
        initial=100,
        label="Minimum sample per variant",
        help_text="No result is shown before each variant has this many exposures.",
    )

    def __init__(
        self,
        *args,
        features=(),
        charts=(),
        frozen: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.frozen = frozen
        feature = self.fields["feature_key"]
        assert isinstance(feature, forms.ChoiceField)
        feature.choices = [("", "— none —"), *features]
        self.variant_rows: list[list[str]] = []
        self.metric_rows: list[list[str]] = []
        if frozen:  # started: flag key, variants and metrics cannot change
            del self.fields["flag_key"]
            return
        for i in range(VARIANT_ROWS):
            name, split = DEFAULT_VARIANTS[i] if i < len(DEFAULT_VARIANTS) else ("", None)
            self.fields[f"v{i}_name"] = forms.CharField(
                max_length=60, required=False, label=f"Variant {i + 1} name", initial=name
            )
            self.fields[f"v{i}_split"] = forms.FloatField(
                required=False, label=f"Variant {i + 1} split (%)", initial=split
            )
            self.variant_rows.append([f"v{i}_name", f"v{i}_split"])
        for i in range(METRIC_ROWS):
            self.fields[f"m{i}_key"] = forms.CharField(
                required=False, widget=forms.HiddenInput, max_length=16
            )
            self.fields[f"m{i}_name"] = forms.CharField(
                max_length=120, required=False, label="Name"
            )
            self.fields[f"m{i}_kind"] = forms.ChoiceField(choices=MetricKind.choices, label="Kind")
            self.fields[f"m{i}_event"] = forms.CharField(
                max_length=200, required=False, label="Event"
            )
            self.fields[f"m{i}_chart_key"] = forms.ChoiceField(
                required=False,
                label="Or a saved funnel",
                choices=[("", "— no funnel —"), *charts],
            )
            self.fields[f"m{i}_filters"] = forms.CharField(
                max_length=4000, required=False, label="Filters"
            )
            self.fields[f"m{i}_property"] = forms.CharField(
                max_length=200,
                required=False,
                label="Property (for a mean)",
            )
            self.fields[f"m{i}_window"] = forms.CharField(
                max_length=10,
                required=False,
                initial="14d",
                label="Window",
            )
            self.fields[f"m{i}_goal"] = forms.ChoiceField(choices=Goal.choices, label="Goal")
            self.metric_rows.append(
                [
                    f"m{i}_{n}"
                    for n in (
                        "name",
                        "kind",
                        "event",
                        "chart_key",
                        "filters",
                        "property",
                        "window",
                        "goal",
                    )
                ]
            )
        self._variant_index: list[int] = []
        self._metric_index: list[int] = []

    # -- for the template (bound fields, grouped as the page shows them) ----------------

    ANALYSIS = (
        "engine",
        "sequential",
        "alpha",
        "correction",
        "prior_mean",
        "prior_stddev",
        "cuped",
        "cuped_days",
        "minimum_effect",
        "power",
        "minimum_sample",
    )

    def variant_fields(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in row] for row in self.variant_rows]

    def metric_fields(self) -> list[tuple[forms.BoundField, list[forms.BoundField]]]:
        return [
            (self[f"m{i}_key"], [self[name] for name in row])
            for i, row in enumerate(self.metric_rows)
        ]

    def analysis_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ANALYSIS]

    # -- initial values of an existing experiment --------------------------------------

    @staticmethod
    def initial_for(experiment: Experiment) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": experiment.name,
            "flag_key": experiment.flag_key,
            "hypothesis": experiment.hypothesis,
            "feature_key": experiment.feature.key if experiment.feature else "",
            "engine": experiment.engine,
            "sequential": experiment.sequential,
            "alpha": experiment.alpha,
            "correction": experiment.correction,
            "prior_mean": None if experiment.prior_mean is None else experiment.prior_mean * 100,
            "prior_stddev": (
                None if experiment.prior_stddev is None else experiment.prior_stddev * 100
            ),
            "cuped": experiment.cuped,
            "cuped_days": experiment.cuped_days,
            "minimum_effect": experiment.minimum_effect,
            "power": experiment.power,
            "minimum_sample": experiment.minimum_sample,
        }
        for i in range(VARIANT_ROWS):
            variant = experiment.variants[i] if i < len(experiment.variants) else None
            initial[f"v{i}_name"] = variant["name"] if variant else ""
            initial[f"v{i}_split"] = _percent(float(variant["split"])) if variant else None
        metrics = list(experiment.metrics.select_related("chart"))
        primary = [m for m in metrics if m.role == MetricRole.PRIMARY][:1]
        rows = primary + [m for m in metrics if m not in primary][: METRIC_ROWS - 1]
        for i, metric in enumerate(rows):
            initial.update(
                {
                    f"m{i}_key": metric.key,
                    f"m{i}_name": metric.name,
                    f"m{i}_kind": metric.kind,
                    f"m{i}_event": metric.event,
                    f"m{i}_chart_key": metric.chart.key if metric.chart else "",
                    f"m{i}_filters": json.dumps(metric.filters) if metric.filters else "",
                    f"m{i}_property": metric.property,
                    f"m{i}_window": _window_text(metric.window_seconds),
                    f"m{i}_goal": metric.goal,
                }
            )
        return initial

    # -- to the services and back ------------------------------------------------------

    def _row_blank(self, i: int) -> bool:
        data = self.cleaned_data
        return (
            not any(
                (data.get(f"m{i}_{n}") or "").strip()
                for n in ("name", "event", "chart_key", "property")
            )
            and not (data.get(f"m{i}_filters") or "").strip()
        )

    def service_data(self) -> dict[str, Any]:
        """The services' keyword arguments from a valid form (variants and metrics None
        when frozen, so they are left as they are)."""
        data = self.cleaned_data
        out: dict[str, Any] = {
            "name": data["name"],
            "hypothesis": data["hypothesis"],
            "feature_key": data["feature_key"],
            "engine": data["engine"],
            "sequential": data["sequential"],
            "alpha": data["alpha"],
            "correction": data["correction"],
            "prior_mean": None if data["prior_mean"] is None else data["prior_mean"] / 100,
            "prior_stddev": None if data["prior_stddev"] is None else data["prior_stddev"] / 100,
            "cuped": data["cuped"],
            "cuped_days": data["cuped_days"],
            "minimum_effect": data["minimum_effect"],
            "power": data["power"],
            "minimum_sample": data["minimum_sample"],
        }
        if self.frozen:
            return out
        out["flag_key"] = data["flag_key"]
        variants, self._variant_index = [], []
        for i in range(VARIANT_ROWS):
            name = (data.get(f"v{i}_name") or "").strip()
            split = data.get(f"v{i}_split")
            if not name and split is None:
                continue
            variants.append({"name": name, "split": None if split is None else split / 100})
            self._variant_index.append(i)
        metrics, self._metric_index = [], []
        for i in range(METRIC_ROWS):
            if self._row_blank(i):
                continue
            metrics.append(
                {
                    "key": data.get(f"m{i}_key") or "",
                    "name": data.get(f"m{i}_name") or "",
                    "role": MetricRole.PRIMARY if i == 0 else MetricRole.SECONDARY,
                    "kind": data.get(f"m{i}_kind"),
                    "event": data.get(f"m{i}_event") or "",
                    "chart_key": data.get(f"m{i}_chart_key") or "",
                    "filters": data.get(f"m{i}_filters") or "",
                    "property": data.get(f"m{i}_property") or "",
                    "window_seconds": data.get(f"m{i}_window_seconds"),
                    "goal": data.get(f"m{i}_goal"),
                }
            )
            self._metric_index.append(i)
        if metrics and self._metric_index[0] != 0:
            raise Invalid(
                fields={
                    "m0_event": ["Fill in the primary metric first: the experiment decides on it."]
                }
            )
        out["variants"] = variants
        out["metrics"] = metrics
        return out

    def clean(self):
        data = super().clean() or {}
        if self.frozen:
            return data
        from lodestar.analytics.queries.funnels import parse_window

        for i in range(METRIC_ROWS):
            text = (data.get(f"m{i}_window") or "").strip() or "14d"
            try:
                data[f"m{i}_window_seconds"] = int(parse_window(text).total_seconds())
            except Invalid as exc:
                self.add_error(f"m{i}_window", exc.fields["window"][0])
        return data

    def remap(self, error: Invalid) -> Invalid:
        """A service's Invalid with its field names turned into this form's."""
        if not error.fields:
            return error
        fields: dict[str, list[str]] = {}
        for name, messages in error.fields.items():
            parts = name.split(".")
            target = name
            if parts[0] == "variants":
                if len(parts) == 3 and int(parts[1]) < len(self._variant_index):
                    target = f"v{self._variant_index[int(parts[1])]}_{parts[2]}"
                else:
                    messages = [f"Variants: {m}" for m in messages]
                    target = "__all__"
            elif parts[0] == "metrics":
                if len(parts) == 3 and int(parts[1]) < len(self._metric_index):
                    row = self._metric_index[int(parts[1])]
                    field = {"window_seconds": "window", "steps": "chart_key"}.get(
                        parts[2], parts[2]
                    )
                    target = f"m{row}_{field}" if f"m{row}_{field}" in self.fields else "__all__"
                else:
                    messages = [f"Metrics: {m}" for m in messages]
                    target = "__all__"
            fields.setdefault(target, []).extend(messages)
        return Invalid(error.message, fields=fields)


class CalculatorForm(StyledForm):
    metric = forms.ChoiceField(
        choices=[("binomial", "Conversion rate"), ("mean", "Mean of a value")],
        initial="binomial",
        label="Metric",
    )
    baseline = forms.FloatField(
        label="Baseline",
        help_text="The control's conversion rate in % (e.g. 12.5), or the mean value per person.",
    )
    stddev = forms.FloatField(
        required=False,
        label="Standard deviation",
        help_text="For a mean: the standard deviation of the value per person.",
    )
    minimum_effect = forms.FloatField(
        initial=5,
        label="Minimum detectable effect (%)",
        help_text="The smallest relative change worth detecting: 5 means 10 % -> 10.5 %.",
    )
    alpha = forms.FloatField(initial=0.05, label="Alpha")
    power = forms.FloatField(initial=0.8, label="Power")
    arms = forms.IntegerField(initial=2, label="Number of variants (with the control)")
    daily = forms.IntegerField(
        required=False,
        label="Exposures per day",
        help_text="How many persons enter the experiment each day, over all variants.",
    )
    sequential = forms.BooleanField(required=False, label="Sequential testing")

    def clean(self):
        data = super().clean() or {}
        checks = [
            ("baseline", lambda v: v is not None and v > 0, "The baseline must be more than 0."),
            (
                "minimum_effect",
                lambda v: v is not None and v > 0,
                "The minimum effect must be more than 0 %.",
            ),
            ("alpha", lambda v: v is not None and 0 < v < 0.5, "Alpha is between 0 and 0.5."),
            ("power", lambda v: v is not None and 0.5 <= v < 1, "Power is from 0.5 to 0.99."),
            ("arms", lambda v: v is not None and 2 <= v <= MAX_VARIANTS, "2 to 5 variants."),
            ("daily", lambda v: v is None or v > 0, "Exposures per day must be more than 0."),
        ]
        for name, ok, message in checks:
            if name in data and not ok(data[name]):
                self.add_error(name, message)
        if data.get("metric") == "binomial" and (data.get("baseline") or 0) >= 100:
            self.add_error("baseline", "A conversion rate is below 100 %.")
        if data.get("metric") == "mean":
            stddev = data.get("stddev")
            if stddev is None or stddev <= 0:
                self.add_error(
                    "stddev", "For a mean, give the standard deviation per person (more than 0)."
                )
        return data
