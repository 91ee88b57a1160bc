"""Each rule of the guidance, on snapshots written by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lodestar.experiments.guidance import advise, planned_sample
from lodestar.experiments.models import Experiment
from lodestar.experiments.stats.power import sample_size

PLANNED = sample_size("binomial", 0.2, None, 0.05, 0.05, 0.8, arms=2)


def experiment(**fields) -> Experiment:
    defaults = {
        "engine": "frequentist",
        "sequential": False,
        "alpha": Decimal("0.05"),
        "minimum_effect": Decimal("5"),
        "power": Decimal("0.8"),
        "minimum_sample": 100,
        "variants": [{"name": "control", "split": 0.5}, {"name": "b", "split": 0.5}],
    }
    return Experiment(**(defaults | fields))


def row(name="b", n=PLANNED, lift=0.0, ci=(-0.02, 0.02), p=0.5, outcome="", **extra) -> dict:
    return {
        "name": name,
        "control": False,
        "n": n,
        "value": 0.2 * (1 + (lift or 0)),
        "lift": lift,
        "ci": list(ci) if ci else None,
        "p_value": p,
        "adjusted_p_value": None,
        "chance_to_win": None,
        "risk": None,
        "outcome": outcome,
        "problem": None,
    } | extra


def metric(*rows, n=PLANNED, role="primary", name="Activation", goal="increase", **extra) -> dict:
    control = {"name": "control", "control": True, "n": n, "value": 0.2, "stddev": 0.4}
    return {
        "key": name.lower(),
        "name": name,
        "kind": "conversion",
        "role": role,
        "goal": goal,
        "type": "binomial",
        "event": "activated",
        "problem": None,
        "variants": [control, *rows],
    } | extra


def snapshot(*metrics, days=10.0, srm=False, engine="frequentist", sequential=False) -> dict:
    first = metrics[0]["variants"] if metrics else []
    counts = [r["n"] for r in first] or [0, 0]
    return {
        "state": "results",
        "engine": engine,
        "sequential": sequential,
        "alpha": 0.05,
        "minimum_sample": 100,
        "days": days,
        "exposures": {
            "total": sum(counts),
            "variants": [
                {"name": r["name"], "n": r["n"], "share": 0.5, "planned": 0.5} for r in first
            ],
        },
        "srm": {"p_value": 1e-6 if srm else 0.6, "flagged": srm},
        "problem": None,
        "metrics": list(metrics),
    }


def test_a_draft_keeps_running():
    assert advise(experiment(), {"state": "draft"}).verdict == "keep running"


def test_srm_comes_first():
    won = metric(row(lift=0.2, ci=(0.1, 0.3), p=0.001, outcome="win"))
    guidance = advise(experiment(), snapshot(won, srm=True))
    assert guidance.verdict == "stop"
    assert guidance.headline.startswith("Stop: fix the assignment")
    assert "sample-ratio mismatch" in guidance.reasons[0]


def test_no_exposures_keeps_running():
    empty = snapshot(metric(row(n=0), n=0))
    empty["problem"] = "No one has been exposed to 'x' since the experiment started."
    guidance = advise(experiment(), empty)
    assert (guidance.verdict, guidance.headline) == ("keep running", "No exposures yet.")
    assert guidance.reasons == [empty["problem"]]


def test_a_metric_with_no_events_keeps_running_with_the_reason():
    silent = metric(row(), problem="No one did 'checkout' in the window: check the event name.")
    guidance = advise(experiment(), snapshot(silent))
    assert guidance.verdict == "keep running"
    assert guidance.reasons == [silent["problem"]]


def test_too_few_exposures_says_how_many_more_and_how_long():
    problem = "The arm 'b' has 40 exposures; results start at 100 per arm."
    short = metric(row(n=40, lift=None, ci=None, p=None, problem=problem), n=60)
    guidance = advise(experiment(), snapshot(short, days=2))
    assert guidance.verdict == "keep running"
    assert guidance.reasons[0] == problem
    # 100 exposures / 2 days = 50 a day; 40 + 60 more needed: 2 days.
    assert guidance.reasons[1] == (
        "About 100 more exposures are needed (60 in the smallest variant): "
        "about 2 more days at the current rate."
    )


def test_fixed_horizon_short_of_its_plan_keeps_running_even_when_it_looks_won():
    n = PLANNED // 4
    early = metric(row(n=n, lift=0.2, ci=(0.05, 0.35), p=0.004, outcome="win"), n=n)
    guidance = advise(experiment(), snapshot(early, days=5))
    assert guidance.verdict == "keep running"
    assert guidance.headline == (
        f"Keep running: {PLANNED - n:,} more exposures per variant needed."
    )
    assert f"planned for {PLANNED:,} exposures per variant" in guidance.reasons[0]
    assert "more days at the current rate" in guidance.reasons[1]
    assert "inflates false positives" in guidance.reasons[2]


def test_sequential_and_bayesian_may_ship_early():
    n = PLANNED // 4
    early = metric(row(n=n, lift=0.2, ci=(0.05, 0.35), p=0.004, outcome="win"), n=n)
    assert advise(experiment(sequential=True), snapshot(early, sequential=True)).verdict == "ship"
    assert advise(experiment(engine="bayesian"), snapshot(early, engine="bayesian")).variant == "b"


def test_a_significant_win_ships_the_best_variant():
    won = metric(
        row("b", lift=0.08, ci=(0.02, 0.14), p=0.01, outcome="win"),
        row("c", lift=0.12, ci=(0.06, 0.18), p=0.001, outcome="win"),
    )
    guidance = advise(experiment(), snapshot(won))
    assert (guidance.verdict, guidance.variant) == ("ship", "c")
    assert guidance.headline == "Ship 'c': it raises Activation."
    assert guidance.reasons[0] == (
        "Activation: 'c' raises it by 12.0 %, interval +6.0 % to +18.0 % (p = 0.001)."
    )
    assert "'b' also beats control" in guidance.reasons[1]


def test_a_loss_on_a_secondary_metric_is_a_reason_not_to_ship():
    won = metric(row(lift=0.1, ci=(0.04, 0.16), p=0.001, outcome="win"))
    harmed = metric(
        row(lift=-0.2, ci=(-0.3, -0.1), p=0.001, adjusted_p_value=0.002, outcome="loss"),
        role="secondary",
        name="Retention",
    )
    guidance = advise(experiment(), snapshot(won, harmed))
    assert guidance.verdict == "stop"
    assert "Do not ship 'b' as it is" in guidance.headline
    assert "Retention" in guidance.headline
    assert guidance.reasons[-1].startswith("Retention: 'b' lowers it by 20.0 %")


def test_a_significant_loss_stops():
    lost = metric(row(lift=-0.1, ci=(-0.16, -0.04), p=0.002, outcome="loss"))
    guidance = advise(experiment(), snapshot(lost))
    assert guidance.verdict == "stop"
    assert guidance.headline == "Stop: 'b' does worse than control on Activation."


def test_planned_sample_reached_with_the_minimum_effect_ruled_out_stops():
    flat = metric(row(lift=0.001, ci=(-0.03, 0.035), p=0.9))
    guidance = advise(experiment(), snapshot(flat))
    assert guidance.verdict == "stop"
    assert guidance.headline == "Stop: no variant moves Activation by the 5.0 % it was meant to."


def test_lower_is_better_rules_out_a_fall():
    # Goal: decrease. An interval down to -8 % still holds the 5 % fall sought.
    unclear = metric(row(lift=-0.02, ci=(-0.08, 0.04), p=0.4), goal="decrease")
    assert advise(experiment(), snapshot(unclear)).verdict == "keep running"
    flat = metric(row(lift=0.0, ci=(-0.03, 0.03), p=0.9), goal="decrease")
    assert advise(experiment(), snapshot(flat)).verdict == "stop"


def test_inconclusive_at_the_planned_sample_keeps_running():
    unclear = metric(row(lift=0.03, ci=(-0.01, 0.07), p=0.12))
    guidance = advise(experiment(), snapshot(unclear))
    assert guidance.verdict == "keep running"
    assert "The planned sample is reached" in guidance.reasons[-1]


def test_planned_sample_needs_a_baseline():
    assert planned_sample(experiment(), metric(row())) == PLANNED
    nothing = metric(row())
    nothing["variants"][0]["value"] = 0.0
    assert planned_sample(experiment(), nothing) is None


@pytest.mark.parametrize("engine", ["frequentist", "bayesian"])
def test_bayesian_evidence_is_worded_as_a_chance(engine):
    won = metric(
        row(lift=0.1, ci=(0.04, 0.16), p=None, chance_to_win=0.99, risk=0.0001, outcome="win")
    )
    guidance = advise(experiment(engine=engine), snapshot(won, engine=engine))
    assert guidance.verdict == "ship"
    if engine == "bayesian":
        assert "99.0 % chance to beat control, risk 0.0 %" in guidance.reasons[0]
