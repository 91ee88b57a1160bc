"""The demo's product analytics (lodestar.demo.events): events from the demo's own companies,
persons merged on identify, adoption of the autumn's features starting at their release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lodestar.analytics.charts import chart_run
from lodestar.analytics.models import AdoptionDefinition, Chart, Dashboard
from lodestar.analytics.queries.base import source_for
from lodestar.demo.build import SLUG, build_demo
from lodestar.demo.clock import demo_now
from lodestar.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    build_demo(seed=7, size="small")
    return Workspace.objects.get(slug=SLUG)


def test_the_demo_has_events_from_its_companies(demo):
    with source_for(demo) as src:
        total, people = src.query("SELECT count(*), count(DISTINCT person_id) FROM events").rows[0]
        by_plan = src.query(
            """
            SELECT p.company_plan, count(DISTINCT e.person_id)
            FROM events e JOIN persons p USING (person_id)
            WHERE p.company IS NOT NULL GROUP BY 1
            """
        ).rows
        latest = src.query("SELECT max(timestamp) FROM events").rows[0][0]
    assert total > 50_000
    # Each sign-up's anonymous visit was merged into the identified person.
    assert people == 2_000
    assert {plan for plan, _ in by_plan} >= {"Starter", "Growth", "Enterprise"}
    assert sum(n for _, n in by_plan) == 2_000
    # Up to the day it is built, so "the last 7 days" shows something.
    assert latest.date() >= (datetime.now(UTC) - timedelta(days=2)).date()
    assert latest >= demo_now().replace(tzinfo=None) - timedelta(days=1)


def test_the_demo_has_saved_charts_a_dashboard_and_adoption(demo):
    charts = {c.name: c for c in Chart.objects.filter(workspace=demo)}
    assert set(charts) >= {"Activation funnel", "Weekly active people"}
    dashboard = Dashboard.objects.get(workspace=demo, name="Activation")
    assert dashboard.items.count() == 3
    with source_for(demo) as src:
        funnel = chart_run(charts["Activation funnel"], src)
    assert funnel.ok, funnel.error
    steps = funnel.result["steps"]
    counts = [s["count"] for s in steps]
    assert counts == sorted(counts, reverse=True) and counts[-1] > 0
    definitions = AdoptionDefinition.objects.filter(feature__workspace=demo)
    assert {d.event for d in definitions} == {"skills_routing_used", "branch_role_assigned"}


def test_rebuilding_the_demo_replaces_its_events(demo):
    with source_for(demo) as src:
        before = src.query("SELECT count(*) FROM events").rows[0][0]
    build_demo(seed=7, size="small")
    again = Workspace.objects.get(slug=SLUG)
    with source_for(again) as src:
        assert src.query("SELECT count(*) FROM events").rows[0][0] == before
    with source_for(demo) as src:  # the old workspace's events are gone from the store
        assert src.query("SELECT count(*) FROM events").rows[0][0] == 0
