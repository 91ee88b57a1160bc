"""Key results fed by a saved chart: the chart's last value becomes the current value, on a
schedule, by "Refresh now" and by `lodestar manage refresh_metrics`."""

from __future__ import annotations

import time
import types
import uuid
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lodestar.analytics import charts, metrics
from lodestar.analytics.models import Chart, KeyResultMetric
from lodestar.analytics.store import get_spool
from lodestar.core.errors import Invalid
from lodestar.strategy.models import KeyResultCheckin

pytestmark = pytest.mark.django_db


def _event(ws, name, distinct_id):
    now = int(time.time() * 1_000_000)
    return {
        "w": ws.id,
        "p": "web",
        "uuid": str(uuid.uuid4()),
        "event": name,
        "distinct_id": distinct_id,
        "ts": now - 60_000_000,
        "properties": {},
        "received": now,
    }


@pytest.fixture
def counting(monkeypatch):
    """A trends-like module: one series whose points are [7, count of `event`]."""

    def parse(data):
        if not data.get("event"):
            raise Invalid(fields={"event": "Name an event."})
        return data["event"]

    def run(src, event):
        n = src.query(f"SELECT count(*) FROM events WHERE event = {src.dialect.literal(event)}")
        return {"series": [{"values": [7, n.rows[0][0]]}]}

    def figure(result):
        return {"data": [{"y": result["series"][0]["values"]}], "layout": {}}

    module = types.SimpleNamespace(parse=parse, run=run, figure=figure)
    monkeypatch.setitem(charts.QUERY_MODULES, "trends", module)
    return module


@pytest.fixture
def chart(world, counting):
    return charts.chart_create(
        workspace=world.workspace,
        actor=world["pm"].user,
        name="Exports",
        kind="trends",
        query="event=exported&product=web",
    )


def test_linking_a_chart_takes_its_last_value_and_checks_in(world, event_store, chart):
    kr = world.key_result
    get_spool().append([_event(world.workspace, "exported", f"u{i}") for i in range(3)])
    event_store.flush()
    checkins = KeyResultCheckin.objects.filter(key_result=kr).count()
    metric = metrics.metric_set(
        key_result=kr, actor=world["pm"].user, chart_key=chart.key, refresh_minutes=30
    )
    kr.refresh_from_db()
    assert kr.current == Decimal(3)
    assert metric.refreshed_at is not None and metric.last_error == ""
    assert KeyResultCheckin.objects.filter(key_result=kr).count() == checkins + 1
    assert KeyResultCheckin.objects.filter(key_result=kr).latest("pk").by is None


def test_refresh_due_follows_each_interval_and_claims_once(world, event_store, chart):
    kr = world.key_result
    metric = metrics.metric_set(key_result=kr, actor=None, chart_key=chart.key, refresh_minutes=60)
    kr.refresh_from_db()
    assert kr.current == 0
    get_spool().append([_event(world.workspace, "exported", "u1")])
    event_store.flush()
    soon = metric.refreshed_at + timedelta(minutes=59)
    assert metrics.refresh_due(now=soon) == (0, 0)
    later = metric.refreshed_at + timedelta(minutes=60)
    assert metrics.refresh_due(now=later) == (1, 0)
    kr.refresh_from_db()
    assert kr.current == 1
    # refreshed_at moved on: a second worker at the same moment finds nothing due.
    assert metrics.refresh_due(now=later) == (0, 0)
    assert metrics.refresh_due(now=later, force=True) == (1, 0)


def test_a_failing_chart_records_the_error_and_keeps_the_value(world, event_store, chart):
    kr = world.key_result
    kr.current = Decimal(1234)
    kr.save()
    Chart.objects.filter(pk=chart.pk).update(query={})
    metric = metrics.metric_set(key_result=kr, actor=None, chart_key=chart.key)
    metric.refresh_from_db()
    kr.refresh_from_db()
    assert "Name an event." in metric.last_error and kr.current == Decimal(1234)
    page = world["stakeholder"].client().get(reverse("strategy:key_result", args=["acme", kr.key]))
    assert "The last refresh gave no value" in page.content.decode()


def test_last_value_of_each_kind():
    assert metrics.last_value("trends", {}, {"data": [{"y": [3, None]}, {"y": [9]}]}) == 3
    assert metrics.last_value("funnel", {"steps": [{"count": 200}, {"count": 50}]}, None) == 25
    sql = {"columns": ["day", "n"], "rows": [("a", 1), ("b", 4.5)], "y": ["n"]}
    assert metrics.last_value("sql", sql, None) == 4.5
    with pytest.raises(metrics.NoValue):
        metrics.last_value("funnel", {"steps": [{"count": 0}, {"count": 0}]}, None)
    with pytest.raises(metrics.NoValue):
        metrics.last_value("trends", {}, {"data": []})


def test_the_key_result_page_links_refreshes_and_unlinks(world, event_store, chart):
    kr = world.key_result
    pm = world["pm"].client()
    page = reverse("strategy:key_result", args=["acme", kr.key])
    assert "Take the value from a chart" in pm.get(page).content.decode()
    url = reverse("analytics_charts:kr_metric", args=["acme", kr.key])
    bad = pm.post(url, {"form": "set", "chart_key": chart.key, "refresh_minutes": "1"})
    assert bad.status_code == 400
    response = pm.post(url, {"form": "set", "chart_key": chart.key, "refresh_minutes": "15"})
    assert response.status_code == 302 and response["Location"].endswith("#chart-value")
    html = pm.get(page).content.decode()
    assert "refreshed every 15 minutes" in html and "Refresh now" in html
    get_spool().append([_event(world.workspace, "exported", "u9")])
    event_store.flush()
    assert pm.post(url, {"form": "refresh"}).status_code == 302
    kr.refresh_from_db()
    assert kr.current == 1
    stakeholder = world["stakeholder"].client()
    assert stakeholder.post(url, {"form": "refresh"}).status_code == 403
    assert "Refresh now" not in stakeholder.get(page).content.decode()
    assert pm.post(url, {"form": "remove"}).status_code == 302
    assert not KeyResultMetric.objects.exists()


def test_the_management_command_refreshes(world, event_store, chart):
    metrics.metric_set(key_result=world.key_result, actor=None, chart_key=chart.key)
    out = StringIO()
    call_command("refresh_metrics", stdout=out)
    assert "Refreshed 0 key results" in out.getvalue()
    call_command("refresh_metrics", "--all", stdout=out)
    assert "Refreshed 1 key result\n" in out.getvalue()


def test_the_ticker_hook_is_rate_limited_and_never_raises(monkeypatch):
    calls = []

    def boom(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("database down")

    monkeypatch.setattr(metrics, "refresh_due", boom)
    monkeypatch.setattr(metrics, "_next_check", 0.0)
    metrics.tick()
    metrics.tick()
    assert len(calls) == 1


def test_a_deleted_chart_stops_feeding(world, chart):
    metrics.metric_set(key_result=world.key_result, actor=None, chart_key=chart.key)
    charts.chart_delete(chart=chart, actor=None)
    assert not KeyResultMetric.objects.exists()
    assert metrics.refresh_due(now=timezone.now() + timedelta(days=1)) == (0, 0)


def test_a_real_funnel_feeds_its_overall_conversion(world, event_store):
    ws = world.workspace
    rows = [_event(ws, "signed_up", f"u{i}") for i in range(4)]
    rows += [_event(ws, "report_created", "u0")]
    rows[-1]["ts"] += 1_000_000  # a second after its signup
    get_spool().append(rows)
    event_store.flush()
    funnel = charts.chart_create(
        workspace=ws,
        actor=None,
        name="Activation",
        kind="funnel",
        query="steps=signed_up,report_created&product=web",
    )
    metrics.metric_set(key_result=world.key_result, actor=None, chart_key=funnel.key)
    world.key_result.refresh_from_db()
    assert world.key_result.current == 25
