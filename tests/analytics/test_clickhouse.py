"""The ClickHouse engine, on chDB: the compactor's sink, persons, workspace scoping and the
SQL console's sandbox."""

from __future__ import annotations

import time
import uuid

import pytest

from lodestar.analytics.store import get_spool
from lodestar.core.errors import Invalid
from tests.analytics.test_store import event

pytest.importorskip("chdb")


def chdb_url(database: str) -> str:
    # chDB allows one data path per process, and other tests call chdb.query() (which runs
    # in memory): every test of a process shares the in-memory one, in databases of its own.
    return f"chdb://:memory:?database={database}"


@pytest.fixture
def ch_database():
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    from lodestar.analytics.store.clickhouse_clients import _chdb_sessions

    for session in _chdb_sessions.values():
        session.query(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def ch_store(event_store, settings, ch_database):
    """The event store on chDB, in a database of its own for this test."""
    settings.EVENTS_URL = chdb_url(ch_database)
    event_store.reset_for_tests()
    yield event_store
    event_store.reset_for_tests()


def source(ws, **kw):
    from lodestar.analytics.queries.base import source_for

    return source_for(ws, **kw)


@pytest.mark.django_db
def test_spooled_events_land_in_clickhouse_once(world, ch_store):
    ws = world.workspace
    first = event(ws, "signed_up", "u1")
    get_spool().append([first, dict(first), event(ws, "$pageview", "u1")])
    assert ch_store.flush().events == 2
    get_spool().append([dict(first), event(ws, "$pageview", "u2")])
    result = ch_store.flush()
    assert (result.events, result.repeats) == (1, 1)
    with source(ws) as src:
        assert src.dialect.name == "clickhouse"
        rows = src.query("SELECT event, count() AS n FROM events GROUP BY event ORDER BY event")
    assert rows.columns == ["event", "n"]
    assert rows.rows == [("$pageview", 2), ("signed_up", 1)]


@pytest.mark.django_db
def test_a_workspace_never_sees_another_workspaces_rows(world, ch_store):
    get_spool().append(
        [
            event(world.workspace, "a", "u1", props={"$set": {"x": 1}}),
            event(world.other, "b", "u2", props={"$set": {"x": 2}}),
        ]
    )
    ch_store.flush()
    engine = ch_store.get_engine()
    with source(world.other) as src:
        assert src.query("SELECT event, person_id FROM events").rows == [("b", "u2")]
        assert src.query("SELECT person_id FROM persons").rows == [("u2",)]
        # Even naming the table behind the view reads only this workspace's rows.
        raw = src.query(f"SELECT event FROM {engine.table('lodestar_events')}").rows
    assert raw == [("b",)]


@pytest.mark.django_db
def test_identify_and_groups_reach_clickhouses_persons(world, ch_store):
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
            event(ws, "report_created", "nora@northwind.test", ts=t + 2),
        ]
    )
    ch_store.flush()
    get_spool().append(
        [event(ws, "x", "nora@northwind.test", ts=t + 3, props={"$groups": {"company": "nw-1"}})]
    )
    ch_store.flush()
    with source(ws) as src:
        d = src.dialect
        assert src.query("SELECT DISTINCT person_id FROM events").rows == [("nora@northwind.test",)]
        row = src.query(
            f"SELECT {d.json_str('properties', 'plan')}, company, company_arr FROM persons"
        ).rows
    assert row == [("pro", company.name, float(company.arr))]


@pytest.mark.django_db
def test_bulk_load_goes_to_clickhouse(world, ch_store):
    import duckdb

    ws = world.workspace
    con = duckdb.connect()
    con.execute(
        """
        CREATE TABLE src AS SELECT 'web' AS product, 'id-' || i AS uuid, 'viewed' AS event,
            'u' || (i % 10) AS distinct_id,
            TIMESTAMP '2026-11-01 00:00:00' + i * INTERVAL 1 MINUTE AS timestamp,
            '{}' AS properties, NULL::VARCHAR AS url, NULL::VARCHAR AS session_id,
            TIMESTAMP '2026-11-02 00:00:00' AS received_at
        FROM range(30000) t(i)
        """
    )
    assert ch_store.load_events(ws, con, "SELECT * FROM src").events == 30000
    assert ch_store.load_events(ws, con, "SELECT * FROM src").repeats == 30000
    with source(ws) as src:
        assert src.query("SELECT count(), min(timestamp) FROM events").rows == [
            (30000, __import__("datetime").datetime(2026, 11, 1))
        ]


SANDBOX_REFUSED = [
    ("SELECT file('/etc/hostname')", "file()"),
    ("SELECT * FROM file('/etc/passwd', 'LineAsString')", "Table functions"),
    ("SELECT * FROM url('http://127.0.0.1:1/', 'CSV')", "Table functions"),
    ("SELECT * FROM numbers(3)", "Table functions"),
    ("SELECT count() FROM system.tables", "system.tables"),
    ("SELECT * FROM lodestar_events", "lodestar_events"),
    ("SELECT 1 WHERE 1 IN lodestar_persons", "lodestar_persons"),
    ("SELECT count() FROM events SETTINGS readonly = 0", "SETTINGS"),
    ("INSERT INTO events VALUES (1)", "Only SELECT"),
    ("DROP TABLE events", "Only SELECT"),
    ("SELECT 1; SELECT 2", "SQL error"),
    ("SELEKT 1", "SQL error"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("sql", "message"), SANDBOX_REFUSED)
def test_the_sql_console_refuses_files_network_other_tables_and_writes(
    world, ch_store, sql, message
):
    with source(world.workspace, sandbox=True) as src, pytest.raises(Invalid) as error:
        src.query(sql)
    assert message in error.value.message


@pytest.mark.django_db
def test_the_sql_console_reads_its_own_workspace_with_ctes_and_limits(world, ch_store):
    get_spool().append([event(world.workspace, "a", f"u{i}") for i in range(5)])
    get_spool().append([event(world.other, "b", "z")])
    ch_store.flush()
    with source(world.workspace, sandbox=True) as src:
        sql = "WITH x AS (SELECT person_id FROM events) SELECT count() AS n FROM x;"
        assert src.query(sql).rows == [(5,)]
        src.max_rows = 2
        with pytest.raises(Exception, match=r"(?i)limit"):
            src.query("SELECT * FROM events")


@pytest.mark.django_db
def test_the_sql_console_runs_on_clickhouse_with_its_limits(world, ch_store):
    from lodestar.analytics.queries import sql

    get_spool().append([event(world.workspace, "a", f"u{i}") for i in range(5)])
    ch_store.flush()
    result = sql.console(
        world.workspace, "SELECT person_id FROM events ORDER BY person_id", sql.Limits(rows=3)
    )
    assert (result.columns, result.rows, result.truncated) == (
        ["person_id"],
        [("u0",), ("u1",), ("u2",)],
        True,
    )
    with pytest.raises(sql.SqlError, match="file"):
        sql.console(world.workspace, "SELECT * FROM file('/etc/passwd', 'LineAsString')")
    with pytest.raises(sql.SqlError, match=r"(?i)unknown|missing"):
        sql.console(world.workspace, "SELECT nope FROM events")
    slow = (
        "SELECT count() FROM (SELECT arrayJoin(range(1000000)) AS a) AS x "
        "CROSS JOIN (SELECT arrayJoin(range(100000)) AS b) AS y"
    )
    with pytest.raises(sql.SqlError, match="longer than 1 s"):
        sql.console(world.workspace, slow, sql.Limits(seconds=1))


@pytest.mark.django_db
def test_older_person_copies_are_deleted_after_the_grace(world, ch_store, monkeypatch):
    from lodestar.analytics.store import clickhouse

    ws = world.workspace
    get_spool().append([event(ws, "x", "u1", props={"$set": {"plan": "free"}})])
    ch_store.flush()
    monkeypatch.setattr(clickhouse, "OLD_COPY_GRACE", 0.0)
    get_spool().append([event(ws, "x", "u1", props={"$set": {"plan": "pro"}})])
    ch_store.flush()
    engine = ch_store.get_engine()
    versions = engine.client.arrow(
        f"SELECT DISTINCT version FROM {engine.table('lodestar_persons')}"
    )
    assert versions.num_rows == 1
    with source(ws) as src:
        d = src.dialect
        assert src.query(f"SELECT {d.json_str('properties', 'plan')} FROM persons").rows == [
            ("pro",)
        ]


def test_a_clickhouse_url_configures_clickhouse_connect(monkeypatch):
    """No ClickHouse server runs here: the URL's parts reach clickhouse-connect, and the
    engine's calls go to the client it returns."""
    import clickhouse_connect

    from lodestar.analytics.store.clickhouse import ClickHouseEngine
    from lodestar.analytics.store.layout import Layout

    calls: list = []

    class Client:
        def command(self, sql):
            calls.append(("command", sql))

        def query_arrow(self, sql, **kw):
            calls.append(("query", sql))
            return __import__("pyarrow").table({"uuid": []})

        def insert_arrow(self, table, data, database):
            calls.append(("insert", table, data.num_rows, database))

    seen = {}
    monkeypatch.setattr(clickhouse_connect, "get_client", lambda **kw: seen.update(kw) or Client())
    engine = ClickHouseEngine.from_url(
        "clickhouses://ana%40acme:s%3Acret@ch.acme.test/analytics", Layout("/nonexistent")
    )
    assert seen["host"] == "ch.acme.test"
    assert (seen["port"], seen["secure"]) == (8443, True)
    assert (seen["username"], seen["password"]) == ("ana@acme", "s:cret")
    assert engine.db == "analytics"
    engine.ensure_schema()
    assert calls[0] == ("command", "CREATE DATABASE IF NOT EXISTS analytics")
    assert any("analytics.lodestar_events" in c[1] for c in calls[1:])


@pytest.mark.django_db
def test_an_empty_store_answers_with_no_rows(world, ch_store):
    from lodestar.analytics.queries import trends

    with source(world.workspace) as src:
        assert src.query("SELECT count() AS n FROM events").rows == [(0,)]
        assert src.query("SELECT * FROM persons").rows == []
        result = trends.run(src, trends.parse({"s0_event": "$pageview"}))
    assert sum(result["series"][0]["values"]) == 0
