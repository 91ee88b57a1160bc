"""Results on real events: a small data set whose answer is known, and every bad state
explained in words (never NaN, never a 500)."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from scipy.stats import t

from lodestar.analytics.store import get_spool
from lodestar.experiments import results
from lodestar.experiments.models import Experiment
from lodestar.experiments.services import experiment_create, experiment_start

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=3)


def us(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))


def send(store, workspace, events: list[tuple], *, product: str = "web") -> None:
    """events: (person, event, minutes after T0[, properties])."""
    rows = []
    for item in events:
        person, event, minutes = item[0], item[1], item[2]
        at = us(T0 + timedelta(minutes=minutes))
        rows.append(
            {
                "w": workspace.id,
                "p": product,
                "uuid": str(uuid.uuid4()),
                "event": event,
                "distinct_id": person,
                "ts": at,
                "properties": item[3] if len(item) > 3 else {},
                "received": at,
            }
        )
    get_spool().append(rows)
    store.flush()


def arm(flag: str, variant: str, persons: int, converted: int, *, prefix: str = "") -> list:
    """`persons` exposed to `variant` at minute 1, the first `converted` of them convert."""
    events: list[tuple] = []
    for i in range(persons):
        person = f"{prefix or variant}-{i}"
        events.append((person, "$exposure", 1, {"experiment": flag, "variant": variant}))
        if i < converted:
            events.append((person, "activated", 30))
    return events


def make(world, *, started: bool = True, metrics=None, **settings) -> Experiment:
    experiment = experiment_create(
        product=world.product,
        actor=world["pm"].user,
        name="Onboarding checklist",
        flag_key=settings.pop("flag_key", "checklist-test"),
        hypothesis="A **checklist** gets more people to activate.",
        variants=settings.pop(
            "variants", [{"name": "control", "split": 0.5}, {"name": "checklist", "split": 0.5}]
        ),
        metrics=metrics
        or [{"name": "Activation", "role": "primary", "kind": "conversion", "event": "activated"}],
        feature_key=world.feature.key,
        **({"cuped": False} | settings),
    )
    if started:
        experiment = experiment_start(experiment=experiment, actor=world["pm"].user, now=T0)
    return Experiment.objects.get(pk=experiment.pk)


def finite(value) -> None:
    """No NaN or infinity anywhere in a snapshot (it must be valid, strict JSON)."""
    json.dumps(value, allow_nan=False)


def test_a_draft_has_no_results(world):
    snapshot = results.compute(make(world, started=False))
    assert snapshot["state"] == "draft"
    assert "not started" in snapshot["message"]
    assert snapshot["metrics"] == []


def test_conversion_lift_interval_and_p_value(world, event_store):
    experiment = make(world)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 200, 40) + arm("checklist-test", "checklist", 200, 80),
    )
    snapshot = results.compute(experiment, now=LATER)
    finite(snapshot)
    assert snapshot["state"] == "results"
    assert snapshot["days"] == 3
    assert [v["n"] for v in snapshot["exposures"]["variants"]] == [200, 200]
    assert snapshot["srm"]["flagged"] is False
    (metric,) = snapshot["metrics"]
    control, checklist = metric["variants"]
    assert (control["value"], checklist["value"]) == (0.2, 0.4)
    assert checklist["lift"] == pytest.approx(1.0)
    # The delta method on the ratio of two proportions, by hand; the t quantile with
    # Welch's degrees of freedom (as GrowthBook does for proportions too).
    va, vb = 0.2 * 0.8 / 200, 0.4 * 0.6 / 200
    se = math.sqrt(vb / 0.2**2 + va * 0.4**2 / 0.2**4)
    dof = (va + vb) ** 2 / (va**2 / 199 + vb**2 / 199)
    z = t.ppf(0.975, dof)
    assert checklist["ci"] == pytest.approx([1 - z * se, 1 + z * se], rel=1e-6)
    assert checklist["p_value"] == pytest.approx(2 * t.sf(1 / se, dof), rel=1e-6)
    assert checklist["p_value"] < 0.05
    assert checklist["outcome"] == "win"
    assert checklist["adjusted_p_value"] is None  # the primary metric is not adjusted


def test_secondary_metrics_are_adjusted_and_empty_metrics_explained(world, event_store):
    experiment = make(
        world,
        metrics=[
            {"name": "Activation", "role": "primary", "kind": "conversion", "event": "activated"},
            {"name": "Activated too", "role": "secondary", "kind": "count", "event": "activated"},
            {"name": "Checkout", "role": "secondary", "kind": "conversion", "event": "checkout"},
        ],
    )
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 150, 45) + arm("checklist-test", "checklist", 150, 60),
    )
    snapshot = results.compute(experiment, now=LATER)
    finite(snapshot)
    primary, count, checkout = snapshot["metrics"]
    assert primary["role"] == "primary"
    row = count["variants"][1]
    # Holm over the one secondary comparison with a p-value: unchanged.
    assert row["adjusted_p_value"] == pytest.approx(row["p_value"])
    assert checkout["problem"] == "No one did 'checkout' in the window: check the event name."
    assert checkout["variants"][1]["lift"] is None


def test_too_few_exposures_and_a_variant_with_none(world, event_store):
    experiment = make(world, minimum_sample=10)
    send(event_store, world.workspace, arm("checklist-test", "control", 30, 10))
    snapshot = results.compute(experiment, now=LATER)
    finite(snapshot)
    row = snapshot["metrics"][0]["variants"][1]
    assert row["lift"] is None
    assert row["problem"] == "The arm 'checklist' has no exposures yet."
    send(event_store, world.workspace, arm("checklist-test", "checklist", 5, 1))
    row = results.compute(experiment, now=LATER)["metrics"][0]["variants"][1]
    assert row["problem"] == "The arm 'checklist' has 5 exposures; results start at 10 per arm."


def test_zero_variance_is_explained(world, event_store):
    experiment = make(world, minimum_sample=10)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 20, 20) + arm("checklist-test", "checklist", 20, 20),
    )
    snapshot = results.compute(experiment, now=LATER)
    finite(snapshot)
    assert "no variance" in snapshot["metrics"][0]["variants"][1]["problem"]


def test_no_exposures_at_all(world, event_store):
    snapshot = results.compute(make(world), now=LATER)
    finite(snapshot)
    assert snapshot["exposures"]["total"] == 0
    assert "No one has been exposed to 'checklist-test'" in snapshot["problem"]
    assert snapshot["srm"] == {"p_value": None, "flagged": False}


def test_sample_ratio_mismatch_is_flagged(world, event_store):
    experiment = make(world)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 300, 60) + arm("checklist-test", "checklist", 150, 30),
    )
    snapshot = results.compute(experiment, now=LATER)
    assert snapshot["srm"]["flagged"] is True
    assert snapshot["srm"]["p_value"] < 0.001


def test_bayesian_goal_decrease_turns_chance_around(world, event_store):
    experiment = make(
        world,
        engine="bayesian",
        metrics=[
            {
                "name": "Errors",
                "role": "primary",
                "kind": "conversion",
                "event": "activated",
                "goal": "decrease",
            }
        ],
    )
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 200, 80) + arm("checklist-test", "checklist", 200, 40),
    )
    row = results.compute(experiment, now=LATER)["metrics"][0]["variants"][1]
    assert row["lift"] == pytest.approx(-0.5)
    assert row["chance_to_win"] > 0.99  # lower is better: a fall is a win
    assert row["risk"] < 0.001
    assert row["outcome"] == "win"
    assert row["p_value"] is None


def test_cuped_and_refresh_store_the_snapshot(world, event_store):
    experiment = make(world, cuped=True)
    send(
        event_store,
        world.workspace,
        [
            ("control-0", "activated", -600),
            ("checklist-1", "activated", -600),
            *arm("checklist-test", "control", 120, 30),
            *arm("checklist-test", "checklist", 120, 45),
        ],
    )
    snapshot = results.refresh(experiment, now=LATER)
    finite(snapshot)
    experiment.refresh_from_db()
    assert experiment.results == snapshot
    assert experiment.results_at == LATER
    assert snapshot["metrics"][0]["variants"][1]["lift"] is not None
    assert results.current(experiment) == snapshot  # stored: not computed again
