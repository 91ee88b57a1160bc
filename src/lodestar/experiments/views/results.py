"""The experiment page (its results), refreshing them, and recording the outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.core.errors import Invalid
from lodestar.core.forms import StyledForm, apply_errors, form_status
from lodestar.experiments import guidance, results
from lodestar.experiments.decisions import record_outcome
from lodestar.experiments.guidance import pct
from lodestar.experiments.models import Experiment, ExperimentStatus, Goal, MetricKind
from lodestar.workspaces.access import WorkspaceRequest, workspace_view

VERDICT_CLASS = {"ship": "verdict-ship", "keep running": "verdict-wait", "stop": "verdict-stop"}
# Bar colours on the lift chart: a win, a loss, no clear result (WCAG AA on white).
COLOURS = {"win": "#1e6b3a", "loss": "#b3261e", "": "#44546a"}


class DecideForm(StyledForm):
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect)
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why, in a few sentences: it goes into the decision log with the results.",
    )
    confirm = forms.BooleanField(
        label="Record it: stop the experiment, add the decision to the log, and set the "
        "feature's measured impact.",
        error_messages={"required": "Tick the box to confirm: the outcome cannot be changed."},
    )

    def __init__(self, experiment: Experiment, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = experiment.variant_names
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = [
            *((f"ship:{name}", f"Ship '{name}'") for name in names[1:]),
            ("stop", f"Ship nothing: keep '{names[0]}'" if names else "Ship nothing"),
        ]
        outcome.error_messages["required"] = "Choose what to do."

    def service_arguments(self) -> dict[str, str]:
        verdict, _, variant = self.cleaned_data["outcome"].partition(":")
        return {
            "verdict": verdict,
            "variant": variant,
            "rationale": self.cleaned_data.get("rationale") or "",
        }


def _get(request: WorkspaceRequest, key: str) -> Experiment:
    from lodestar.experiments.selectors import experiment_get

    return experiment_get(workspace=request.workspace, key=key)


@workspace_view(read="experiment.view")
def experiment_page(request: WorkspaceRequest, experiment_key: str) -> HttpResponse:
    return page(request, _get(request, experiment_key))


@workspace_view(read=None, write="experiment.view")
def refresh(request: WorkspaceRequest, experiment_key: str) -> HttpResponse:
    experiment = _get(request, experiment_key)
    if experiment.status == ExperimentStatus.DRAFT:
        messages.warning(request, "A draft has no results yet: start it first.")
    elif experiment.decision_id is not None:
        messages.warning(request, "The outcome is recorded: these are the results it used.")
    else:
        snapshot = results.refresh(experiment)
        if snapshot.get("state") == "error":
            messages.error(request, snapshot.get("message") or "The results could not be read.")
        else:
            messages.success(request, "Results brought up to date.")
    return redirect(
        "experiment_results:experiment", slug=request.workspace.slug, experiment_key=experiment.key
    )


@workspace_view(read=None, write="experiment.decide")
def decide(request: WorkspaceRequest, experiment_key: str) -> HttpResponse:
    experiment = _get(request, experiment_key)
    form = DecideForm(experiment, request.POST)
    if form.is_valid():
        try:
            args = form.service_arguments()
            decision = record_outcome(
                experiment,
                actor=request.user,
                verdict=args["verdict"],
                variant=args["variant"],
                rationale=args["rationale"],
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Recorded in the decision log: {decision.title}.")
            return redirect(
                "experiment_results:experiment",
                slug=request.workspace.slug,
                experiment_key=experiment.key,
            )
    return page(request, experiment, form=form, status=form_status(form))


# -- the page -----------------------------------------------------------------------------


def page(
    request: WorkspaceRequest,
    experiment: Experiment,
    *,
    form: DecideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    snapshot = results.current(experiment)
    has_results = snapshot.get("state") == "results"
    advice = guidance.advise(experiment, snapshot) if has_results else None
    decided = experiment.decision_id is not None
    if form is None and has_results and not decided:
        initial = f"ship:{advice.variant}" if advice and advice.variant else None
        form = DecideForm(experiment, initial={"outcome": initial} if initial else None)
    context: dict[str, Any] = {
        "experiment": experiment,
        "metric_list": list(experiment.metrics.all()),
        "snapshot": snapshot,
        "has_results": has_results,
        "computed_at": _when(snapshot.get("computed_at")),
        "advice": advice,
        "verdict_class": VERDICT_CLASS.get(advice.verdict, "") if advice else "",
        "exposures": _exposure_rows(snapshot),
        "total": f"{(snapshot.get('exposures') or {}).get('total') or 0:,}",
        "exposure_figure": _exposure_figure(snapshot),
        "metrics": [_metric_view(experiment, entry, snapshot) for entry in snapshot["metrics"]]
        if has_results
        else [],
        "bayesian": snapshot.get("engine") == "bayesian",
        "level": f"{float(snapshot.get('ci_level', 0.95)) * 100:g} %",
        "days": _days(snapshot.get("days")),
        "decided": decided,
        "measured": _measured(experiment) if decided else None,
        "srm_p": _p((snapshot.get("srm") or {}).get("p_value")),
        "form": form,
    }
    context["charts"] = any(m["figure"] for m in context["metrics"]) or bool(
        context["exposure_figure"]
    )
    return render(request, "experiments/experiment.html", context, status=status)


def _measured(experiment: Experiment) -> str:
    """The feature's measured impact in words: "+12.3 % (interval +4.1 % to +20.5 %)"."""
    feature = experiment.feature
    if feature is None or feature.measured_change is None:
        return ""
    low, high = feature.measured_low, feature.measured_high
    text = pct(float(feature.measured_change) / 100)
    if low is not None and high is not None:
        text += f" (interval {pct(float(low) / 100)} to {pct(float(high) / 100)})"
    return text


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _days(days: float | None) -> str:
    if days is None:
        return ""
    if days < 1:
        hours = round(days * 24)
        return "less than an hour" if hours < 1 else f"{hours} hour{'s' if hours != 1 else ''}"
    shown = f"{days:.1f}".rstrip("0").rstrip(".")
    return f"{shown} day{'s' if shown != '1' else ''}"


def _exposure_rows(snapshot: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for variant in (snapshot.get("exposures") or {}).get("variants") or []:
        rows.append(
            {
                "name": variant["name"],
                "n": f"{variant['n']:,}",
                "share": pct(variant.get("share"), sign=False),
                "planned": pct(variant.get("planned"), sign=False),
            }
        )
    return rows


def _exposure_figure(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    daily = (snapshot.get("exposures") or {}).get("daily") or {}
    dates = daily.get("dates") or []
    if len(dates) < 2:
        return None
    return {
        "data": [
            {"type": "scatter", "mode": "lines+markers", "name": name, "x": dates, "y": values}
            for name, values in (daily.get("cumulative") or {}).items()
        ],
        "layout": {
            "height": 240,
            "margin": {"t": 10, "r": 10, "b": 40, "l": 60},
            "yaxis": {"title": {"text": "Persons exposed"}, "rangemode": "tozero"},
            "legend": {"orientation": "h"},
        },
    }


def _value(entry: dict[str, Any], value: float | None) -> str:
    if value is None:
        return "—"
    if entry["type"] == "binomial":
        return pct(value, sign=False)
    suffix = " per person" if entry["kind"] == MetricKind.COUNT else ""
    return f"{value:,.4g}{suffix}"


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return f"{value:.1e}" if value > 0 else "< 1e-300"
    return f"{value:.3f}"


def _metric_view(
    experiment: Experiment, entry: dict[str, Any], snapshot: dict[str, Any]
) -> dict[str, Any]:
    rows = []
    for row in entry["variants"]:
        rows.append(
            {
                "name": row["name"],
                "control": row.get("control"),
                "n": f"{row['n']:,}",
                "value": _value(entry, row.get("value")),
                "lift": pct(row.get("lift")) if row.get("lift") is not None else "",
                "ci": guidance.interval(row) if row.get("ci") else "",
                "p": _p(row.get("p_value")),
                "adjusted_p": _p(row.get("adjusted_p_value")),
                "chance": pct(row.get("chance_to_win"), sign=False),
                "risk": pct(row.get("risk"), sign=False),
                "outcome": row.get("outcome") or "",
                "problem": row.get("problem") or "",
            }
        )
    return {
        "key": entry["key"],
        "name": entry["name"],
        "primary": entry["role"] == "primary",
        "kind": MetricKind(entry["kind"]).label if entry["kind"] in MetricKind.values else "",
        "goal": Goal(entry["goal"]).label if entry["goal"] in Goal.values else "",
        "event": entry["event"],
        "problem": entry.get("problem") or "",
        "rows": rows,
        "rate": entry["type"] == "binomial",
        "figure": _lift_figure(experiment, entry),
        "figure_id": f"lift-figure-{entry['key']}",
        "adjusted": any(r.get("adjusted_p_value") is not None for r in entry["variants"]),
    }


def _lift_figure(experiment: Experiment, entry: dict[str, Any]) -> dict[str, Any] | None:
    """Each variant's lift against control with its interval (horizontal error bars), a line
    at zero and dotted lines at plus and minus the minimum effect worth detecting."""
    rows = [r for r in entry["variants"] if not r.get("control") and r.get("lift") is not None]
    if not rows:
        return None
    lifts = [r["lift"] * 100 for r in rows]
    effect = float(experiment.minimum_effect)
    lines = [
        {
            "type": "line",
            "x0": x,
            "x1": x,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": "#1f2933" if x == 0 else "#8a94a3", "dash": dash, "width": 1},
        }
        for x, dash in ((0, "solid"), (effect, "dot"), (-effect, "dot"))
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "x": lifts,
                "y": [r["name"] for r in rows],
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [r["ci"][1] * 100 - x for r, x in zip(rows, lifts, strict=True)],
                    "arrayminus": [x - r["ci"][0] * 100 for r, x in zip(rows, lifts, strict=True)],
                    "thickness": 3,
                    "width": 6,
                },
                "marker": {
                    "size": 11,
                    "color": [COLOURS.get(r.get("outcome") or "", COLOURS[""]) for r in rows],
                },
                "hovertemplate": "%{y}: %{x:+.1f} %<extra></extra>",
                "showlegend": False,
            }
        ],
        "layout": {
            "height": 90 + 45 * len(rows),
            "margin": {"t": 10, "r": 20, "b": 45, "l": 90},
            "xaxis": {
                "title": {"text": "Lift against control (%)"},
                "ticksuffix": " %",
                "zeroline": False,
            },
            "yaxis": {"automargin": True, "type": "category"},
            "shapes": lines,
        },
    }
