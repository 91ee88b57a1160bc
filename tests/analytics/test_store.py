"""The event store's write path (spool -> compactor -> Parquet) and its person merging."""

from __future__ import annotations

import time
import uuid

import pytest

from lodestar.analytics.store import get_spool


def event(ws, name, distinct_id, *, ts=None, props=None, uid=None, product="web"):
    now = int(time.time() * 1_000_000)
    return {
        "w": ws.id,
        "p": product,
        "uuid": uid or str(uuid.uuid4()),
        "event": name,
        "distinct_id": distinct_id,
        "ts": ts if ts is not None else now,
        "properties": props or {},
        "received": now,
    }


@pytest.mark.django_db
def test_spooled_events_are_queryable_after_a_flush(world, event_store):
    ws = world.workspace
    get_spool().append([event(ws, "signed_up", "u1"), event(ws, "$pageview", "u1")])
    result = event_store.flush()
    assert result.events == 2
    con = event_store.reader(ws)
    assert con.execute("SELECT event FROM events ORDER BY event").fetchall() == [
        ("$pageview",),
        ("signed_up",),
    ]


@pytest.mark.django_db
def test_a_resent_uuid_is_stored_once(world, event_store):
    ws = world.workspace
    first = event(ws, "signed_up", "u1")
    get_spool().append([first, dict(first)])
    event_store.flush()
    get_spool().append([dict(first), event(ws, "signed_up", "u2")])
    result = event_store.flush()
    assert (result.events, result.repeats) == (1, 1)
    con = event_store.reader(ws)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 2


@pytest.mark.django_db
def test_a_failed_tick_leaves_nothing_for_the_next(world, event_store, monkeypatch):
    # The compactor keeps its DuckDB connection between ticks; a tick that fails halfway
    # must not leave its working tables to break the next one, and loses no event.
    from lodestar.analytics.store import compactor

    ws = world.workspace
    get_spool().append([event(ws, "signed_up", "u1")])

    def broken(*args):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(compactor, "_store_workspace", broken)
        with pytest.raises(OSError, match="disk full"):
            event_store.flush()
    get_spool().append([event(ws, "signed_up", "u2")])
    assert event_store.flush().events == 2
    assert event_store.flush().events == 0  # kept connection, clean tables
    con = event_store.reader(ws)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 2


@pytest.mark.django_db
def test_workspaces_never_see_each_others_events(world, event_store):
    get_spool().append([event(world.workspace, "a", "u1"), event(world.other, "b", "u2")])
    event_store.flush()
    assert event_store.reader(world.other).execute("SELECT event FROM events").fetchall() == [
        ("b",)
    ]


@pytest.mark.django_db
def test_identify_merges_the_anonymous_person_and_groups_link_the_company(world, event_store):
    ws = world.workspace
    company = world.company
    company.external_id = "nw-1"
    company.save()
    t = int(time.time() * 1_000_000) - 10_000_000
    get_spool().append(
        [
            event(ws, "$pageview", "anon-1", ts=t),
            event(
                ws,
                "$identify",
                "nora@northwind.test",
                ts=t + 1,
                props={"$anon_distinct_id": "anon-1", "$set": {"plan": "pro"}},
            ),
            event(
                ws,
                "report_created",
                "nora@northwind.test",
                ts=t + 2,
                props={"$groups": {"company": "nw-1"}},
            ),
        ]
    )
    event_store.flush()
    con = event_store.reader(ws)
    people = con.execute("SELECT DISTINCT person_id FROM events").fetchall()
    assert people == [("nora@northwind.test",)]
    row = con.execute("SELECT properties->>'plan', company, company_arr FROM persons").fetchone()
    assert row[0] == "pro"
    assert row[1] == company.name
    assert row[2] == float(company.arr)


@pytest.mark.django_db
def test_small_files_are_merged_and_nothing_is_lost(world, event_store):
    from lodestar.analytics.store import duck

    ws = world.workspace
    for i in range(duck.MERGE_AT + 2):
        get_spool().append([event(ws, "tick", f"u{i}")])
        event_store.flush()
    manifest = event_store.get_engine().layout.read_manifest()
    assert len(manifest.workspaces[ws.id].files) < duck.MERGE_AT
    con = event_store.reader(ws)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == duck.MERGE_AT + 2


@pytest.mark.django_db
def test_bulk_load_stores_once_and_applies_persons(world, event_store):
    import duckdb

    ws = world.workspace
    con = duckdb.connect()
    con.execute(
        """
        CREATE TABLE src AS SELECT 'web' AS product, 'id-' || i AS uuid,
            CASE WHEN i = 0 THEN '$identify' ELSE 'viewed' END AS event,
            'u' || (i % 10) AS distinct_id,
            TIMESTAMP '2026-11-01 00:00:00' + i * INTERVAL 1 MINUTE AS timestamp,
            CASE WHEN i = 0 THEN '{"$anon_distinct_id": "u1"}' ELSE '{}' END AS properties,
            NULL::VARCHAR AS url, NULL::VARCHAR AS session_id,
            TIMESTAMP '2026-11-02 00:00:00' AS received_at
        FROM range(1000) t(i)
        """
    )
    assert event_store.load_events(ws, con, "SELECT * FROM src").events == 1000
    assert event_store.load_events(ws, con, "SELECT * FROM src").repeats == 1000
    reader = event_store.reader(ws)
    assert reader.execute("SELECT count(*), count(DISTINCT person_id) FROM events").fetchone() == (
        1000,
        9,
    )


@pytest.mark.django_db
def test_repeating_a_known_company_link_does_not_rewrite_the_persons(world, event_store):
    ws = world.workspace
    groups = {"$groups": {"company": "nw-1"}}
    get_spool().append([event(ws, "viewed", "u1", props=groups)])
    event_store.flush()
    layout = event_store.get_engine().layout
    first = layout.read_manifest().workspaces[ws.id].persons
    get_spool().append([event(ws, "viewed", "u1", props=groups) for _ in range(3)])
    event_store.flush()
    assert layout.read_manifest().workspaces[ws.id].persons == first
    get_spool().append([event(ws, "viewed", "u1", props={"$groups": {"company": "nw-2"}})])
    event_store.flush()
    assert layout.read_manifest().workspaces[ws.id].persons != first
    con = event_store.reader(ws)
    assert con.execute("SELECT company_key FROM persons_raw").fetchall() == [("nw-2",)]


def test_a_new_spool_segment_is_locked_before_it_bears_its_name(tmp_path, monkeypatch):
    """The compactor treats an unlocked *.ndjson as finished: a segment must be locked first."""
    import fcntl

    from lodestar.analytics.store import spool as spool_module

    seen = []
    original = fcntl.flock

    def flock(fd, op):
        seen.append(sorted(p.name for p in (tmp_path / "spool").glob("*.ndjson")))
        return original(fd, op)

    monkeypatch.setattr(spool_module.fcntl, "flock", flock)
    spool = spool_module.Spool(tmp_path / "spool")
    spool.append([{"event": "x"}])
    assert seen == [[]]  # nothing bore a spool name while it was not yet locked
    (segment,) = (tmp_path / "spool").glob("*.ndjson")
    assert spool_module.segment_in_use(segment)
    spool.close()
    assert not spool_module.segment_in_use(segment)


@pytest.mark.django_db
def test_a_backlog_is_taken_in_bounded_bites_and_nothing_is_lost(world, event_store, monkeypatch):
    from lodestar.analytics.store import compactor

    ws = world.workspace
    get_spool().append([event(ws, "viewed", f"u{i}") for i in range(30)])
    monkeypatch.setattr(compactor, "MAX_TICK_BYTES", 700)  # a few lines per tick
    ticks = 0
    while event_store.flush().events:
        ticks += 1
    assert ticks > 3
    assert event_store.reader(ws).execute("SELECT count(*) FROM events").fetchall() == [(30,)]


@pytest.mark.django_db
def test_columns_taken_out_at_capture_read_like_the_json(world, event_store):
    """Capture writes url, session, company and "sets person properties" beside the JSON
    (`pre`); lines without them (older spools, values that are not text) are read from the
    JSON. Both give the same columns and the same person."""
    from lodestar.analytics.capture.normalize import _row

    ws = world.workspace
    world.company.external_id = "nw-1"
    world.company.save()
    props = {
        "$current_url": "https://app.test/a?x=1",
        "$session_id": "s-1",
        "$groups": {"company": "nw-1"},
        "$set": {"plan": "pro"},
    }

    class Target:
        workspace_id, product, now_us = ws.id, "web", int(time.time() * 1_000_000)

    fresh = _row(Target, str(uuid.uuid4()), "viewed", "u1", Target.now_us, dict(props))
    assert (fresh["url"], fresh["sid"], fresh["co"], fresh["ps"], fresh["pre"]) == (
        "https://app.test/a?x=1",
        "s-1",
        "nw-1",
        True,
        True,
    )
    numeric = _row(Target, str(uuid.uuid4()), "viewed", "u3", Target.now_us, {"$session_id": 7})
    assert numeric["pre"] is False and "sid" not in numeric
    older = event(ws, "viewed", "u2", props=dict(props))  # no url/sid/co/pre keys
    get_spool().append([fresh, older, numeric])
    event_store.flush()
    con = event_store.reader(ws)
    rows = con.execute(
        "SELECT distinct_id, url, session_id FROM events ORDER BY distinct_id"
    ).fetchall()
    assert rows == [
        ("u1", "https://app.test/a?x=1", "s-1"),
        ("u2", "https://app.test/a?x=1", "s-1"),
        ("u3", None, "7"),
    ]
    people = con.execute(
        "SELECT person_id, properties->>'plan', company FROM persons ORDER BY person_id"
    ).fetchall()
    assert people == [("u1", "pro", world.company.name), ("u2", "pro", world.company.name)]
