"""Retention cohorts on a crafted case where first-time and recurring cohorts differ."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lodestar.analytics.queries import retention
from lodestar.analytics.queries.base import source_for
from lodestar.core.errors import Invalid

from .test_trends import put

pytestmark = pytest.mark.django_db

# Weeks start on Monday: W0 = 2 Nov 2026, W1 = 9 Nov, W2 = 16 Nov, W3 = 23 Nov.
JOURNEYS = [
    ("2026-11-03 10:00", "login", "alice", None),  # W0
    ("2026-11-17 10:00", "login", "alice", None),  # W2
    ("2026-11-24 10:00", "view", "alice", None),  # W3
    ("2026-11-04 10:00", "login", "bob", None),  # W0
    ("2026-11-10 10:00", "login", "bob", None),  # W1
    ("2026-10-20 10:00", "login", "carol", None),  # before the first cohort
    ("2026-11-11 10:00", "login", "carol", None),  # W1
    ("2026-11-18 10:00", "login", "carol", None),  # W2
    ("2026-11-12 10:00", "login", "dave", {"plan": "pro"}),  # W1
]
WEEKS = {"start_event": "login", "period": "week", "periods": "4", "date_to": "2026-11-25"}


def run(ws, **query):
    params = retention.parse(query)
    with source_for(ws) as src:
        return retention.run(src, params)


def table(result) -> dict[str, list]:
    return {row["label"]: row["values"] for row in result["cohorts"]}


def test_first_time_cohorts_take_each_persons_first_start_event_ever(world):
    put(world.workspace, JOURNEYS)
    result = run(world.workspace, **WEEKS)
    assert table(result) == {
        "2026-11-02": [2, 1, 1, 1],  # alice, bob; bob back in W1, alice in W2 and W3
        "2026-11-09": [1, 0, 0, None],  # dave only: carol started in October
        "2026-11-16": [0, 0, None, None],
        "2026-11-23": [0, None, None, None],
    }
    first = result["cohorts"][0]
    assert first["percents"] == [100.0, 50.0, 50.0, 50.0]
    assert result["average"][1] == pytest.approx(33.3)


def test_recurring_cohorts_hold_a_person_in_every_period_they_did_it(world):
    put(world.workspace, JOURNEYS)
    result = run(world.workspace, cohort="recurring", **WEEKS)
    assert table(result) == {
        "2026-11-02": [2, 1, 1, 1],
        "2026-11-09": [3, 1, 0, None],  # bob, carol, dave; carol back in W2
        "2026-11-16": [2, 1, None, None],  # alice, carol; alice back in W3
        "2026-11-23": [0, None, None, None],
    }


def test_a_specific_return_event_and_start_filters(world):
    put(world.workspace, JOURNEYS)
    viewed = run(world.workspace, return_event="view", **WEEKS)
    assert table(viewed)["2026-11-02"] == [2, 0, 0, 1]
    pro = run(world.workspace, start_key="plan", start_value="pro", **WEEKS)
    assert [row["size"] for row in pro["cohorts"]] == [0, 1, 0, 0]


def test_daily_periods_in_the_workspace_time_zone(world):
    ws = world.workspace
    ws.time_zone = "Asia/Tokyo"  # UTC+9
    ws.save()
    put(
        ws,
        [
            ("2026-11-02 16:00", "login", "a", None),  # 3 Nov, 01:00 in Tokyo
            ("2026-11-03 14:00", "login", "a", None),  # 3 Nov, 23:00: the same day
            ("2026-11-03 15:00", "login", "a", None),  # 4 Nov, 00:00: day 1
        ],
    )
    result = run(ws, start_event="login", period="day", periods="3", date_to="2026-11-04")
    assert table(result) == {
        "2026-11-02": [0, 0, 0],
        "2026-11-03": [1, 1, None],
        "2026-11-04": [0, None, None],
    }


def test_the_benchmark_grid_is_eight_by_eight_weekly(world):
    put(world.workspace, JOURNEYS)
    with source_for(world.workspace) as src:
        result = retention.grid(src, start_event="login", date_to=date(2026, 11, 25))
    assert len(result["cohorts"]) == 8 and all(len(r["values"]) == 8 for r in result["cohorts"])
    assert result["cohorts"][-1]["start"] == "2026-11-23T00:00:00"
    fig = retention.figure(result)
    assert fig["data"][0]["type"] == "heatmap" and len(fig["data"][0]["z"]) == 8


def test_bad_queries_name_the_field():
    with pytest.raises(Invalid) as e:
        retention.parse({"periods": "99", "cohort": "sometimes", "period": "hour"})
    assert set(e.value.fields) >= {"start_event", "periods", "cohort", "period"}
    with pytest.raises(Invalid) as e:
        retention.parse({"start_event": "x", "date_to": "tomorrow"})
    assert "date_to" in e.value.fields
    params = retention.parse({"start_event": "x", "start_key": "plan", "start_value": "pro"})
    assert retention.parse(retention.as_query(params)) == params


def test_the_running_period_is_marked_so_far_and_left_out_of_the_average(world):
    put(world.workspace, JOURNEYS)
    params = retention.parse(WEEKS)
    with source_for(world.workspace) as src:
        running = retention.run(src, params, now=datetime(2026, 11, 26, 12, tzinfo=UTC))
        over = retention.run(src, params, now=datetime(2026, 12, 1, 12, tzinfo=UTC))
    # On Thursday 26 November the week of 23 November is still running: the triangle's edge
    # (W0's week 3, W1's week 2, ...) is "so far", and W0's 50 % in week 3 is not averaged.
    assert [row["partial"] for row in running["cohorts"]] == [3, 2, 1, 0]
    assert running["in_progress"] and not over["in_progress"]
    assert [row["partial"] for row in over["cohorts"]] == [None] * 4
    assert running["average"][3] is None
    assert over["average"][3] == pytest.approx(50.0)
    text = retention.figure(running)["data"][0]["text"]
    assert text[0][3] == "50% so far" and text[1][1] == "0%"
