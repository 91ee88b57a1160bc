"""The SQL console: one read-only statement over one workspace's `events`, `persons` and
`companies`, with a row limit, a statement timeout and a memory limit.

Defence in depth, on DuckDB:

1. the connection is the sandboxed one (`source_for(workspace, sandbox=True)`): it can read
   only the workspace's own directory, has no external access, a memory limit, and its
   configuration is locked, so no statement can undo any of that;
2. `check` parses the text with DuckDB's own parser and accepts exactly one SELECT (WITH,
   VALUES, DESCRIBE, SHOW, SUMMARIZE are SELECTs to DuckDB) or EXPLAIN of one; it walks the
   parsed tree and refuses table functions other than a few harmless ones (so `read_csv`,
   `read_parquet`, `glob`, `query`, ... never run, not even on the workspace's own files)
   and file paths used as tables (`FROM 'x.csv'`);
3. a timer interrupts the statement after `Limits.seconds`; at most `Limits.rows` rows are
   fetched (one more tells that the result was cut).

Other engines: a Source may implement `run_console(sql, limits) -> SqlResult` itself (the
ClickHouse engine runs with readonly=1, max_execution_time and max_result_rows); `execute`
calls it when present.

As a query module (kind "sql", for saved charts) it has the same contract as trends,
funnels and retention: `parse(data) -> Params`, `run(src, params) -> dict`,
`figure(result) -> dict`. Run it on a sandboxed source (SANDBOX = True says so).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from lodestar.core.errors import Invalid

KIND = "sql"
LABEL = "SQL"
SANDBOX = True  # saved SQL charts must run on source_for(workspace, sandbox=True)

MAX_SQL_CHARS = 20_000
CHART_TYPES = ("line", "bar")

# Table functions a console query may call; anything else (read_csv, read_parquet, glob,
# query, parquet_metadata, ...) is refused before it runs.
TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "unnest",
        "json_each",
        "json_tree",
        "duckdb_tables",
        "duckdb_views",
        "duckdb_columns",
        "duckdb_types",
        "duckdb_keywords",
        "duckdb_functions",
        "pragma_table_info",
    }
)
# A table name that is really a file path (DuckDB's replacement scans read `FROM 'x.csv'`).
_PATH_LIKE = re.compile(r"[/\\.:*?~]")
_EXPLAIN = re.compile(r"\s*explain\s+(?:analy[sz]e\s+)?(?P<inner>.*)\Z", re.I | re.S)


class SqlError(Invalid):
    """The statement was refused or the engine reported an error; `message` says which."""

    code = "sql_error"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"sql": message})


@dataclass(frozen=True)
class Limits:
    rows: int = 10_000
    seconds: float = 10.0


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[tuple]
    truncated: bool = False  # more rows than Limits.rows: only the first ones are here
    elapsed: float = 0.0  # seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": [[plain(v) for v in row] for row in self.rows],
            "truncated": self.truncated,
            "elapsed_ms": round(self.elapsed * 1000, 1),
        }

    def numeric_columns(self) -> list[str]:
        """Columns whose every non-null value is a number (what a chart can put on y)."""
        found = []
        for i, name in enumerate(self.columns):
            values = [row[i] for row in self.rows if row[i] is not None]
            if values and all(_is_number(v) for v in values):
                found.append(name)
        return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def plain(value: Any) -> Any:
    """A value as JSON can carry it (for the API, saved results and the chart)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def text(value: Any) -> str:
    """A value as a CSV cell or a table cell shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, list | tuple | dict):
        return json.dumps(plain(value), ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


# -- checking ------------------------------------------------------------------------------


def check(sql: str, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """The one statement in `sql`, if the console may run it; else SqlError saying why.
    Parsing only: nothing is bound or run (`con` only lends its parser)."""
    if len(sql) > MAX_SQL_CHARS:
        raise SqlError(f"The statement is too long: at most {MAX_SQL_CHARS:,} characters.")
    parser = con if con is not None else duckdb.connect()
    try:
        statements = parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlError(_message(exc)) from None
    if not statements:
        raise SqlError("Write a SELECT statement.")
    if len(statements) > 1:
        raise SqlError(
            f"Run one statement at a time (this text has {len(statements)}): "
            "remove all but one, or join them in one SELECT with WITH."
        )
    statement = statements[0]
    kind = statement.type
    body = statement.query
    if kind == duckdb.StatementType.EXPLAIN:
        match = _EXPLAIN.match(body)
        if match is None:
            raise SqlError("Start the statement with EXPLAIN (no comment before it).")
        _check_select(parser, match["inner"])
    elif kind == duckdb.StatementType.SELECT:
        _check_select(parser, body)
    else:
        name = kind.name.replace("_", " ")
        raise SqlError(
            f"Only SELECT statements run here (this is {name}): the console is read-only, "
            "and cannot change settings, write, attach, copy, or load extensions."
        )
    return body


def _check_select(parser: duckdb.DuckDBPyConnection, body: str) -> None:
    row = parser.execute("SELECT json_serialize_sql(?)", [body]).fetchone()
    tree = json.loads(row[0]) if row else {"error": True, "error_message": "cannot parse"}
    if tree.get("error"):
        raise SqlError(
            "Only SELECT statements run here: " + tree.get("error_message", "cannot parse it")
        )
    for node in _nodes(tree["statements"]):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            name = str(node.get("function", {}).get("function_name", "")).lower()
            if name not in TABLE_FUNCTIONS:
                raise SqlError(
                    f"{name}() is not available here: the console reads the tables events, "
                    "persons and companies, not files or other sources. Table functions "
                    "allowed: " + ", ".join(sorted(TABLE_FUNCTIONS)) + "."
                )
        elif kind in ("BASE_TABLE", "SHOW_REF"):
            name = str(node.get("table_name") or "").strip('"')
            if _PATH_LIKE.search(name) and not node.get("schema_name"):
                raise SqlError(
                    f"{name!r} is not a table: the console reads the tables events, persons "
                    "and companies, never files."
                )


def _nodes(value: Any) -> Iterable[dict]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


def _message(exc: Exception) -> str:
    return str(exc).strip() or type(exc).__name__


# -- running -------------------------------------------------------------------------------


def execute(src, sql: str, limits: Limits | None = None) -> SqlResult:
    """Check and run `sql` on `src` (a sandboxed Source). Raises SqlError, never anything
    else, for a refused statement or an engine error."""
    limits = limits or Limits()
    own = getattr(src, "run_console", None)
    if own is not None:
        return own(sql, limits)
    con = getattr(src, "con", None)
    if con is None:
        raise SqlError("This event store has no SQL console.")
    return run_duck(con, sql, limits)


def run_duck(con: duckdb.DuckDBPyConnection, sql: str, limits: Limits) -> SqlResult:
    statement = check(sql, con)
    timer = threading.Timer(limits.seconds, con.interrupt)
    timer.daemon = True
    started = time.monotonic()
    timer.start()
    try:
        cursor = con.execute(statement)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchmany(limits.rows + 1)
    except duckdb.InterruptException:
        raise SqlError(
            f"The statement ran longer than {limits.seconds:g} s and was stopped: filter on "
            "timestamp, aggregate, or add a LIMIT."
        ) from None
    except duckdb.Error as exc:
        raise SqlError(_message(exc)) from None
    except (ValueError, OverflowError) as exc:  # a value Python cannot represent
        raise SqlError(f"A value in the result cannot be shown: {_message(exc)}") from None
    finally:
        timer.cancel()
    elapsed = time.monotonic() - started
    truncated = len(rows) > limits.rows
    return SqlResult(columns, rows[: limits.rows], truncated, elapsed)


def console(workspace, sql: str, limits: Limits | None = None) -> SqlResult:
    """Run `sql` for `workspace` on the configured engine, sandboxed."""
    from lodestar.analytics.queries.base import source_for

    src = source_for(workspace, sandbox=True)
    try:
        return execute(src, sql, limits)
    finally:
        src.close()


# -- the query-module contract (saved charts of kind "sql") --------------------------------


@dataclass(frozen=True)
class Params:
    sql: str
    x: str = ""
    y: list[str] = field(default_factory=list)
    chart: str = "line"

    def as_query(self) -> dict[str, Any]:
        """What a saved Chart keeps in `query` (parse() reads it back)."""
        return {"sql": self.sql, "x": self.x, "y": ",".join(self.y), "chart": self.chart}


def parse(data: Mapping[str, Any]) -> Params:
    sql = str(data.get("sql") or "").strip()
    errors: dict[str, str] = {}
    if not sql:
        errors["sql"] = "Write a SELECT statement."
    elif len(sql) > MAX_SQL_CHARS:
        errors["sql"] = f"The statement is too long: at most {MAX_SQL_CHARS:,} characters."
    chart = str(data.get("chart") or "line")
    if chart not in CHART_TYPES:
        errors["chart"] = "Pick a line or a bar chart."
    if errors:
        raise Invalid(fields=errors)
    y = data.get("y") or []
    if isinstance(y, str):
        y = [v for v in (s.strip() for s in y.split(",")) if v]
    return Params(sql=sql, x=str(data.get("x") or "").strip(), y=list(y), chart=chart)


def run(src, params: Params, limits: Limits | None = None) -> dict[str, Any]:
    result = execute(src, params.sql, limits)
    x, y = axes(result, params.x, params.y)
    return result.as_dict() | {"x": x, "y": y, "chart": params.chart}


def axes(result: SqlResult, x: str, y: list[str]) -> tuple[str, list[str]]:
    """The x column and y columns to draw: the ones asked for when they exist (y must be
    numeric), else the first column across and the first numeric other column up."""
    numeric = result.numeric_columns()
    if x not in result.columns:
        x = result.columns[0] if result.columns else ""
    ys = [c for c in y if c in numeric and c != x]
    if not ys:
        ys = [c for c in numeric if c != x][:1]
    return x, ys


def figure(result: Mapping[str, Any]) -> dict[str, Any]:
    """A Plotly figure of the result's y columns against its x column (empty data when
    nothing numeric can be drawn)."""
    columns = list(result["columns"])
    x, ys = result.get("x", ""), result.get("y", [])
    data = []
    if x in columns:
        xi = columns.index(x)
        xs = [row[xi] for row in result["rows"]]
        for name in ys:
            yi = columns.index(name)
            trace: dict[str, Any] = {"x": xs, "y": [row[yi] for row in result["rows"]]}
            trace["name"] = name
            if result.get("chart") == "bar":
                trace["type"] = "bar"
            else:
                trace |= {"type": "scatter", "mode": "lines+markers"}
            data.append(trace)
    return {
        "data": data,
        "layout": {
            "xaxis": {"title": {"text": x}, "automargin": True},
            "yaxis": {"title": {"text": ", ".join(ys)}, "automargin": True, "rangemode": "tozero"},
            "margin": {"t": 24, "r": 16},
            "showlegend": len(ys) > 1,
            "barmode": "group",
        },
        "config": {"displayModeBar": False},
    }
