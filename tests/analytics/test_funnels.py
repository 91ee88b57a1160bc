"""Funnels: PostHog's published cases, breakdowns, dropped persons, parsing and the SQL (the
walk itself, against a brute force and chDB's windowFunnel: test_funnel_walk.py).

Journeys are written as "person p did event e at minute t"; the PostHog cases follow the
scenarios of PostHog's funnel tests (posthog/queries/funnels/test/test_funnel.py), with the
data written here from what each test describes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lodestar.analytics.queries import funnels
from lodestar.analytics.queries.base import source_for
from lodestar.analytics.store import get_spool
from lodestar.core.errors import Invalid

T0 = datetime(2026, 5, 1, 1, 0)
US = 1_000_000


def us(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)) / timedelta(microseconds=1))


def journeys(store, workspace, plan: dict[str, list], *, product: str = "web") -> None:
    """plan: person -> [(event, minutes after T0[, properties])]."""
    rows = []
    for person, events in plan.items():
        for item in events:
            event, minutes = item[0], item[1]
            props = item[2] if len(item) > 2 else {}
            at = us(T0 + timedelta(minutes=minutes))
            rows.append(
                {
                    "w": workspace.id,
                    "p": product,
                    "uuid": str(uuid.uuid4()),
                    "event": event,
                    "distinct_id": person,
                    "ts": at,
                    "properties": props,
                    "received": at,
                }
            )
    get_spool().append(rows)
    store.flush()


def run(workspace, **query):
    params = funnels.parse({k: str(v) for k, v in query.items()})
    with source_for(workspace) as src:
        return funnels.run(src, params)


def counts(result) -> list[int]:
    return [s["count"] for s in result["steps"]]


# -- PostHog's published cases -----------------------------------------------------------


@pytest.mark.django_db
def test_posthog_funnel_events_with_a_merged_person(world, event_store):
    # test_funnel_events: signed up -> paid -> watched movie; one person has two ids.
    ws = world.workspace
    journeys(
        event_store,
        ws,
        {
            "stopped_after_signup": [("user signed up", 0)],
            "stopped_after_pay": [("user signed up", 0), ("paid", 1)],
            "had_anonymous_id": [("user signed up", 0)],
            "completed_movie": [
                ("$identify", 1, {"$anon_distinct_id": "had_anonymous_id"}),
                ("paid", 2),
                ("watched movie", 3),
            ],
            "just_did_movie": [("watched movie", 0)],
            "wrong_order": [("paid", 0), ("user signed up", 1), ("watched movie", 2)],
        },
    )
    result = run(ws, steps="user signed up,paid,watched movie")
    assert counts(result) == [4, 2, 1]


@pytest.mark.django_db
def test_posthog_messed_up_order_and_skipped_step(world, event_store):
    ws = world.workspace
    journeys(
        event_store,
        ws,
        {
            "stopped_after_signup": [("user signed up", 0)],
            "stopped_after_pay": [("user signed up", 0)],
            "completed_movie": [("user signed up", 0), ("watched movie", 1)],
            "just_did_movie": [("watched movie", 0)],
            "wrong_order": [("watched movie", 0), ("user signed up", 1)],
            "skipped": [("user signed up", 5), ("watched movie", 6)],
        },
    )
    # test_funnel_with_messed_up_order: only in-order conversions count.
    assert counts(run(ws, steps="user signed up,watched movie")) == [5, 2]
    # test_funnel_skipped_step: watching without paying never reaches "paid" or beyond.
    assert counts(run(ws, steps="user signed up,paid,watched movie")) == [5, 0, 0]


@pytest.mark.django_db
def test_posthog_property_filters_per_step(world, event_store):
    # test_funnel_prop_filters / _per_entity: a filter on a step only admits matching events.
    ws = world.workspace
    safari = {"$browser": "Safari"}
    journeys(
        event_store,
        ws,
        {
            "with_property": [("user signed up", 0, safari), ("paid", 1, safari)],
            "without_property": [("user signed up", 0), ("paid", 1)],
            "half_property": [("user signed up", 0, safari), ("paid", 1)],
        },
    )
    only_safari = '[{"key": "$browser", "op": "eq", "value": "Safari"}]'
    result = run(
        ws,
        step_1="user signed up",
        step_1_filters=only_safari,
        step_2="paid",
        step_2_filters=only_safari,
    )
    assert counts(result) == [2, 1]
    assert result["steps"][0]["label"] == "user signed up ($browser equals Safari)"


@pytest.mark.django_db
def test_posthog_repeated_steps(world, event_store):
    # test_advanced_funnel_with_repeat_steps: signed up, then four pageviews.
    ws = world.workspace
    pv, x, signup = "$pageview", "blaah blaa", "user signed up"
    journeys(
        event_store,
        ws,
        {
            "stopped_after_signup1": [(signup, 0)],
            "stopped_after_pageview1": [(signup, 0), (pv, 1)],
            "stopped_after_pageview2": [(signup, 0), (pv, 1), (x, 2), (pv, 3)],
            "stopped_after_pageview3": [(signup, 0), (pv, 1), (x, 2), (pv, 3), (pv, 4), (x, 5)],
            "stopped_after_pageview4": [(signup, 0), (pv, 1), (pv, 2), (pv, 3), (pv, 4)],
        },
    )
    assert counts(run(ws, steps=f"{signup},{pv},{pv},{pv},{pv}")) == [5, 4, 3, 2, 1]


@pytest.mark.django_db
def test_posthog_conversion_window(world, event_store):
    # test_funnel_conversion_window: converting after the window does not count; the window
    # is inclusive and restarts at a later step-1 event.
    ws = world.workspace
    day = 24 * 60
    journeys(
        event_store,
        ws,
        {
            "in_time": [("signed up", 0), ("paid", 14 * day)],
            "too_late": [("signed up", 0), ("paid", 14 * day + 1)],
            "restarted": [("signed up", 0), ("signed up", 10 * day), ("paid", 20 * day)],
        },
    )
    assert counts(run(ws, steps="signed up,paid")) == [3, 2]
    assert counts(run(ws, steps="signed up,paid", window="7d")) == [3, 0]


# -- conversion times, breakdowns, date range, persons who dropped ------------------------


@pytest.mark.django_db
def test_times_breakdown_date_range_and_dropped_persons(world, event_store):
    ws = world.workspace
    company = world.company
    company.external_id = "nw"
    company.plan = "pro"
    company.save()
    journeys(
        event_store,
        ws,
        {
            "a": [("s1", 0, {"$groups": {"company": "nw"}, "src": "ads"}), ("s2", 10), ("s3", 40)],
            "b": [("s1", 0, {"src": "ads"}), ("s2", 30)],
            "c": [("s1", 0, {"src": "seo"})],
            "late": [("s1", 3 * 24 * 60), ("s2", 3 * 24 * 60 + 5)],
        },
    )
    result = run(ws, steps="s1,s2,s3", to="2026-05-02")
    assert counts(result) == [3, 2, 1]
    s2 = result["steps"][1]
    assert (s2["median_seconds"], s2["mean_seconds"]) == (1200.0, 1200.0)
    assert s2["conversion"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["steps"][2]["step_conversion"] == 0.5
    assert counts(run(ws, steps="s1,s2,s3", **{"from": "2026-05-03"})) == [1, 1, 0]

    by_source = run(ws, steps="s1,s2,s3", to="2026-05-02", breakdown_type="event", breakdown="src")
    assert {b["value"]: counts(b) for b in by_source["breakdowns"]} == {
        "ads": [2, 2, 1],
        "seo": [1, 0, 0],
    }
    by_plan = run(ws, steps="s1,s2,s3", to="2026-05-02", breakdown_type="plan")
    assert {b["value"]: counts(b) for b in by_plan["breakdowns"]} == {
        "pro": [1, 1, 1],
        funnels.NONE: [2, 1, 0],
    }

    params = funnels.parse({"steps": "s1,s2,s3", "to": "2026-05-02"})
    with source_for(ws) as src:
        page = funnels.dropped(src, params, 3)
        assert [p["person_id"] for p in page["items"]] == ["b"]
        first = funnels.dropped(src, params, 2, limit=1)
    assert first["count"] == 1 and first["items"][0]["person_id"] == "c"
    with source_for(ws) as src:
        company_row = funnels.dropped(src, funnels.parse({"steps": "s1,s2,s3,s4"}), 4)
    assert company_row["items"][0] == {
        "person_id": "a",
        "reached_at": (T0 + timedelta(minutes=40)).replace(tzinfo=UTC),
        "company": company.name,
        "company_key": company.key,
        "plan": "pro",
    }


@pytest.mark.django_db
def test_dropped_persons_are_paginated(world, event_store):
    ws = world.workspace
    journeys(event_store, ws, {f"p{i:02d}": [("s1", i)] for i in range(5)})
    params = funnels.parse({"steps": "s1,s2"})
    with source_for(ws) as src:
        first = funnels.dropped(src, params, 2, limit=2)
        second = funnels.dropped(src, params, 2, limit=2, after=first["next"])
        last = funnels.dropped(src, params, 2, limit=2, after=second["next"])
    assert [p["person_id"] for p in first["items"]] == ["p00", "p01"]
    assert [p["person_id"] for p in second["items"]] == ["p02", "p03"]
    assert [p["person_id"] for p in last["items"]] == ["p04"] and last["next"] is None


@pytest.mark.django_db
def test_an_empty_store_gives_zero_counts_and_a_figure(world, event_store):
    result = run(world.workspace, steps="a,b")
    assert counts(result) == [0, 0]
    figure = funnels.figure(result)
    assert figure["data"][0]["y"] == [0, 0]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"steps": "a"}, "steps"),
        ({"steps": "a,,b"}, "steps"),
        ({"steps": "a,b", "window": "soon"}, "window"),
        ({"steps": "a,b", "window": "400d"}, "window"),
        ({"steps": "a,b", "from": "May 1"}, "from"),
        ({"steps": "a,b", "from": "2026-05-02", "to": "2026-05-01"}, "to"),
        ({"steps": "a,b", "breakdown_type": "colour"}, "breakdown_type"),
        ({"steps": "a,b", "breakdown_type": "event"}, "breakdown"),
        ({"step_1": "a", "step_2": "b", "step_2_filters": "[{"}, "step_2_filters"),
    ],
)
def test_bad_queries_name_the_field(query, field):
    with pytest.raises(Invalid) as caught:
        funnels.parse(query)
    assert field in caught.value.fields


def test_parse_round_trips_through_its_query():
    params = funnels.parse({"steps": "a,b", "window": "36h", "breakdown_type": "plan"})
    assert params.window == timedelta(hours=36)
    again = funnels.parse(params.query)
    assert again.steps == params.steps and again.query == params.query


def test_the_generated_sql_is_stable():
    from lodestar.analytics.queries.base import DuckDialect

    params = funnels.parse(
        {
            "step_1": "signed up",
            "step_2": "paid",
            "step_2_filters": '[{"key": "plan", "op": "eq", "value": "pro"}]',
            "from": "2026-05-01",
            "to": "2026-05-31",
            "product": "web",
        }
    )
    assert funnels.to_sql(DuckDialect(), params, "Europe/Paris") == (
        "SELECT * FROM (SELECT hash(e.person_id) AS h, epoch_us(e.timestamp) AS ts, "
        "(CASE WHEN e.event = 'signed up' THEN 1 ELSE 0 END) + "
        "(CASE WHEN e.event = 'paid' AND (json_extract_string(e.properties, '$.\"plan\"') = "
        "'pro') THEN 2 ELSE 0 END) AS m FROM events e "
        "WHERE e.event IN ('paid', 'signed up') AND e.timestamp >= TIMESTAMP '2026-04-30 22:00:00' "
        "AND e.timestamp < TIMESTAMP '2026-06-14 22:00:00' AND e.product = 'web') t "
        "WHERE m > 0"
    )
    # Without step filters every event fetched matches a step: no outer filter.
    plain = funnels.parse({"steps": "signed up,paid"})
    assert funnels.to_sql(DuckDialect(), plain, "UTC") == (
        "SELECT hash(e.person_id) AS h, epoch_us(e.timestamp) AS ts, "
        "(CASE WHEN e.event = 'signed up' THEN 1 ELSE 0 END) + "
        "(CASE WHEN e.event = 'paid' THEN 2 ELSE 0 END) AS m FROM events e "
        "WHERE e.event IN ('paid', 'signed up')"
    )
