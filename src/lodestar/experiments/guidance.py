"""Plain-language guidance from a results snapshot: ship, keep running, or stop, with why.

The rules, in order (the first that applies decides):
1. A sample-ratio mismatch: stop and fix the assignment; no number can be trusted.
2. No exposures, no primary metric, or no result on it yet (no events, too few exposures):
   keep running, with how many more exposures and about how many days.
3. A fixed-horizon frequentist test short of its planned sample (stats.power.sample_size for
   the experiment's minimum effect and power): keep running, even when it looks significant
   already (peeking inflates false positives; sequential testing or the Bayesian engine may
   stop early).
4. A variant wins on the primary metric: ship the best one, unless it loses on a secondary
   metric (a guardrail): then do not ship it as it is.
5. A variant loses and none wins: stop.
6. The planned sample is reached and every interval rules out the minimum effect: stop,
   there is no effect worth having.
7. Otherwise: keep running.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from lodestar.core.errors import LodestarError
from lodestar.experiments.models import Experiment, Goal
from lodestar.experiments.results import primary

Verdict = Literal["ship", "keep running", "stop"]


@dataclass
class Guidance:
    verdict: Verdict
    headline: str
    reasons: list[str] = field(default_factory=list)
    variant: str = ""  # the variant to ship (verdict "ship")


def pct(value: float | None, *, sign: bool = True) -> str:
    """A fraction as a percentage in words: 0.1234 -> "+12.3 %" (a real minus sign)."""
    if value is None:
        return "—"
    text = f"{abs(value) * 100:,.1f}"
    if not sign:
        return f"{text} %"
    return f"\u2212{text} %" if value < 0 else f"+{text} %"


def interval(row: dict[str, Any]) -> str:
    low, high = row["ci"]
    return f"{pct(low)} to {pct(high)}"


def advise(experiment: Experiment, snapshot: dict[str, Any]) -> Guidance:
    state = snapshot.get("state")
    if not snapshot or state == "draft":
        return Guidance(
            "keep running",
            "Not started: there are no results yet.",
            ["Start the experiment once its metrics and split are right."],
        )
    if state == "error":
        return Guidance(
            "keep running", "The results could not be read.", [snapshot.get("message", "")]
        )
    exposures = snapshot.get("exposures") or {}
    srm = snapshot.get("srm") or {}
    if srm.get("flagged"):
        return _srm(exposures, srm)
    if not exposures.get("total"):
        return Guidance(
            "keep running", "No exposures yet.", [snapshot.get("problem") or "Wait for traffic."]
        )
    metric = primary(snapshot)
    if metric is None:
        return Guidance(
            "keep running",
            "There is no primary metric to decide on.",
            ["Give the experiment a primary metric (a draft copy of it, once stopped)."],
        )
    rows = [row for row in metric["variants"] if not row.get("control")]
    control = metric["variants"][0]
    name = metric["name"]
    rate = _daily_rate(snapshot)
    if metric.get("problem"):
        return Guidance("keep running", f"No result on {name} yet.", [metric["problem"]])
    short = [row for row in rows if row.get("problem") or row.get("lift") is None]
    if short:
        reasons = [row["problem"] or f"'{row['name']}': no result yet." for row in short]
        needed = int(snapshot.get("minimum_sample") or 0)
        more = _more(metric, needed, rate)
        if more:
            reasons.append(more)
        return Guidance("keep running", f"Keep running: too few exposures for {name}.", reasons)

    alpha = float(snapshot.get("alpha", 0.05))
    planned = planned_sample(experiment, metric)
    smallest = min(row["n"] for row in metric["variants"])
    fixed = snapshot.get("engine") == "frequentist" and not snapshot.get("sequential")
    winners = [row for row in rows if row.get("outcome") == "win"]
    losers = [row for row in rows if row.get("outcome") == "loss"]
    sign = 1 if metric["goal"] == Goal.INCREASE else -1
    effect = float(experiment.minimum_effect) / 100

    if fixed and planned and smallest < planned:
        reasons = [
            f"The test is planned for {planned:,} exposures per variant to detect a "
            f"{pct(effect, sign=False)} change in {name} with {float(experiment.power):.0%} "
            f"power; the smallest variant has {smallest:,}.",
        ]
        more = _more(metric, planned, rate)
        if more:
            reasons.append(more)
        if winners or losers:
            reasons.append(
                "It may look decided already, but stopping a fixed-horizon test early "
                "inflates false positives: wait for the planned sample, or turn on "
                "sequential testing to stop when the result is clear."
            )
        return Guidance(
            "keep running",
            f"Keep running: {max(planned - smallest, 0):,} more exposures per variant needed.",
            reasons,
        )

    if winners:
        best = max(winners, key=lambda row: sign * row["lift"])
        harmed = _guardrails(snapshot, best["name"])
        evidence = _evidence(best, snapshot, alpha)
        if harmed:
            return Guidance(
                "stop",
                f"Do not ship '{best['name']}' as it is: it wins on {name} but does worse "
                f"on {', '.join(m for m, _ in harmed)}.",
                [f"{name}: {_moved(best)} ({evidence})."] + [f"{m}: {text}." for m, text in harmed],
            )
        reasons = [f"{name}: '{best['name']}' {_moved(best)} ({evidence})."]
        reasons += [
            f"'{row['name']}' also beats control ({_moved(row)})."
            for row in winners
            if row is not best
        ]
        reasons.append(_base(control, metric))
        return Guidance(
            "ship",
            f"Ship '{best['name']}': it {_moved(best, short=True)} {name}.",
            reasons,
            variant=best["name"],
        )
    if losers:
        return Guidance(
            "stop",
            f"Stop: {_names(losers)} {'does' if len(losers) == 1 else 'do'} worse than "
            f"control on {name}.",
            [
                f"'{row['name']}' {_moved(row)} ({_evidence(row, snapshot, alpha)})."
                for row in losers
            ]
            + [_base(control, metric)],
        )
    reached = not planned or smallest >= planned
    if reached and all(
        sign * (row["ci"][1] if sign > 0 else row["ci"][0]) < effect for row in rows
    ):
        return Guidance(
            "stop",
            f"Stop: no variant moves {name} by the {pct(effect, sign=False)} it was meant to.",
            [
                f"'{row['name']}': {pct(row['lift'])}, interval {interval(row)}, which rules "
                f"out a {pct(effect, sign=False)} improvement."
                for row in rows
            ],
        )
    reasons = [
        f"'{row['name']}': {pct(row['lift'])}, interval {interval(row)} "
        f"({_evidence(row, snapshot, alpha)}): not clear yet."
        for row in rows
    ]
    if planned and smallest < planned:
        more = _more(metric, planned, rate)
        if more:
            reasons.append(more)
    elif planned:
        reasons.append(
            "The planned sample is reached, but the interval still holds both no change and "
            f"a {pct(effect, sign=False)} change: more exposures narrow it."
        )
    return Guidance("keep running", f"Keep running: no clear result on {name} yet.", reasons)


# -- helpers ------------------------------------------------------------------------------


def planned_sample(experiment: Experiment, metric: dict[str, Any]) -> int | None:
    """Exposures per variant the test needs for the experiment's minimum effect and power,
    from the control's rate or mean (None when it cannot be worked out yet)."""
    control = metric["variants"][0]
    mean, stddev = control.get("value"), control.get("stddev")
    if mean is None or mean == 0:
        return None
    from lodestar.experiments.stats.power import sample_size

    try:
        size = sample_size(
            metric["type"],
            abs(mean),
            None if metric["type"] == "binomial" else stddev,
            float(experiment.minimum_effect) / 100,
            float(experiment.alpha),
            float(experiment.power),
            arms=len(metric["variants"]),
            sequential=experiment.sequential,
        )
    except (LodestarError, ValueError, ArithmeticError):
        return None
    return int(size) if size and math.isfinite(size) else None


def _daily_rate(snapshot: dict[str, Any]) -> float | None:
    days = float(snapshot.get("days") or 0)
    total = (snapshot.get("exposures") or {}).get("total") or 0
    return total / days if days >= 1 / 24 and total else None


def _more(metric: dict[str, Any], target: int, rate: float | None) -> str:
    """'About N more exposures (M per variant), about D days at the current rate.'"""
    gaps = [max(target - row["n"], 0) for row in metric["variants"]]
    missing = sum(gaps)
    if not missing:
        return ""
    text = f"About {missing:,} more exposures are needed ({max(gaps):,} in the smallest variant)"
    if rate:
        days = math.ceil(missing / rate)
        return f"{text}: about {days:,} more day{'s' if days != 1 else ''} at the current rate."
    return f"{text}."


def _moved(row: dict[str, Any], *, short: bool = False) -> str:
    verb = "raises" if row["lift"] > 0 else "lowers"
    if short:
        return f"{verb}"
    return f"{verb} it by {pct(abs(row['lift']), sign=False)}, interval {interval(row)}"


def _evidence(row: dict[str, Any], snapshot: dict[str, Any], alpha: float) -> str:
    if snapshot.get("engine") == "bayesian":
        return (
            f"{pct(row.get('chance_to_win'), sign=False)} chance to beat control, "
            f"risk {pct(row.get('risk'), sign=False)}"
        )
    p = row.get("adjusted_p_value")
    label = "adjusted p" if p is not None else "p"
    p = p if p is not None else row.get("p_value")
    return f"{label} = {p:.3g}" if p is not None else "no p-value"


def _guardrails(snapshot: dict[str, Any], variant: str) -> list[tuple[str, str]]:
    harmed = []
    for entry in snapshot.get("metrics") or []:
        if entry.get("role") != "secondary":
            continue
        for row in entry["variants"]:
            if row["name"] == variant and row.get("outcome") == "loss":
                harmed.append((entry["name"], f"'{variant}' {_moved(row)}"))
    return harmed


def _names(rows: list[dict[str, Any]]) -> str:
    return ", ".join(f"'{row['name']}'" for row in rows)


def _base(control: dict[str, Any], metric: dict[str, Any]) -> str:
    value = control.get("value")
    if value is None:
        return f"Control: {control['n']:,} exposures."
    shown = pct(value, sign=False) if metric["type"] == "binomial" else f"{value:,.3g}"
    return f"Control: {shown} over {control['n']:,} exposures."


def _srm(exposures: dict[str, Any], srm: dict[str, Any]) -> Guidance:
    split = ", ".join(
        f"'{v['name']}' {v['n']:,} ({pct(v['share'], sign=False)}, planned "
        f"{pct(v['planned'], sign=False)})"
        for v in exposures.get("variants") or []
    )
    return Guidance(
        "stop",
        "Stop: fix the assignment. The exposures do not match the planned split.",
        [
            f"Exposures: {split}. A split this far off happens by chance with a probability "
            f"of {srm['p_value']:.2g} (sample-ratio mismatch below 0.001).",
            "While the split is off, the groups differ in more than the variant, so no result "
            "here can be trusted. Look for variants that crash or redirect before the exposure "
            "is sent, bots, caching, or targeting that changed during the test; then restart.",
        ],
    )
