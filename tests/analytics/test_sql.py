"""The SQL console: read-only, sandboxed, limited; its page, CSV download and CLI."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lodestar.analytics.queries import sql as console
from lodestar.analytics.queries.base import source_for
from lodestar.analytics.store import get_spool

pytestmark = pytest.mark.django_db


def _event(ws, name, distinct_id, *, ts, props=None):
    return {
        "w": ws.id,
        "p": "web",
        "uuid": str(uuid.uuid4()),
        "event": name,
        "distinct_id": distinct_id,
        "ts": ts,
        "properties": props or {},
        "received": ts,
    }


@pytest.fixture
def journeys(world, event_store):
    """p1: pageview, signed_up; p2: pageview; p3: pageview, pageview (other: one event)."""
    t0 = int(time.time() * 1_000_000) - 3_600_000_000
    ws = world.workspace
    get_spool().append(
        [
            _event(ws, "$pageview", "p1", ts=t0, props={"$current_url": "/home"}),
            _event(ws, "signed_up", "p1", ts=t0 + 300_000_000, props={"plan": "pro"}),
            _event(ws, "$pageview", "p2", ts=t0 + 60_000_000, props={"$current_url": "/home"}),
            _event(ws, "$pageview", "p3", ts=t0 + 120_000_000, props={"$current_url": "/pricing"}),
            _event(ws, "$pageview", "p3", ts=t0 + 180_000_000, props={"$current_url": "/home"}),
            _event(world.other, "secret", "x1", ts=t0),
        ]
    )
    event_store.flush()
    return world


COUNTS = "SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY event"


# -- the runner ----------------------------------------------------------------------------


def test_a_select_runs_over_the_workspace_events_only(journeys):
    result = console.console(journeys.workspace, COUNTS)
    assert result.columns == ["event", "n"]
    assert result.rows == [("$pageview", 4), ("signed_up", 1)]
    assert not result.truncated
    other = console.console(journeys.other, "SELECT event FROM events")
    assert other.rows == [("secret",)]


def test_with_describe_show_values_and_explain_are_allowed(journeys):
    ws = journeys.workspace
    q = "WITH v AS (SELECT DISTINCT person_id FROM events) SELECT count(*) FROM v"
    assert console.console(ws, q).rows == [(3,)]
    assert "event" in [r[0] for r in console.console(ws, "DESCRIBE events").rows]
    assert console.console(ws, "VALUES (1, 'a')").rows == [(1, "a")]
    assert console.console(ws, "EXPLAIN SELECT count(*) FROM events").rows
    assert console.console(ws, "SELECT 1;").rows == [(1,)]


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("COPY (SELECT * FROM events) TO '/tmp/out.csv'", "COPY"),
        ("ATTACH '/tmp/x.db' AS x", "ATTACH"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD json", "LOAD"),
        ("PRAGMA version", "PRAGMA"),
        ("SET memory_limit = '100GB'", "SET"),
        ("RESET lock_configuration", "SET"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("INSERT INTO companies VALUES ('k','n',NULL,NULL,1,NULL,NULL)", "INSERT"),
        ("DELETE FROM companies", "DELETE"),
        ("UPDATE companies SET arr = 0", "UPDATE"),
        ("DROP VIEW events", "DROP"),
        ("CALL pragma_version()", "CALL"),
        ("EXPORT DATABASE '/tmp/x'", "EXPORT"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
        ("SELECT 1; DROP VIEW events", "one statement at a time"),
        ("", "Write a SELECT"),
        ("-- just a comment", "Write a SELECT"),
    ],
)
def test_anything_but_one_select_is_refused(journeys, statement, says):
    with pytest.raises(console.SqlError) as refused:
        console.console(journeys.workspace, statement)
    assert says in refused.value.message
    assert refused.value.fields == {"sql": [refused.value.message]}


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_json('/etc/passwd')",
        "SELECT * FROM read_parquet('*.parquet')",
        "SELECT * FROM parquet_scan('x.parquet')",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM 'ws-1/t-00000001.parquet'",
        "SELECT * FROM events WHERE uuid IN (SELECT * FROM read_blob('/etc/hostname'))",
        "WITH x AS (SELECT * FROM parquet_metadata('a.parquet')) SELECT * FROM x",
        "SELECT * FROM query('SELECT 1')",
        "DESCRIBE SELECT * FROM read_csv('/etc/passwd')",
        "EXPLAIN SELECT * FROM read_csv('/etc/passwd')",
    ],
)
def test_file_reading_functions_are_refused_before_running(journeys, statement):
    with pytest.raises(console.SqlError) as refused:
        console.console(journeys.workspace, statement)
    message = refused.value.message  # refused by the check, not by the sandbox
    assert "is not available here" in message or "is not a table" in message, message


def test_the_sandbox_itself_blocks_files_outside_the_workspace(journeys):
    """Even a statement that got past the checks cannot read /etc/passwd, another
    workspace's files, or change the sandbox's settings."""
    import duckdb

    from lodestar.analytics.store.layout import Layout

    acme_dir = Layout().workspace_dir(journeys.workspace.id)
    with source_for(journeys.other, sandbox=True) as src:
        for statement in (
            "SELECT * FROM read_csv('/etc/passwd')",
            f"SELECT * FROM read_parquet('{acme_dir}/*.parquet')",
            "COPY (SELECT 1) TO '/tmp/lodestar-sql-escape.csv'",
        ):
            with pytest.raises(duckdb.Error, match=r"(?i)permission|disabled|access"):
                src.con.execute(statement).fetchall()
        with pytest.raises(duckdb.Error, match="locked"):
            src.con.execute("SET enable_external_access = true")
        limit = src.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.endswith("GiB") and float(limit.split()[0]) <= 2


def test_a_slow_statement_is_interrupted(journeys):
    started = time.monotonic()
    with pytest.raises(console.SqlError, match=r"longer than 0\.3 s"):
        console.console(
            journeys.workspace,
            "SELECT count(*) FROM range(1000000000) a, range(1000000) b",
            console.Limits(seconds=0.3),
        )
    assert time.monotonic() - started < 5


def test_rows_past_the_limit_are_cut_and_said_so(journeys):
    result = console.console(
        journeys.workspace, "SELECT * FROM range(100)", console.Limits(rows=10)
    )
    assert len(result.rows) == 10 and result.truncated
    result = console.console(journeys.workspace, "SELECT * FROM range(10)", console.Limits(rows=10))
    assert len(result.rows) == 10 and not result.truncated


def test_engine_errors_are_reported_with_the_engine_message(journeys):
    with pytest.raises(console.SqlError, match=r"(?i)binder error.*nope"):
        console.console(journeys.workspace, "SELECT nope FROM events")
    with pytest.raises(console.SqlError, match=r"(?i)syntax error"):
        console.console(journeys.workspace, "SELEC 1")
    with pytest.raises(console.SqlError, match=r"(?i)does not exist"):
        console.console(journeys.workspace, "SELECT * FROM secrets")


def test_as_a_query_module_it_parses_runs_and_draws(journeys):
    params = console.parse({"sql": COUNTS, "x": "event", "y": "n", "chart": "bar"})
    with source_for(journeys.workspace, sandbox=True) as src:
        result = console.run(src, params)
    assert json.loads(json.dumps(result))["rows"] == [["$pageview", 4], ["signed_up", 1]]
    figure = console.figure(result)
    assert figure["data"] == [
        {"x": ["$pageview", "signed_up"], "y": [4, 1], "name": "n", "type": "bar"}
    ]
    # Unknown or missing axes fall back to the first column across, the first number up.
    params = console.parse({"sql": COUNTS, "x": "nope"})
    with source_for(journeys.workspace, sandbox=True) as src:
        result = console.run(src, params)
    assert (result["x"], result["y"]) == ("event", ["n"])
    with pytest.raises(console.Invalid) as bad:
        console.parse({"sql": " ", "chart": "pie"})
    assert set(bad.value.fields) == {"sql", "chart"}


# -- the page ------------------------------------------------------------------------------


def _url(world, name="console"):
    return reverse(f"analytics_sql:{name}", args=[world.workspace.slug])


def test_the_page_runs_a_statement_and_draws_it(journeys):
    client = journeys["pm"].client()
    response = client.get(_url(journeys))
    assert response.status_code == 200
    assert b"persons" in response.content and b"Examples" in response.content
    response = client.post(_url(journeys), {"sql": COUNTS, "x": "event", "y": "n"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>signed_up</td>" in page and "2 rows" in page
    assert 'data-chart="sql-figure"' in page and "plotly.min.js" in page
    response = client.get(_url(journeys), {"sql": COUNTS})
    assert response.status_code == 200 and "<td>$pageview</td>" in response.content.decode()


def test_the_page_shows_a_refusal_next_to_the_statement(journeys):
    client = journeys["contributor"].client()
    response = client.post(_url(journeys), {"sql": "SELECT * FROM read_csv('/etc/passwd')"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="sql-error"' in page and "read_csv() is not available" in page
    assert "read_csv(&#x27;/etc/passwd&#x27;)" in page  # the statement is kept to fix it


def test_each_example_runs(journeys):
    from lodestar.analytics.views.sql import EXAMPLES

    for title, statement in EXAMPLES:
        result = console.console(journeys.workspace, statement)
        assert result.columns, title


def test_csv_download_has_every_row(journeys):
    client = journeys["po"].client()
    response = client.post(_url(journeys, "csv"), {"sql": COUNTS})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["event", "n"], ["$pageview", "4"], ["signed_up", "1"]]
    response = client.get(_url(journeys, "csv"), {"sql": "DROP VIEW events"})
    assert response.status_code == 400


def test_stakeholders_and_outsiders_cannot_query(journeys):
    for name, status in (("stakeholder", 403), ("outsider", 404)):
        client = journeys[name].client()
        assert client.get(_url(journeys), {"sql": COUNTS}).status_code == status
        assert client.post(_url(journeys, "csv"), {"sql": COUNTS}).status_code == status


# -- the CLI -------------------------------------------------------------------------------


def test_cli_prints_a_table_csv_or_json(journeys):
    out = io.StringIO()
    call_command("sql", COUNTS, "--workspace", "acme", stdout=out)
    assert "signed_up" in out.getvalue() and "2 rows" in out.getvalue()
    out = io.StringIO()
    call_command("sql", COUNTS, "--workspace", "acme", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines() == ["event,n", "$pageview,4", "signed_up,1"]
    out = io.StringIO()
    call_command("sql", COUNTS, "--workspace", "acme", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["columns"] == ["event", "n"] and data["rows"][1] == ["signed_up", 1]


def test_cli_errors_go_to_stderr_with_exit_code_1(journeys, capsys):
    with pytest.raises(CommandError, match="Only SELECT"):
        call_command("sql", "DROP VIEW events", "--workspace", "acme")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("sql", "SELECT 1", "--workspace", "nope")
    from lodestar import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["sql", "--workspace", "acme", "SELECT * FROM '/etc/passwd'"])
    assert exit_.value.code == 1
    assert "not a table" in capsys.readouterr().err


def test_a_result_is_saved_as_a_sql_chart_that_reruns(journeys):
    from lodestar.analytics.models import Chart

    client = journeys["pm"].client()
    page = client.post(_url(journeys), {"sql": COUNTS, "x": "event", "y": "n", "chart": "bar"})
    content = page.content.decode()
    assert "Save chart" in content
    query = content.split('name="query" value="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    response = client.post(
        reverse("analytics_charts:chart_new", args=["acme"]),
        {"kind": "sql", "query": query, "name": "Events by name", "product_key": "web"},
    )
    assert response.status_code == 302
    chart = Chart.objects.get(name="Events by name")
    assert chart.kind == "sql" and chart.query["sql"] == COUNTS and chart.query["chart"] == "bar"
    shown = client.get(response["Location"])
    assert shown.status_code == 200 and b"Events by name" in shown.content
    assert b"could not be run" not in shown.content and b"no longer valid" not in shown.content
    assert b"signed_up" in shown.content  # the saved statement ran again for the chart
    # Contributors may query but not save charts: no save form for them.
    page = journeys["contributor"].client().post(_url(journeys), {"sql": COUNTS})
    assert "Save chart" not in page.content.decode()
