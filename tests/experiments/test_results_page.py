"""The experiment page in each of its states, and Refresh."""

from __future__ import annotations

import pytest

from lodestar.experiments.decisions import record_outcome
from lodestar.experiments.models import Experiment
from tests.experiments.test_results import LATER, arm, make, send

pytestmark = pytest.mark.django_db


def url(experiment: Experiment, action: str = "") -> str:
    return f"/w/acme/measure/experiments/{experiment.key}/{action}"


def text(response) -> str:
    return response.content.decode()


def test_a_draft_links_to_the_calculator_and_the_setup(world):
    draft = make(world, started=False)
    response = world["pm"].client().get(url(draft))
    assert response.status_code == 200
    page = text(response)
    assert "Not started yet" in page
    assert f"/measure/experiments/calculator/?experiment={draft.key}" in page
    assert f"/measure/experiments/{draft.key}/edit/" in page
    assert f"/measure/experiments/{draft.key}/start/" in page
    assert "<strong>checklist</strong>" in page  # the hypothesis as markdown
    assert "Record the outcome" not in page
    draft.refresh_from_db()
    assert draft.results["state"] == "draft"


def test_running_with_too_few_exposures(world, event_store):
    experiment = make(world)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 30, 5) + arm("checklist-test", "checklist", 30, 9),
    )
    page = text(world["stakeholder"].client().get(url(experiment)))
    assert "Keep running: too few exposures for Activation." in page
    assert "has 30 exposures; results start at 100 per arm." in page
    assert "more exposures are needed" in page
    assert "Sample-ratio mismatch" not in page
    assert "Record the outcome" not in page  # a stakeholder cannot decide
    assert "/stop/" not in page  # nor stop it


def test_running_with_results_shows_the_chart_the_table_and_the_form(world, event_store):
    experiment = make(world, minimum_sample=50)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 200, 40) + arm("checklist-test", "checklist", 200, 80),
    )
    response = world["pm"].client().get(url(experiment))
    page = text(response)
    assert response.status_code == 200
    assert "Guidance:" in page
    assert 'data-chart="lift-figure-' in page
    assert "+100.0 %" in page  # the lift
    assert "20.0 %" in page and "40.0 %" in page  # the rates
    assert "Record the outcome" in page
    assert 'value="stop"' in page and 'value="ship:checklist"' in page
    assert "Refresh" in page
    assert "plotly.min.js" in page
    assert "NaN" not in page


def test_sample_ratio_mismatch_is_warned_above_the_results(world, event_store):
    experiment = make(world)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 300, 60) + arm("checklist-test", "checklist", 150, 30),
    )
    page = text(world["pm"].client().get(url(experiment)))
    warning = page.index("Sample-ratio mismatch: these results cannot be trusted")
    assert warning < page.index("Guidance:") < page.index('id="exposures-head"')
    assert "Stop: fix the assignment." in page


def test_a_decided_experiment_shows_its_outcome(world, event_store):
    experiment = make(world)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 200, 40) + arm("checklist-test", "checklist", 200, 80),
    )
    decision = record_outcome(
        experiment, actor=world["pm"].user, verdict="ship", variant="checklist"
    )
    page = text(world["po"].client().get(url(experiment)))
    assert "Outcome recorded" in page
    assert f"/decisions/{decision.key}/" in page
    assert "Results as they were when the outcome was recorded" in page
    assert "Record the outcome" not in page
    assert "Refresh" not in page
    assert "The measured impact of" in page


def test_refresh_recomputes_and_anyone_who_reads_may_refresh(world, event_store):
    experiment = make(world)
    experiment.results = {"version": 1, "state": "results", "metrics": []}
    experiment.save(update_fields=["results"])
    send(event_store, world.workspace, arm("checklist-test", "control", 10, 1))
    response = world["stakeholder"].client().post(url(experiment, "refresh/"))
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.results["exposures"]["total"] == 10
    assert world["pm"].client().get(url(experiment, "refresh/")).status_code == 405


def test_a_stopped_experiment_recomputes_stale_results(world, event_store):
    experiment = make(world)
    from lodestar.experiments.results import refresh
    from lodestar.experiments.services import experiment_stop

    refresh(experiment, now=LATER)
    experiment_stop(experiment=experiment, actor=world["pm"].user)
    experiment.refresh_from_db()
    world["pm"].client().get(url(experiment))
    experiment.refresh_from_db()
    assert experiment.results_at > experiment.stopped_at


def test_another_workspace_gets_404(world):
    draft = make(world, started=False)
    other = f"/w/other/measure/experiments/{draft.key}/"
    assert world["outsider"].client().get(other).status_code == 404
    assert world["outsider"].client().get(url(draft)).status_code == 404


def test_bayesian_results_show_chance_and_risk(world, event_store):
    experiment = make(world, engine="bayesian", minimum_sample=50)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 200, 40) + arm("checklist-test", "checklist", 200, 80),
    )
    page = text(world["pm"].client().get(url(experiment)))
    assert "Chance to beat control" in page and "Risk" in page
    assert "p-value" not in page
    assert "Guidance: ship" in page
    assert "Ship &#x27;checklist&#x27;: it raises Activation." in page
