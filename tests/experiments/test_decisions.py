"""Recording an experiment's outcome: the decision, the feature's measured impact, once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lodestar.activity.models import Entry
from lodestar.core.errors import Conflict, Invalid
from lodestar.experiments.decisions import record_outcome
from lodestar.strategy.models import DecisionStatus
from tests.experiments.test_results import arm, make, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(world, event_store):
    experiment = make(world)
    send(
        event_store,
        world.workspace,
        arm("checklist-test", "control", 200, 40) + arm("checklist-test", "checklist", 200, 80),
    )
    return experiment


def test_shipping_records_a_decision_and_the_measured_impact(world, running):
    decision = record_outcome(
        running, actor=world["pm"].user, verdict="ship", variant="checklist", rationale="Clear."
    )
    assert decision.title == "Ship 'checklist' of Onboarding checklist"
    assert decision.status == DecisionStatus.ACCEPTED
    assert decision.decided_on == timezone.localdate()
    assert decision.product == world.product
    assert list(decision.features.all()) == [world.feature]
    assert [m.user for m in decision.deciders.all()] == [world["pm"].user]
    assert decision.rationale == "Clear."
    assert decision.outcome == "Ship the variant 'checklist' to everyone."
    assert "A **checklist** gets more people to activate." in decision.context
    assert "| checklist | 200 | 40.0 % | +100.0 % |" in decision.context

    running.refresh_from_db()
    assert running.status == "stopped" and running.stopped_at is not None
    assert running.decision == decision
    assert running.shipped_variant == "checklist"
    lift = running.decided_results["metrics"][0]["variants"][1]
    assert lift["lift"] == pytest.approx(1.0)

    feature = running.feature
    feature.refresh_from_db()
    assert feature.measured_change == Decimal("100.00")
    assert feature.measured_low == Decimal(str(round(lift["ci"][0] * 100, 2)))
    assert feature.measured_high == Decimal(str(round(lift["ci"][1] * 100, 2)))
    assert feature.measured_unit == "percent"
    assert feature.measured_source == (
        "Experiment Onboarding checklist: Activation, checklist vs control, 95 % CI"
    )
    assert feature.measured_on == timezone.localdate()
    verbs = set(Entry.objects.filter(workspace=world.workspace).values_list("target_type", "verb"))
    assert {("decision", "created"), ("experiment", "stopped"), ("experiment", "decided")} <= verbs
    assert ("feature", "updated") in verbs


def test_keeping_the_control_measures_the_best_variant(world, running):
    decision = record_outcome(running, actor=world["pm"].user, verdict="stop", variant="ignored")
    assert decision.title == "Keep 'control': do not ship Onboarding checklist"
    running.refresh_from_db()
    assert running.shipped_variant == ""
    running.feature.refresh_from_db()
    assert running.feature.measured_change == Decimal("100.00")


def test_a_second_recording_is_a_conflict(world, running):
    record_outcome(running, actor=world["pm"].user, verdict="stop")
    with pytest.raises(Conflict, match="already recorded"):
        record_outcome(running, actor=world["pm"].user, verdict="ship", variant="checklist")


def test_bad_verdicts_and_drafts_are_refused(world, running):
    with pytest.raises(Invalid) as bad:
        record_outcome(running, actor=world["pm"].user, verdict="ship", variant="control")
    assert "variant" in bad.value.fields
    with pytest.raises(Invalid):
        record_outcome(running, actor=world["pm"].user, verdict="maybe")
    draft = make(world, started=False, flag_key="draft-one")
    with pytest.raises(Conflict, match="has not started"):
        record_outcome(draft, actor=world["pm"].user, verdict="stop")


def test_the_page_form_records_it_once(world, running):
    url = f"/w/acme/measure/experiments/{running.key}/decide/"
    client = world["pm"].client()
    missing = client.post(url, {"outcome": "ship:checklist"})
    assert missing.status_code == 400
    assert b"Tick the box to confirm" in missing.content
    done = client.post(url, {"outcome": "ship:checklist", "rationale": "Go", "confirm": "on"})
    assert done.status_code == 302
    page = client.get(done["Location"])
    assert "Shipped 'checklist'" in page.content.decode()
    again = client.post(url, {"outcome": "stop", "confirm": "on"})
    assert again.status_code == 409
    assert b"already recorded" in again.content


def test_a_stakeholder_cannot_record_and_another_workspace_sees_nothing(world, running):
    url = f"/w/acme/measure/experiments/{running.key}/decide/"
    body = {"outcome": "stop", "confirm": "on"}
    assert world["stakeholder"].client().post(url, body).status_code == 403
    assert world["contributor"].client().post(url, body).status_code == 403
    other = f"/w/other/measure/experiments/{running.key}/decide/"
    assert world["outsider"].client().post(other, body).status_code == 404
    running.refresh_from_db()
    assert running.decision is None


def test_measured_impact_shows_on_the_feature_page(world, running):
    record_outcome(running, actor=world["pm"].user, verdict="ship", variant="checklist")
    page = world["stakeholder"].client().get(f"/w/acme/features/{world.feature.key}/")
    text = page.content.decode()
    assert "Measured impact" in text
    assert "+100 %" in text
    assert "Experiment Onboarding checklist: Activation" in text


def test_a_given_time_dates_the_stop_the_decision_and_the_measured_impact(world, running):
    when = timezone.now() + timedelta(days=3)
    decision = record_outcome(
        running, actor=world["pm"].user, verdict="ship", variant="checklist", now=when
    )
    running.refresh_from_db()
    assert running.stopped_at == when
    assert decision.decided_on == timezone.localdate(when)
    running.feature.refresh_from_db()
    assert running.feature.measured_on == timezone.localdate(when)
