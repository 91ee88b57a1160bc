"""Saved charts, dashboards and embeds: saved from an insight's query, re-run on current data,
renamed, deleted; dashboards ordered; embeds on features, objectives and decisions."""

from __future__ import annotations

import time
import types
import uuid

import pytest
from django.urls import reverse

from lodestar.analytics import charts
from lodestar.analytics.models import Chart, ChartEmbed, DashboardChart
from lodestar.analytics.store import get_spool
from lodestar.core.errors import Invalid

pytestmark = pytest.mark.django_db


def _event(ws, name, distinct_id, *, ago_s=60, props=None, product="web"):
    now = int(time.time() * 1_000_000)
    return {
        "w": ws.id,
        "p": product,
        "uuid": str(uuid.uuid4()),
        "event": name,
        "distinct_id": distinct_id,
        "ts": now - ago_s * 1_000_000,
        "properties": props or {},
        "received": now,
    }


def _fake_module():
    """A query module following the contract, counting one event's rows."""

    def parse(data):
        if not data.get("event"):
            raise Invalid(fields={"event": "Name an event."})
        return {"event": data["event"], "product": data["product"]}

    def run(src, params):
        d = src.dialect
        rows = src.query(
            f"SELECT count(*) FROM events WHERE event = {d.literal(params['event'])} "
            f"AND product = {d.literal(params['product'])}"
        ).rows
        return {"count": rows[0][0]}

    def figure(result):
        return {"data": [{"type": "bar", "x": ["count"], "y": [result["count"]]}], "layout": {}}

    return types.SimpleNamespace(parse=parse, run=run, figure=figure, KIND="trends")


@pytest.fixture
def fake(monkeypatch):
    module = _fake_module()
    monkeypatch.setitem(charts.QUERY_MODULES, "trends", module)
    return module


def _save(world, name="Signups", query="event=signed_up&product=web", kind="trends"):
    return charts.chart_create(
        workspace=world.workspace, actor=world["pm"].user, name=name, kind=kind, query=query
    )


def test_a_saved_chart_keeps_its_query_and_reruns_on_current_data(world, event_store, fake):
    ws = world.workspace
    chart = _save(world)
    assert chart.query == {"event": "signed_up"} and chart.product == world.product
    get_spool().append([_event(ws, "signed_up", "u1"), _event(ws, "other", "u1")])
    event_store.flush()
    assert charts.chart_run(chart).result == {"count": 1}
    get_spool().append([_event(ws, "signed_up", "u2")])
    event_store.flush()
    rendered = charts.chart_run(chart)
    assert rendered.ok and rendered.result == {"count": 2}
    assert rendered.figure["data"][0]["y"] == [2]


def test_saving_checks_the_query_with_the_kind_parser(world, fake):
    with pytest.raises(Invalid) as exc:
        _save(world, query="product=web")
    assert exc.value.fields == {"query": ["Name an event."]}
    with pytest.raises(Invalid) as exc:
        _save(world, name="", kind="pie", query="event=x&product=nope")
    assert set(exc.value.fields) == {"name", "kind", "product_key"}


def test_repeated_parameters_are_kept_as_lists(world, fake):
    chart = _save(world, query="event=a&tag=x&tag=y&product=web")
    assert chart.query == {"event": "a", "tag": ["x", "y"]}
    assert charts.query_data(chart).getlist("tag") == ["x", "y"]
    assert "tag=x&tag=y" in charts.query_string(chart)


def test_a_chart_whose_query_no_longer_parses_says_so(world, fake):
    chart = _save(world)
    Chart.objects.filter(pk=chart.pk).update(query={})
    chart.refresh_from_db()
    rendered = charts.chart_run(chart)
    assert not rendered.ok and "no longer valid: Name an event." in rendered.error


def test_the_real_trends_module_runs_a_saved_chart(world, event_store):
    ws = world.workspace
    get_spool().append([_event(ws, "signed_up", f"u{i}") for i in range(3)])
    event_store.flush()
    chart = _save(world, query="s0_event=signed_up&interval=day&range=7d&product=web")
    rendered = charts.chart_run(chart)
    assert rendered.ok, rendered.error
    assert rendered.figure["data"][0]["y"][-1] == 3


def test_chart_pages_save_open_rename_and_delete(world, event_store, fake):
    pm = world["pm"].client()
    base = reverse("analytics_charts:chart_new", args=["acme"])
    form = pm.get(base + "?kind=trends&query=event%3Dsigned_up&product=web")
    assert form.status_code == 200 and b"event=signed_up" in form.content
    bad = pm.post(base, {"name": "X", "kind": "trends", "product_key": "web", "query": "x=1"})
    assert bad.status_code == 400 and b"Name an event." in bad.content
    response = pm.post(
        base,
        {"name": "Signups", "kind": "trends", "product_key": "web", "query": "event=signed_up"},
    )
    chart = Chart.objects.get(name="Signups")
    assert response.status_code == 302 and chart.key in response["Location"]
    page = pm.get(response["Location"])
    assert page.status_code == 200 and b'data-chart="chart-' in page.content
    stakeholder = world["stakeholder"].client()
    assert stakeholder.get(response["Location"]).status_code == 200
    listing = stakeholder.get(reverse("analytics_charts:charts", args=["acme"]))
    assert b"Signups" in listing.content
    assert stakeholder.post(response["Location"], {"name": "Nope"}).status_code == 403

    assert pm.post(response["Location"], {"name": "Daily signups"}).status_code == 302
    chart.refresh_from_db()
    assert chart.name == "Daily signups"
    delete = reverse("analytics_charts:chart_delete", args=["acme", chart.key])
    assert b"Delete chart" in pm.get(delete).content
    assert pm.post(delete).status_code == 302
    assert not Chart.objects.filter(pk=chart.pk).exists()


def test_dashboards_add_reorder_and_remove_charts(world, event_store, fake):
    pm = world["pm"].client()
    a, b, c = (_save(world, name=n) for n in ("A", "B", "C"))
    response = pm.post(
        reverse("analytics_charts:dashboards", args=["acme"]),
        {"name": "Activation", "product_key": "web", "description": "Week one"},
    )
    assert response.status_code == 302
    url = response["Location"]
    for chart in (a, b, c):
        assert pm.post(url, {"form": "add", "chart_key": chart.key}).status_code == 302
    again = pm.post(url, {"form": "add", "chart_key": a.key})
    assert again.status_code == 400 and "on this dashboard already" in again.content.decode()

    def order():
        return list(
            DashboardChart.objects.filter(dashboard__name="Activation")
            .order_by("position", "pk")
            .values_list("chart__name", flat=True)
        )

    assert order() == ["A", "B", "C"]
    pm.post(url, {"form": "up", "chart_key": c.key})
    assert order() == ["A", "C", "B"]
    pm.post(url, {"form": "down", "chart_key": a.key})
    assert order() == ["C", "A", "B"]
    pm.post(url, {"form": "remove", "chart_key": a.key})
    assert order() == ["C", "B"]

    page = world["stakeholder"].client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="chart-plot"') == 2 and "Move up" not in html
    assert html.index(">C</a>") < html.index(">B</a>")
    assert world["stakeholder"].client().post(url, {"form": "remove"}).status_code == 403


def test_embeds_on_features_objectives_and_decisions(world, event_store, fake):
    chart = _save(world)
    pm = world["pm"].client()
    add = reverse("analytics_charts:embed_add", args=["acme"])
    targets = {
        "feature": (world.feature, reverse("planning:feature", args=["acme", world.feature.key])),
        "objective": (
            world.objective,
            reverse("strategy:objective", args=["acme", world.objective.key]),
        ),
        "decision": (
            world.decision,
            reverse("strategy:decision", args=["acme", world.decision.key]),
        ),
    }
    for kind, (target, page) in targets.items():
        before = pm.get(page).content.decode()
        assert "Show chart here" in before and "Signups" in before
        response = pm.post(add, {"target": kind, "target_key": target.key, "chart_key": chart.key})
        assert response.status_code == 302 and response["Location"].startswith(page)
        html = world["stakeholder"].client().get(page).content.decode()
        assert f'-{chart.key}-data"' in html and "plotly.min.js" in html
        assert "Show chart here" not in html
    assert ChartEmbed.objects.filter(chart=chart).count() == 3
    twice = pm.post(
        add, {"target": "feature", "target_key": world.feature.key, "chart_key": chart.key}
    )
    assert twice.status_code == 302 and ChartEmbed.objects.filter(chart=chart).count() == 3
    embed = ChartEmbed.objects.get(feature=world.feature, chart=chart)
    remove = reverse("analytics_charts:embed_remove", args=["acme", embed.key])
    assert world["contributor"].client().post(remove).status_code == 403
    assert pm.post(remove).status_code == 302
    assert ChartEmbed.objects.filter(chart=chart).count() == 2
    bad = pm.post(add, {"target": "release", "target_key": "x", "chart_key": chart.key})
    assert bad.status_code == 400


def test_embeds_refuse_another_workspaces_objects(world, fake):
    chart = _save(world)
    outsider = world["outsider"].client()
    response = outsider.post(
        reverse("analytics_charts:embed_add", args=["other"]),
        {"target": "feature", "target_key": world.feature.key, "chart_key": chart.key},
    )
    assert response.status_code == 404
    assert not ChartEmbed.objects.filter(chart=chart).exists()


def test_sql_charts_run_sandboxed(world, event_store):
    chart = charts.chart_create(
        workspace=world.workspace,
        actor=world["pm"].user,
        name="Files",
        kind="sql",
        query={"sql": "SELECT * FROM read_csv('/etc/passwd')", "product": "web"},
    )
    rendered = charts.chart_run(chart)
    assert not rendered.ok and "root:" not in rendered.error
