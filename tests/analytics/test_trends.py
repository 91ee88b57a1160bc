"""Trends on small hand-built journeys with known answers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from lodestar.analytics.queries import filters, trends
from lodestar.analytics.queries.base import DuckDialect, source_for
from lodestar.analytics.store import get_spool
from lodestar.core.errors import Invalid

pytestmark = pytest.mark.django_db


def at(text: str) -> int:
    """'2026-11-10 03:00' (UTC) -> microseconds since the epoch."""
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def put(ws, journeys: list[tuple[str, str, str, dict | None]], product: str = "web") -> None:
    """Events as (utc time, event, distinct_id, properties); then make them queryable."""
    from lodestar.analytics import store

    get_spool().append(
        [
            {
                "w": ws.id,
                "p": product,
                "uuid": str(uuid.uuid4()),
                "event": name,
                "distinct_id": who,
                "ts": at(when),
                "properties": props or {},
                "received": at(when),
            }
            for when, name, who, props in journeys
        ]
    )
    store.flush()


def run(ws, **query):
    params = trends.parse(query)
    with source_for(ws) as src:
        return trends.run(src, params)


def series(result, label_part: str = "") -> list[dict]:
    return [s for s in result["series"] if label_part in s["label"]]


def test_days_are_the_workspaces_days_across_midnight(world):
    ws = world.workspace
    ws.time_zone = "America/New_York"  # UTC-5 in November
    ws.save()
    put(
        ws,
        [
            ("2026-11-10 03:00", "signed_up", "a", None),  # 9 Nov, 22:00 local
            ("2026-11-10 04:59", "signed_up", "b", None),  # 9 Nov, 23:59 local
            ("2026-11-10 05:00", "signed_up", "c", None),  # 10 Nov, 00:00 local
            ("2026-11-10 12:00", "signed_up", "c", None),
            ("2026-11-10 12:00", "other", "c", None),
        ],
    )
    result = run(
        ws, s0_event="signed_up", range="custom", date_from="2026-11-08", date_to="2026-11-10"
    )
    assert result["labels"] == ["2026-11-08", "2026-11-09", "2026-11-10"]
    assert result["series"][0]["values"] == [0, 2, 2]
    assert result["series"][0]["total"] == 4
    persons = run(
        ws,
        s0_event="signed_up",
        s0_math="persons",
        range="custom",
        date_from="2026-11-09",
        date_to="2026-11-10",
    )
    assert persons["series"][0]["values"] == [2, 1]
    hourly = run(
        ws,
        s0_event="signed_up",
        interval="hour",
        range="custom",
        date_from="2026-11-09",
        date_to="2026-11-09",
    )
    assert hourly["labels"][22:] == ["2026-11-09 22:00", "2026-11-09 23:00"]
    assert hourly["series"][0]["values"][22:] == [1, 1]


def test_unique_persons_count_an_identified_visitor_once(world):
    ws = world.workspace
    put(
        ws,
        [
            ("2026-11-02 09:00", "$pageview", "anon-1", None),
            ("2026-11-02 09:05", "$identify", "ann", {"$anon_distinct_id": "anon-1"}),
            ("2026-11-02 09:06", "$pageview", "ann", None),
            ("2026-11-02 10:00", "$pageview", "bob", None),
        ],
    )
    result = run(
        ws,
        s0_event="$pageview",
        s0_math="persons",
        s1_event="$pageview",
        range="custom",
        date_from="2026-11-02",
        date_to="2026-11-02",
    )
    assert [s["values"] for s in result["series"]] == [[2], [3]]


def test_breakdown_by_company_plan_and_arr_band(world):
    from lodestar.customers.services import company_create

    ws = world.workspace
    owner = world.personas["owner"].user
    company_create(workspace=ws, actor=owner, name="Big", domain="big.test", arr="2M", plan="pro")
    world.company.plan = "starter"
    world.company.save()
    put(
        ws,
        [
            ("2026-11-02 08:00", "$identify", "u1", {"$groups": {"company": "northwind.test"}}),
            ("2026-11-02 08:00", "$identify", "u2", {"$groups": {"company": "big.test"}}),
            ("2026-11-02 08:00", "$identify", "u3", {"$groups": {"company": "big.test"}}),
        ],
    )
    put(
        ws,
        [
            ("2026-11-02 09:00", "report_created", "u1", None),
            ("2026-11-02 09:00", "report_created", "u2", None),
            ("2026-11-03 09:00", "report_created", "u3", None),
            ("2026-11-03 09:30", "report_created", "u3", None),
            ("2026-11-03 10:00", "report_created", "nobody", None),
        ],
    )
    common = {"s0_event": "report_created", "range": "custom"}
    days = {"date_from": "2026-11-02", "date_to": "2026-11-03"}
    by_plan = run(ws, breakdown_by="plan", **common, **days)
    assert {s["breakdown_value"]: s["values"] for s in by_plan["series"]} == {
        "pro": [1, 2],
        "starter": [1, 0],
        "(none)": [0, 1],
    }
    assert by_plan["series"][0]["breakdown_value"] == "pro"  # the largest first
    by_arr = run(ws, breakdown_by="arr", s0_math="persons", **common, **days)
    assert {s["breakdown_value"]: s["values"] for s in by_arr["series"]} == {
        "1M and over": [1, 1],
        "50k to 250k": [1, 0],
        "(none)": [0, 1],
    }
    by_company = run(ws, breakdown_by="company", **common, **days)
    assert {s["breakdown_value"] for s in by_company["series"]} == {"Big", "Northwind", "(none)"}


def test_breakdown_by_event_property_keeps_the_top_ten_and_sums_the_rest(world):
    ws = world.workspace
    rows = [
        ("2026-11-02 09:00", "click", f"u{i}", {"button": f"b{i:02d}"})
        for i in range(12)
        for _ in range(i + 1)
    ]
    put(ws, rows)
    result = run(
        ws,
        s0_event="click",
        breakdown_by="event",
        breakdown="button",
        range="custom",
        date_from="2026-11-02",
        date_to="2026-11-02",
    )
    values = {s["breakdown_value"]: s["values"][0] for s in result["series"]}
    assert len(values) == 11
    assert values["b11"] == 12
    assert values["Other"] == 1 + 2
    assert result["series"][-1]["breakdown_value"] == "Other"


def test_previous_period_is_a_second_dashed_series(world):
    ws = world.workspace
    put(
        ws,
        [
            ("2026-11-01 12:00", "signed_up", "a", None),  # previous period, day 1
            ("2026-11-03 12:00", "signed_up", "b", None),  # previous period, day 3
            ("2026-11-03 13:00", "signed_up", "c", None),
            ("2026-11-05 12:00", "signed_up", "d", None),  # current period, day 2
        ],
    )
    result = run(
        ws,
        s0_event="signed_up",
        range="custom",
        date_from="2026-11-04",
        date_to="2026-11-06",
        compare="1",
    )
    current, previous = result["series"]
    assert current["values"] == [0, 1, 0]
    assert previous["values"] == [1, 0, 2]
    assert previous["dates"] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert previous["compare"] and previous["label"].endswith("(previous period)")
    fig = trends.figure(result)
    assert fig["data"][1]["line"]["dash"] == "dash"
    assert fig["data"][0]["line"]["color"] == fig["data"][1]["line"]["color"]


def test_weekly_and_monthly_active_persons_use_trailing_windows(world):
    ws = world.workspace
    put(
        ws,
        [
            ("2026-11-01 12:00", "$pageview", "a", None),
            ("2026-11-05 12:00", "$pageview", "b", None),
            ("2026-11-07 12:00", "$pageview", "b", None),
            ("2026-11-08 12:00", "$pageview", "c", None),
        ],
    )
    days = {"range": "custom", "date_from": "2026-11-06", "date_to": "2026-11-09"}
    wau = run(ws, s0_event="$pageview", s0_math="wau", **days)
    # 6 Nov: 31 Oct..6 Nov -> a, b; 7: 1..7 Nov -> a, b; 8: 2..8 -> b, c; 9: 3..9 -> b, c
    assert wau["series"][0]["values"] == [2, 2, 2, 2]
    dau = run(ws, s0_event="$pageview", s0_math="dau", **days)
    assert dau["series"][0]["values"] == [0, 1, 1, 0]
    mau = run(ws, s0_event="$pageview", s0_math="mau", **days)
    assert mau["series"][0]["values"] == [2, 2, 3, 3]


def test_series_filters_and_products(world):
    ws = world.workspace
    put(
        ws,
        [
            ("2026-11-02 09:00", "purchase", "a", {"amount": 120, "plan": "Pro"}),
            ("2026-11-02 09:00", "purchase", "b", {"amount": 80, "plan": "starter"}),
            ("2026-11-02 09:00", "purchase", "c", {"amount": "300"}),
        ],
    )
    put(ws, [("2026-11-02 09:00", "purchase", "d", None)], product="mobile")
    days = {"range": "custom", "date_from": "2026-11-02", "date_to": "2026-11-02"}

    def count(**query):
        return run(ws, s0_event="purchase", **days, **query)["series"][0]["values"][0]

    assert count() == 4
    assert count(product="web") == 3
    assert count(s0_key="amount", s0_op="gt", s0_value="100") == 2
    assert count(s0_key="plan", s0_op="contains", s0_value="pr") == 1
    assert count(s0_key="plan", s0_op="neq", s0_value="Pro") == 3
    assert count(s0_key="plan", s0_op="is_set") == 2
    assert count(s0_filters='[{"key": "amount", "op": "eq", "value": 80}]') == 1
    assert count(s0_filters='[{"key": "amount", "op": "lt", "value": 100}]') == 1


def test_bad_queries_name_the_field():
    with pytest.raises(Invalid) as e:
        trends.parse({"s0_event": "x", "s0_math": "wau", "interval": "week"})
    assert "interval" in e.value.fields
    with pytest.raises(Invalid) as e:
        trends.parse({"range": "custom", "date_from": "2026-11-05", "date_to": "2026-11-01"})
    assert "date_to" in e.value.fields
    with pytest.raises(Invalid) as e:
        trends.parse({"breakdown_by": "event"})
    assert "breakdown" in e.value.fields
    with pytest.raises(Invalid) as e:
        trends.parse({"s0_event": "x", "s0_filters": "[{]"})
    assert "s0_filters" in e.value.fields
    with pytest.raises(Invalid) as e:
        trends.parse({"interval": "hour", "range": "90d"})
    assert "interval" in e.value.fields


def test_a_parsed_query_round_trips_through_its_query_string():
    query = {
        "s0_event": "signed_up",
        "s0_math": "persons",
        "s0_key": "plan",
        "s0_value": "pro",
        "s1_event": "$all",
        "interval": "week",
        "range": "90d",
        "breakdown_by": "event",
        "breakdown": "$browser",
        "compare": "on",
        "product": "web",
    }
    params = trends.parse(query)
    assert trends.parse(trends.as_query(params)) == params


def test_filters_quote_user_text():
    parsed = filters.parse_filters([{"key": "it's", "op": "eq", "value": "o'brien"}])
    sql = filters.where(DuckDialect(), parsed)
    assert "o''brien" in sql and "it''s" in sql
    with pytest.raises(Invalid):
        filters.parse_filters([{"key": "x", "op": "drop table"}])
    with pytest.raises(Invalid):
        filters.parse_filters([{"key": "x", "op": "gt", "value": "many"}])
    assert filters.where(DuckDialect(), []) == "true"
