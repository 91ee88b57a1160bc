"""The demo's experiments (lodestar.demo.experiments): a decided one whose outcome is in the
decision log and on its feature, one running towards its planned sample, one flagged for a
sample-ratio mismatch, and a draft for the calculator; all three exposure forms used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lodestar.analytics.queries.base import source_for
from lodestar.demo.build import SLUG, build_demo
from lodestar.demo.clock import demo_now
from lodestar.experiments.guidance import advise
from lodestar.experiments.models import Experiment, ExperimentStatus, MetricKind
from lodestar.experiments.results import primary
from lodestar.strategy.models import DecisionStatus
from lodestar.workspaces.models import Workspace

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 26)  # as tests/test_demo_delivery.py and test_demo_roadmap.py
NOW = demo_now(DAY)


@pytest.fixture
def demo():
    build_demo(seed=7, size="small", today=DAY)
    workspace = Workspace.objects.get(slug=SLUG)
    return {e.flag_key: e for e in Experiment.objects.filter(workspace=workspace)}


def test_the_demos_experiments(demo):
    """One demo build (the slowest part) for both checks."""
    four_experiments_in_every_state_and_exposure_form(demo)
    decided_running_and_flagged(demo)


def four_experiments_in_every_state_and_exposure_form(demo):
    assert sorted(demo) == ["arrival-texts", "online-booking", "quote-options", "skills-routing"]
    states = {key: e.status for key, e in demo.items()}
    assert states == {
        "skills-routing": ExperimentStatus.STOPPED,
        "arrival-texts": ExperimentStatus.RUNNING,
        "quote-options": ExperimentStatus.RUNNING,
        "online-booking": ExperimentStatus.DRAFT,
    }
    for experiment in demo.values():
        assert experiment.feature is not None and experiment.product.key == "web"
        assert experiment.hypothesis.startswith("**If**")
        metrics = list(experiment.metrics.all())
        assert [m.role for m in metrics].count("primary") == 1 and len(metrics) >= 3
        assert experiment.started_at is None or experiment.started_at < NOW
    kinds = {m.kind for e in demo.values() for m in e.metrics.all()}
    assert kinds == set(MetricKind.values)
    assert any(m.steps for m in demo["quote-options"].metrics.all())  # an in-order funnel
    draft = demo["online-booking"]
    assert draft.results.get("state", "draft") == "draft" and draft.minimum_effect > 0
    # All three exposure forms, each read as the experiment's exposures.
    with source_for(demo["skills-routing"].workspace) as src:
        rows = dict(
            src.query(
                "SELECT event, count(*) FROM events WHERE event IN "
                "('$feature_flag_called', 'Experiment Viewed', '$exposure') GROUP BY event"
            ).rows
        )
    assert set(rows) == {"$feature_flag_called", "Experiment Viewed", "$exposure"}
    for key in ("skills-routing", "arrival-texts", "quote-options"):
        assert demo[key].results["exposures"]["total"] > 300


def decided_running_and_flagged(demo):
    routing = demo["skills-routing"]
    snapshot = routing.decided_results
    metric = primary(snapshot)
    test = metric["variants"][1]
    assert test["outcome"] == "win"
    assert test["ci"][1] < 0  # repeat visits: lower is better, and the interval excludes no change
    assert advise(routing, snapshot).verdict == "ship"
    decision = routing.decision
    assert decision.status == DecisionStatus.ACCEPTED and routing.shipped_variant == "skills-match"
    assert routing.feature in decision.features.all()
    assert routing.stopped_at < NOW - timedelta(days=30)
    assert decision.decided_on == (routing.stopped_at + timedelta(days=1)).date()
    feature = routing.feature
    assert feature.measured_change is not None and feature.measured_low < feature.measured_high
    assert float(feature.measured_high) < 0 < -float(feature.impact_change)  # predicted -25 %
    assert feature.measured_on == decision.decided_on
    # Running: encouraging but short of the planned sample; and one with a broken split.
    arrival = demo["arrival-texts"]
    guidance = advise(arrival, arrival.results)
    assert guidance.verdict == "keep running"
    lift = primary(arrival.results)["variants"][1]
    assert lift["lift"] < 0 and lift["outcome"] == ""  # encouraging, not conclusive
    quotes = demo["quote-options"]
    srm = quotes.results["srm"]
    assert srm["flagged"] and srm["p_value"] < 0.001
    assert advise(quotes, quotes.results).verdict == "stop"
