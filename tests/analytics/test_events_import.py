"""`lodestar events import`: PostHog JSON lines or Parquet, all or nothing, stored once."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from lodestar.analytics import importing
from lodestar.core.errors import Invalid

pytestmark = pytest.mark.django_db


def _lines(*events) -> str:
    return "".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events)


GOOD = [
    # PostHog /batch/ items
    {
        "event": "$pageview",
        "distinct_id": "anon-1",
        "properties": {"$current_url": "https://app.test/home", "$session_id": "s1"},
        "timestamp": "2026-11-02T09:30:00Z",
        "uuid": "0191f0c2-0000-7000-8000-000000000001",
    },
    {
        "event": "$identify",
        "distinct_id": "nora@northwind.test",
        "properties": {"$anon_distinct_id": "anon-1"},
        "$set": {"plan": "pro"},
        "timestamp": "2026-11-02T09:31:00+01:00",
        "uuid": "0191f0c2-0000-7000-8000-000000000002",
    },
    # PostHog's export shape: properties as JSON text, extra columns, no uuid
    {
        "event": "report_created",
        "distinct_id": "nora@northwind.test",
        "properties": json.dumps({"format": "pdf"}),
        "timestamp": "2026-11-02 09:32:00.000000",
        "team_id": 2,
        "elements_chain": "",
        "person_id": "018f-...",
    },
    # capture's shape: distinct_id inside properties, epoch seconds
    {"event": "exported", "properties": {"distinct_id": "u7"}, "timestamp": 1793612000},
]


def _store_rows(event_store, ws, sql):
    return event_store.reader(ws).execute(sql).fetchall()


def test_jsonl_in_posthog_shapes_is_stored_with_persons(world, event_store, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(*GOOD, ""))
    report = importing.events_import(workspace=world.workspace, product=world.product, path=path)
    assert (report.lines, report.stored, report.repeats) == (4, 4, 0)
    rows = _store_rows(
        event_store,
        world.workspace,
        "SELECT event, person_id, product, url, session_id, strftime(timestamp, '%H:%M') "
        "FROM events ORDER BY event",
    )
    assert rows == [
        ("$identify", "nora@northwind.test", "web", None, None, "08:31"),  # +01:00 -> UTC
        ("$pageview", "nora@northwind.test", "web", "https://app.test/home", "s1", "09:30"),
        ("exported", "u7", "web", None, None, "09:33"),
        ("report_created", "nora@northwind.test", "web", None, None, "09:32"),
    ]
    plan = _store_rows(event_store, world.workspace, "SELECT properties->>'plan' FROM persons")
    assert ("pro",) in plan


def test_reimporting_the_same_file_stores_nothing_twice(world, event_store, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(*GOOD))
    importing.events_import(workspace=world.workspace, product=world.product, path=path)
    again = importing.events_import(workspace=world.workspace, product=world.product, path=path)
    assert (again.stored, again.repeats) == (0, 4)  # with and without a uuid in the file
    assert _store_rows(event_store, world.workspace, "SELECT count(*) FROM events") == [(4,)]


def test_bad_lines_are_reported_by_number_and_nothing_is_stored(world, event_store, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(
        _lines(
            GOOD[0],
            "{not json",
            {"distinct_id": "u1", "timestamp": "2026-11-02T09:30:00Z"},
            {"event": "x", "timestamp": "2026-11-02T09:30:00Z"},
            {"event": "x", "distinct_id": "u1", "timestamp": "yesterday"},
            {"event": "x", "distinct_id": "u1", "timestamp": "2999-01-01T00:00:00Z"},
            {"event": "x", "distinct_id": "u1", "timestamp": "2026-11-02", "properties": [1]},
            "[1, 2]",
            GOOD[1],
        )
    )
    with pytest.raises(importing.ImportInvalid) as bad:
        importing.events_import(workspace=world.workspace, product=world.product, path=path)
    assert [e.split(":")[0] for e in bad.value.errors] == [f"line {n}" for n in range(2, 9)]
    message = bad.value.message
    assert "7 invalid lines" in message and "nothing was imported" in message
    assert "line 3: missing event" in message and "line 4: missing distinct_id" in message
    assert "'yesterday' is not ISO 8601" in message and "in the future" in message
    assert _store_rows(event_store, world.workspace, "SELECT count(*) FROM events") == [(0,)]


def _parquet(path, rows, schema=None):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def test_parquet_is_imported_and_reimported_once(world, event_store, tmp_path):
    from datetime import datetime

    import pyarrow as pa

    schema = pa.schema(
        [
            ("uuid", pa.string()),
            ("event", pa.string()),
            ("distinct_id", pa.string()),
            ("timestamp", pa.timestamp("us")),
            ("properties", pa.string()),
        ]
    )
    rows = [
        {
            "uuid": f"pq-{i}",
            "event": "viewed",
            "distinct_id": f"u{i % 3}",
            "timestamp": datetime(2026, 11, 1, 12, i),
            "properties": json.dumps({"i": i}),
        }
        for i in range(10)
    ]
    path = tmp_path / "events.parquet"
    _parquet(path, rows, schema)
    report = importing.events_import(workspace=world.workspace, product=world.product, path=path)
    assert (report.lines, report.stored) == (10, 10)
    again = importing.events_import(workspace=world.workspace, product=world.product, path=path)
    assert (again.stored, again.repeats) == (0, 10)
    assert _store_rows(
        event_store,
        world.workspace,
        "SELECT count(DISTINCT person_id), min(timestamp)::VARCHAR, sum((properties->>'i')::INT) "
        "FROM events",
    ) == [(3, "2026-11-01 12:00:00", 45)]


def test_a_bad_parquet_row_stores_nothing(world, event_store, tmp_path):
    rows = [
        {"event": "viewed", "distinct_id": "u1", "timestamp": "2026-11-01T12:00:00Z"},
        {"event": None, "distinct_id": "u1", "timestamp": "2026-11-01T12:00:00Z"},
        {"event": "viewed", "distinct_id": "u2", "timestamp": "not a time"},
    ]
    path = tmp_path / "events.parquet"
    _parquet(path, rows)
    with pytest.raises(importing.ImportInvalid) as bad:
        importing.events_import(workspace=world.workspace, product=world.product, path=path)
    assert [e.split(":")[0] for e in bad.value.errors] == ["row 2", "row 3"]
    assert _store_rows(event_store, world.workspace, "SELECT count(*) FROM events") == [(0,)]
    _parquet(path, [{"name": "x"}])
    with pytest.raises(Invalid, match="lacks the columns event, distinct_id, timestamp"):
        importing.events_import(workspace=world.workspace, product=world.product, path=path)


def test_the_cli_imports_with_a_summary_and_fails_cleanly(world, event_store, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(*GOOD))
    out = io.StringIO()
    args = ["--workspace", "acme", "--product", "web"]
    call_command("events", "import", str(path), *args, stdout=out, stderr=io.StringIO())
    assert "4 events read, 4 stored, 0 already stored" in out.getvalue()
    path.write_text(_lines(GOOD[0], "oops"))
    with pytest.raises(CommandError, match="line 2: not valid JSON"):
        call_command("events", "import", str(path), *args, stderr=io.StringIO())
    with pytest.raises(CommandError, match="No product 'nope'"):
        call_command("events", "import", str(path), "--workspace", "acme", "--product", "nope")
    with pytest.raises(CommandError, match="No file"):
        call_command("events", "import", str(tmp_path / "missing.jsonl"), *args)
