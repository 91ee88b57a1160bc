"""The scale engine: events in ClickHouse, through clickhouse-connect (`clickhouse://`) or
chDB in-process (`chdb://PATH`, for tests and single-process use).

The compactor still owns the spool, the uuid check and the person logic (compactor.py,
persons.py); this engine is only where a tick's batch goes and where queries read:

    lodestar_events     MergeTree ordered by (workspace, product, event, distinct_id,
                        timestamp); timestamps DateTime64(6, 'UTC'); properties JSON text
    lodestar_persons    the workspace's persons file, mirrored whole with a version per copy
    lodestar_overrides  the same for the distinct-id overrides

Queries never name those tables. `ClickHouseSource.query` wraps the SQL in CTEs `events`,
`persons` and `companies` holding one workspace's rows (and `additional_table_filters` pins
the workspace on every read of the tables as well), so a query sees one workspace only.
The SQL console's queries (sandbox) are checked with ClickHouse's own parser first: a SELECT
over those three names only, no table functions, no file() and no SETTINGS; then they run
with readonly=1, a time limit and a row limit. docs/measure-engines.md.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pyarrow as pa

from lodestar.analytics.queries.base import ClickHouseDialect, Result
from lodestar.analytics.store.clickhouse_clients import _ChdbClient, _ConnectClient
from lodestar.analytics.store.layout import Layout, Manifest
from lodestar.core.errors import Invalid

EVENTS = "lodestar_events"
PERSONS = "lodestar_persons"
OVERRIDES = "lodestar_overrides"

# Limits for the SQL console (sandbox=True).
SANDBOX_SECONDS = 30
SANDBOX_ROWS = 100_000
# A batch up to this size checks its uuids by value; a larger one (a bulk load) fetches the
# stored uuids of its time range instead.
UUID_LIST_MAX = 20_000
# Old person/override copies are deleted once a newer one has been there this long.
OLD_COPY_GRACE = 120.0

TS = "DateTime64(6, 'UTC')"
SCHEMA = (
    f"""
CREATE TABLE IF NOT EXISTS {{db}}.{EVENTS} (
    workspace UInt64,
    product LowCardinality(String),
    uuid String CODEC(ZSTD(3)),
    event LowCardinality(String),
    distinct_id String CODEC(ZSTD(3)),
    timestamp {TS} CODEC(Delta, ZSTD(3)),
    properties String CODEC(ZSTD(3)),
    url Nullable(String) CODEC(ZSTD(3)),
    session_id Nullable(String) CODEC(ZSTD(3)),
    received_at {TS} CODEC(Delta, ZSTD(3)),
    INDEX uuid_idx uuid TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (workspace, product, event, distinct_id, timestamp)
SETTINGS non_replicated_deduplication_window = 1000
""",
    f"""
CREATE TABLE IF NOT EXISTS {{db}}.{PERSONS} (
    workspace UInt64,
    version UInt64,
    person_id String,
    properties String,
    company_key Nullable(String),
    created_at Nullable({TS}),
    updated_at Nullable({TS})
) ENGINE = MergeTree ORDER BY (workspace, version, person_id)
""",
    f"""
CREATE TABLE IF NOT EXISTS {{db}}.{OVERRIDES} (
    workspace UInt64,
    version UInt64,
    distinct_id String,
    person_id String
) ENGINE = MergeTree ORDER BY (workspace, version, distinct_id)
""",
)

COMPANY_TYPES = {
    "key": "Nullable(String)",
    "name": "Nullable(String)",
    "external_id": "Nullable(String)",
    "domain": "Nullable(String)",
    "arr": "Nullable(Float64)",
    "plan": "Nullable(String)",
    "segment": "Nullable(String)",
}

# Every query runs with these, so results match DuckDB's: NULL (not '' or 0) from an outer
# join's missing side and from sum/avg/min/max over no rows; UTC for untyped conversions.
PARITY_SETTINGS = {
    "join_use_nulls": 1,
    "aggregate_functions_null_for_empty": 1,
    "session_timezone": "'UTC'",
}


# -- the engine ---------------------------------------------------------------------------


class ClickHouseEngine:
    dialect = "clickhouse"

    def __init__(self, client, layout: Layout | None = None) -> None:
        self.client = client
        self.layout = layout or Layout()
        self.db = client.database
        self._ready = False
        # workspace -> version of its newest person copy, whose older copies go later
        self._pending_cleanup: dict[int, int] = {}

    @classmethod
    def from_url(cls, url: str, layout: Layout | None = None) -> ClickHouseEngine:
        client = _ChdbClient(url) if url.startswith("chdb://") else _ConnectClient(url)
        return cls(client, layout)

    def ensure_schema(self) -> None:
        if self._ready:
            return
        self.client.command(f"CREATE DATABASE IF NOT EXISTS {self.db}")
        for statement in SCHEMA:
            self.client.command(statement.format(db=self.db))
        self._ready = True

    def table(self, name: str) -> str:
        return f"{self.db}.{name}"

    # -- write side (called by the compactor, under its lock) --------------------------

    def drop_stored_repeats(self, con, layout: Layout, manifest: Manifest, ws: int) -> None:
        self.ensure_schema()
        d = ClickHouseDialect()
        count, lo, hi = con.execute(
            "SELECT count(*), min(timestamp), max(timestamp) FROM batch"
        ).fetchall()[0]
        if not count:
            return
        where = f"workspace = {int(ws)} AND timestamp BETWEEN {d.literal(lo)} AND {d.literal(hi)}"
        if count <= UUID_LIST_MAX:
            uuids = [u for (u,) in con.execute("SELECT uuid FROM batch").fetchall()]
            where += f" AND uuid IN {d.literal(uuids)}"
        stored = self.client.arrow(f"SELECT DISTINCT uuid FROM {self.table(EVENTS)} WHERE {where}")
        if stored.num_rows:
            con.register("stored_uuids", stored)
            con.execute("DELETE FROM batch WHERE uuid IN (SELECT uuid FROM stored_uuids)")
            con.unregister("stored_uuids")

    def store_batch(self, con, layout: Layout, manifest: Manifest, ws: int) -> None:
        self.ensure_schema()
        data = con.sql(
            f"""
            SELECT {int(ws)}::UBIGINT AS workspace, product, uuid, event, distinct_id,
                   timestamp, properties, url, session_id, received_at
            FROM batch ORDER BY product, event, distinct_id, timestamp
            """
        ).to_arrow_table()
        self.client.insert(EVENTS, _utc(data))

    def persons_changed(self, con, layout: Layout, manifest: Manifest, ws: int) -> None:
        """persons.py rewrote the workspace's persons and overrides files: copy both in,
        under a new version; readers take the newest version, so the switch is atomic."""
        self.ensure_schema()
        files = manifest.workspace(ws)
        directory = layout.workspace_dir(ws)
        version = time.time_ns()  # not manifest.seq: a crashed tick reuses its numbers
        for table, name, columns in (
            (PERSONS, files.persons, "person_id, properties, company_key, created_at, updated_at"),
            (OVERRIDES, files.overrides, "distinct_id, person_id"),
        ):
            if not name:
                continue
            data = con.sql(
                f"SELECT {int(ws)}::UBIGINT AS workspace, {version}::UBIGINT AS version, "
                f"{columns} FROM read_parquet($path)",
                params={"path": str(directory / name)},
            ).to_arrow_table()
            self.client.insert(table, _utc(data))
            self._pending_cleanup[ws] = version

    def after_tick(self, layout: Layout, manifest: Manifest) -> None:
        now = time.time()
        due = [(p, t) for p, t in manifest.retired if now - t > OLD_COPY_GRACE]
        if due:
            manifest.retired = [(p, t) for p, t in manifest.retired if now - t <= OLD_COPY_GRACE]
            layout.write_manifest(manifest)
            for path, _ in due:
                (layout.root / path).unlink(missing_ok=True)
        # Older person copies stay while a query may still be reading them.
        for ws, version in list(self._pending_cleanup.items()):
            if now - version / 1e9 > OLD_COPY_GRACE:
                for table in (PERSONS, OVERRIDES):
                    self.client.command(
                        f"DELETE FROM {self.table(table)} "
                        f"WHERE workspace = {int(ws)} AND version < {int(version)}"
                    )
                del self._pending_cleanup[ws]

    # -- read side ----------------------------------------------------------------------

    def source(self, workspace_id: int, companies, tz: str, *, sandbox: bool = False):
        self.ensure_schema()
        return ClickHouseSource(self, workspace_id, companies or [], tz, sandbox=sandbox)

    def connect(self, workspace_id: int, *, companies=None, sandbox: bool = False):
        """What store.reader() returns: a Source (`.query(sql)`), since ClickHouse has no
        per-request connection to hand out."""
        from django.utils import timezone

        return self.source(
            workspace_id, companies or [], timezone.get_default_timezone_name(), sandbox=sandbox
        )


def _utc(table: pa.Table) -> pa.Table:
    """Naive timestamps from DuckDB are UTC: say so, so no server time zone applies."""
    fields = []
    for f in table.schema:
        if pa.types.is_timestamp(f.type) and f.type.tz is None:
            f = f.with_type(pa.timestamp("us", tz="UTC"))
        fields.append(f)
    return table.cast(pa.schema(fields))


# -- the source: one workspace's relations, per query -------------------------------------


@dataclass
class ClickHouseSource:
    engine: ClickHouseEngine
    workspace_id: int
    companies: list[dict]
    tz: str
    sandbox: bool = False
    max_seconds: int = SANDBOX_SECONDS
    max_rows: int = SANDBOX_ROWS
    overflow: str = "throw"  # past max_rows: "throw" an error, or "break" and return those

    dialect = ClickHouseDialect()

    def relations(self) -> str:
        """The CTEs `companies`, `events`, `persons` for this workspace."""
        ws = int(self.workspace_id)
        e, p, o = (self.engine.table(t) for t in (EVENTS, PERSONS, OVERRIDES))
        newest = "version = (SELECT max(version) FROM {t} WHERE workspace = {ws})"
        return f"""companies AS ({_companies_sql(self.dialect, self.companies)}),
person_overrides AS (
    SELECT distinct_id, person_id FROM {o}
    WHERE workspace = {ws} AND {newest.format(t=o, ws=ws)}),
events AS (
    SELECT e.uuid AS uuid, e.event AS event, e.distinct_id AS distinct_id,
           e.timestamp AS timestamp, e.properties AS properties, e.product AS product,
           e.url AS url, e.session_id AS session_id,
           coalesce(ov.person_id, e.distinct_id) AS person_id
    FROM {e} AS e LEFT JOIN person_overrides AS ov ON ov.distinct_id = e.distinct_id
    WHERE e.workspace = {ws}),
persons AS (
    SELECT pr.person_id AS person_id, pr.properties AS properties,
           pr.created_at AS created_at, pr.updated_at AS updated_at,
           c.key AS company_key, c.name AS company, c.arr AS company_arr,
           c.plan AS company_plan, c.segment AS company_segment
    FROM (SELECT * FROM {p} WHERE workspace = {ws} AND {newest.format(t=p, ws=ws)}) AS pr
    LEFT JOIN companies AS c
      ON pr.company_key = c.external_id OR pr.company_key = c.domain
         OR pr.company_key = c.key)"""

    def settings(self) -> str:
        ws = int(self.workspace_id)
        filters = ", ".join(
            f"'{self.engine.table(t)}': 'workspace = {ws}'" for t in (EVENTS, PERSONS, OVERRIDES)
        )
        values: dict[str, Any] = {
            **PARITY_SETTINGS,
            "additional_table_filters": "{" + filters + "}",
        }
        if self.sandbox:
            values.update(
                readonly=1,
                max_execution_time=int(self.max_seconds),
                max_result_rows=int(self.max_rows),
                result_overflow_mode=f"'{self.overflow}'",
            )
        return ", ".join(f"{k} = {v}" for k, v in values.items())

    def sql(self, sql: str) -> str:
        """The statement actually sent for `sql`."""
        body = sql.strip().rstrip(";").strip()
        if self.sandbox:
            check_sandboxed(self.engine, body)
        return f"WITH {self.relations()}\nSELECT * FROM (\n{body}\n)\nSETTINGS {self.settings()}"

    def query(self, sql: str) -> Result:
        table = self.engine.client.arrow(self.sql(sql))
        columns = [_naive(c.to_pylist()) for c in table.columns]
        return Result(list(table.column_names), list(zip(*columns, strict=True)))

    def arrow(self, sql: str) -> pa.Table:
        return self.engine.client.arrow(self.sql(sql))

    def run_console(self, sql: str, limits):
        """The SQL console on ClickHouse (queries/sql.py calls this instead of its DuckDB
        path): the sandbox check, then readonly=1, max_execution_time and max_result_rows.
        Raises SqlError with ClickHouse's message for anything refused or failed."""
        from lodestar.analytics.queries.sql import MAX_SQL_CHARS, SqlError, SqlResult

        if len(sql) > MAX_SQL_CHARS:
            raise SqlError(f"A statement has at most {MAX_SQL_CHARS:,} characters.")
        console = replace(
            self,
            sandbox=True,
            max_seconds=max(1, math.ceil(limits.seconds)),
            max_rows=limits.rows + 1,  # one more tells that the result was cut
            overflow="break",
        )
        started = time.monotonic()
        try:
            result = console.query(sql)
        except Invalid as exc:
            raise SqlError(exc.message) from None
        except Exception as exc:  # chDB and clickhouse-connect raise their own kinds
            if "TIMEOUT_EXCEEDED" in str(exc) or "Timeout exceeded" in str(exc):
                raise SqlError(
                    f"The statement ran longer than {limits.seconds:g} s and was stopped: "
                    "filter on timestamp, aggregate, or add a LIMIT."
                ) from None
            raise SqlError(_clean(exc)) from None
        rows = result.rows
        return SqlResult(
            result.columns,
            rows[: limits.rows],
            len(rows) > limits.rows,
            time.monotonic() - started,
        )

    def execute(self, sql: str):
        """DuckDB-connection lookalike for code that calls `.execute(sql).fetchall()`."""
        return _Cursor(self.query(sql))

    def close(self) -> None:
        """Nothing held between queries."""

    def __enter__(self) -> ClickHouseSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Cursor:
    def __init__(self, result: Result) -> None:
        self.result = result
        self.description = [(c,) for c in result.columns]

    def fetchall(self) -> list[tuple]:
        return self.result.rows

    def fetchone(self) -> tuple | None:
        return self.result.rows[0] if self.result.rows else None


def _naive(values: list) -> list:
    """ClickHouse hands back time-zone-aware datetimes; DuckDB's TIMESTAMP is naive. The wall
    time is the same in both (dialect.local keeps values as UTC-typed wall time)."""
    return [
        v.replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo is not None else v
        for v in values
    ]


def _companies_sql(d: ClickHouseDialect, companies: list[dict]) -> str:
    columns = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in COMPANY_TYPES.items())
    if not companies:
        return f"SELECT {columns} WHERE 0"
    structure = ", ".join(f"{c} {t}" for c, t in COMPANY_TYPES.items())
    rows = ", ".join(
        "(" + ", ".join(d.literal(row.get(c)) for c in COMPANY_TYPES) + ")" for row in companies
    )
    return f"SELECT * FROM values({d.string(structure)}, {rows})"


# -- the SQL console's check --------------------------------------------------------------

RELATIONS = {"events", "persons", "companies"}
FORBIDDEN_FUNCTIONS = {"file", "getsetting", "getmacro", "joinget", "joingetornull"}
FORBIDDEN_PREFIXES = ("dictget", "dicthas", "dictisin")
_FORBIDDEN_DATABASES = {"system", "information_schema"}


def check_sandboxed(engine: ClickHouseEngine, sql: str) -> None:
    """Refuse what readonly=1 alone lets through, using ClickHouse's parser (EXPLAIN AST):
    only a SELECT; no table functions (file(), url(), s3(), remote()...) nor file(); no
    table but `events`, `persons`, `companies` and the query's own CTEs (no database
    prefix, none of Lodestar's tables); no SETTINGS clause."""
    try:
        ast = engine.client.arrow(f"EXPLAIN AST {sql}").column(0).to_pylist()
    except Exception as exc:
        raise Invalid(f"SQL error: {_clean(exc)}") from exc
    if not ast or not ast[0].startswith(("SelectWithUnionQuery", "SelectIntersectExceptQuery")):
        raise Invalid("Only SELECT queries can run here.")
    previous = ""
    for line in ast:
        node = line.strip()
        kind, _, rest = node.partition(" ")
        name = rest.split(" ")[0]
        if kind == "Function" and previous == "TableExpression":
            raise Invalid(f"Table functions such as {name}() are not allowed here.")
        if kind == "Function" and (
            name.lower() in FORBIDDEN_FUNCTIONS or name.lower().startswith(FORBIDDEN_PREFIXES)
        ):
            raise Invalid(f"The function {name}() is not allowed here.")
        if kind in ("TableIdentifier", "Identifier") and _foreign(name, kind):
            raise Invalid(f"Only events, persons and companies can be read, not {name}.")
        if kind == "Set":
            raise Invalid("SETTINGS cannot be changed here.")
        previous = kind


def _foreign(name: str, kind: str) -> bool:
    lowered = name.lower()
    head = lowered.split(".")[0]
    if head.startswith("lodestar_") or head in _FORBIDDEN_DATABASES:
        return True
    # A table with a database prefix; a column may be written `alias.column`.
    return kind == "TableIdentifier" and "." in name


def _clean(exc: Exception) -> str:
    text = str(exc).strip()
    text = re.sub(r"^Code: \d+\. DB::Exception: (\w+: )?", "", text)
    return text.split(". (")[0].split("\n")[0][:500]


def describe_error(exc: Exception) -> str:
    """A ClickHouse error as one readable line (for the SQL console)."""
    return _clean(exc)
