"""Feature adoption: persons who did the feature's event (with its filters) out of the
persons active each week, the release marked, predicted impact beside what was measured."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lodestar.analytics import adoption
from lodestar.analytics.models import AdoptionDefinition
from lodestar.analytics.queries import adoption as query
from lodestar.analytics.store import get_spool
from tests.analytics.test_clickhouse import chdb_url

pytestmark = pytest.mark.django_db


def _at(day: date, hour: int = 12) -> int:
    moment = datetime.combine(day, time(hour), tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def _event(ws, name, person, day, props=None):
    return {
        "w": ws.id,
        "p": "web",
        "uuid": str(uuid.uuid4()),
        "event": name,
        "distinct_id": person,
        "ts": _at(day),
        "properties": props or {},
        "received": _at(day),
    }


@pytest.fixture
def shipped(world):
    """The feature, in product web, released on the Wednesday three weeks ago."""
    today = timezone.localdate()
    release_week = query.week_start(today) - timedelta(weeks=3)
    world.release.released_on = release_week + timedelta(days=2)
    world.release.status = "released"
    world.release.save()
    feature = world.feature
    feature.product = world.product
    feature.release = world.release
    feature.impact_metric = "Weekly exporters"
    feature.impact_change = 30
    feature.impact_unit = "points"
    feature.save()
    return feature, release_week


def _journeys(ws, release_week):
    """10 active persons a week; p0 exports (pdf) before the release, p0..p4 after; p5
    exports csv after (filtered out by format = pdf)."""
    rows = []
    for offset, adopters in ((-2, 1), (-1, 1), (1, 5), (2, 5)):
        day = release_week + timedelta(weeks=offset, days=1)
        for i in range(10):
            rows.append(_event(ws, "$pageview", f"p{i}", day))
        for i in range(adopters):
            rows.append(_event(ws, "report_exported", f"p{i}", day, {"format": "pdf"}))
        if offset > 0:
            rows.append(_event(ws, "report_exported", "p5", day, {"format": "csv"}))
    get_spool().append(rows)


def test_weekly_adoption_and_before_after_the_release(world, event_store, shipped):
    feature, release_week = shipped
    _journeys(world.workspace, release_week)
    event_store.flush()
    definition = adoption.adoption_set(
        feature=feature,
        actor=world["pm"].user,
        event="report_exported",
        filters='[{"key": "format", "op": "eq", "value": "pdf"}]',
    )
    report = adoption.adoption_report(feature, definition)
    assert not report.error
    weeks = {w["week"]: (w["active"], w["adopters"]) for w in report.weeks}
    assert weeks[(release_week - timedelta(weeks=2)).isoformat()] == (10, 1)
    assert weeks[(release_week + timedelta(weeks=1)).isoformat()] == (10, 5)
    assert weeks[release_week.isoformat()] == (0, 0)  # a week without events is zero
    c = report.comparison
    assert (c.before, c.after, c.before_weeks, c.after_weeks) == (0.1, 0.5, 2, 2)
    assert c.points_text == "+40.0" and c.relative_text == "+400 %"
    assert report.predicted_change == "+30 percentage points"
    shape = report.figure["layout"]["shapes"][0]
    assert shape["x0"] == feature.release.released_on.isoformat()
    assert report.figure["data"][0]["y"][-3] == 50.0  # release week + 2 (of 3)


@pytest.fixture
def on_chdb(event_store, settings):
    """The event store on chDB (the ClickHouse engine), in a database of its own. chDB takes
    one data path per process: the in-memory one every chDB test shares (test_clickhouse.py)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    settings.EVENTS_URL = chdb_url(name)
    event_store.reset_for_tests()
    yield event_store
    from lodestar.analytics.store.clickhouse_clients import _chdb_sessions

    for session in _chdb_sessions.values():
        session.query(f"DROP DATABASE IF EXISTS {name}")
    event_store.reset_for_tests()


def test_clickhouse_gives_the_same_weeks(world, shipped, on_chdb):
    feature, release_week = shipped
    _journeys(world.workspace, release_week)
    on_chdb.flush()
    definition = adoption.adoption_set(
        feature=feature,
        actor=None,
        event="report_exported",
        filters=[{"key": "format", "op": "eq", "value": "pdf"}],
    )
    report = adoption.adoption_report(feature, definition)
    assert not report.error, report.error
    weeks = {w["week"]: (w["active"], w["adopters"]) for w in report.weeks}
    assert weeks[(release_week - timedelta(weeks=2)).isoformat()] == (10, 1)
    assert weeks[(release_week + timedelta(weeks=2)).isoformat()] == (10, 5)
    assert (report.comparison.before, report.comparison.after) == (0.1, 0.5)


def test_without_filters_every_export_counts(world, event_store, shipped):
    feature, release_week = shipped
    _journeys(world.workspace, release_week)
    event_store.flush()
    definition = adoption.adoption_set(
        feature=feature, actor=world["pm"].user, event="report_exported"
    )
    report = adoption.adoption_report(feature, definition)
    assert report.comparison.after == 0.6


def test_the_feature_page_shows_adoption_and_the_prediction(world, event_store, shipped):
    feature, release_week = shipped
    _journeys(world.workspace, release_week)
    event_store.flush()
    pm = world["pm"].client()
    url = reverse("analytics_charts:adoption", args=["acme", feature.key])
    bad = pm.post(url, {"form": "set", "event": "report_exported", "filters": "[{"})
    assert bad.status_code == 400 and "JSON list" in bad.content.decode()
    response = pm.post(
        url,
        {
            "form": "set",
            "event": "report_exported",
            "filters": '[{"key": "format", "value": "pdf"}]',
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#adoption")
    html = world["stakeholder"].client().get(response["Location"]).content.decode()
    assert 'data-chart="adoption-figure"' in html
    assert "report_exported where format equals pdf" in html
    assert "+40.0 percentage points" in html and "+30 percentage points" in html
    assert "Measure adoption" not in html and "Change how adoption" not in html
    assert world["stakeholder"].client().get(url).status_code == 200
    assert world["stakeholder"].client().post(url, {"event": "x"}).status_code == 403
    assert pm.post(url, {"form": "clear"}).status_code == 302
    assert not AdoptionDefinition.objects.exists()


def test_empty_states(world, event_store, shipped):
    feature, _release_week = shipped
    pm = world["pm"].client()
    page = reverse("planning:feature", args=["acme", feature.key])
    assert "Adoption is not measured yet" in pm.get(page).content.decode()
    adoption.adoption_set(feature=feature, actor=world["pm"].user, event="never_sent")
    html = pm.get(page).content.decode()
    assert "No events match yet" in html and "has no events" in html
    get_spool().append([_event(world.workspace, "$pageview", "p1", timezone.localdate())])
    event_store.flush()
    html = pm.get(page).content.decode()
    assert "has events, but none is" in html


def test_an_unreleased_feature_waits_for_its_release(world, event_store):
    feature = world.feature
    feature.product = world.product
    feature.release = world.release  # target 2027-05-28, not released
    feature.save()
    ws = world.workspace
    get_spool().append([_event(ws, "report_exported", "p1", timezone.localdate())])
    event_store.flush()
    definition = adoption.adoption_set(feature=feature, actor=None, event="report_exported")
    report = adoption.adoption_report(feature, definition)
    assert report.comparison is None and report.release == date(2027, 5, 28)
    assert report.any_adopters


def test_the_query_is_written_through_the_dialect(world):
    from lodestar.analytics.queries.base import ClickHouseDialect
    from lodestar.analytics.queries.filters import parse_filters

    class Src:
        dialect = ClickHouseDialect()
        tz = "Europe/Paris"

    sql = query.to_sql(
        Src(),
        product_key="web",
        event="it's",
        filters=parse_filters([{"key": "plan", "value": "pro"}]),
        start=date(2026, 1, 5),
        end=date(2026, 2, 2),
    )
    assert "toMonday(" in sql and "'Europe/Paris'" in sql
    assert "event = 'it\\'s'" in sql
    assert "toDateTime64('2026-01-04 23:00:00', 6, 'UTC')" in sql  # Paris midnight in UTC
