"""The default engine: each workspace's events as sorted, zstd-compressed Parquet files, read
with an in-memory DuckDB connection per query.

Why files and not one DuckDB database: a DuckDB database file can be opened by one process
only (a second gets "Could not set lock", even read-only), and `lodestar serve` runs several
workers. Parquet files take no lock, so every worker reads them while the compactor (in
whichever worker holds its flock) writes new ones. docs/decisions.md, "Event store".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from lodestar.analytics.events import COLUMNS
from lodestar.analytics.store.layout import (
    FileEntry,
    Layout,
    Manifest,
    WorkspaceFiles,
    fsync_file,
)
from lodestar.analytics.store.persons import OVERRIDES_SCHEMA, PERSONS_SCHEMA

# Files smaller than this are merged once there are MERGE_AT of them.
SMALL_FILE_ROWS = 2_000_000
MERGE_AT = 16
SORT = "event, distinct_id, timestamp"
PARQUET = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880"


def _empty(columns: dict[str, str]) -> str:
    return "SELECT " + ", ".join(f"NULL::{t} AS {c}" for c, t in columns.items()) + " WHERE false"


def _files_sql(paths: Sequence[Path], columns: dict[str, str]) -> str:
    if not paths:
        return _empty(columns)
    listed = ", ".join(f"'{p}'" for p in paths)
    return f"SELECT * FROM read_parquet([{listed}])"


def _arrow_columns(schema) -> dict[str, str]:
    names = {"string": "VARCHAR", "timestamp[us]": "TIMESTAMP"}
    return {f.name: names[str(f.type)] for f in schema}


class DuckEngine:
    dialect = "duckdb"

    def __init__(self, layout: Layout | None = None) -> None:
        self.layout = layout or Layout()

    # -- write side (called by the compactor, under its lock) --------------------------

    def drop_stored_repeats(self, con, layout: Layout, manifest: Manifest, ws: int) -> None:
        lo, hi = con.execute("SELECT min(timestamp), max(timestamp) FROM batch").fetchall()[0]
        lo_us, hi_us = _micros(lo), _micros(hi)
        files = manifest.workspace(ws)
        overlapping = [
            layout.workspace_dir(ws) / f.name
            for f in files.files
            if f.max_ts >= lo_us and f.min_ts <= hi_us
        ]
        if not overlapping:
            return
        con.execute(
            f"""
            DELETE FROM batch WHERE uuid IN (
                SELECT uuid FROM ({_files_sql(overlapping, COLUMNS)})
                WHERE timestamp BETWEEN ? AND ?)
            """,
            [lo, hi],
        )

    def store_batch(self, con, layout: Layout, manifest: Manifest, ws: int) -> None:
        name = manifest.next_name("t")
        path = layout.workspace_dir(ws) / name
        # Unsorted: sorting was most of a tick's write, and a tick's file is small (one row
        # group) and soon merged into a sorted one. The batch has working columns besides.
        stored = ", ".join(COLUMNS)
        con.execute(f"COPY (SELECT {stored} FROM batch) TO '{path}' ({PARQUET})")
        fsync_file(path)
        rows, lo, hi = con.execute(
            "SELECT count(*), min(timestamp), max(timestamp) FROM batch"
        ).fetchall()[0]
        manifest.workspace(ws).files.append(FileEntry(name, rows, _micros(lo), _micros(hi)))

    def persons_changed(self, con, layout: Layout, manifest: Manifest, ws: int) -> None:
        """The persons files were rewritten; nothing else to do for Parquet."""

    def workspace_dropped(self, workspace_id: int) -> None:
        """Its files were retired from the manifest; nothing else holds its events."""

    def after_tick(self, layout: Layout, manifest: Manifest) -> None:
        changed = False
        for ws, files in manifest.workspaces.items():
            small = [f for f in files.files if f.rows < SMALL_FILE_ROWS]
            if len(small) >= MERGE_AT:
                self._merge(layout, manifest, ws, files, small)
                changed = True
        now = time.time()
        due = [(p, t) for p, t in manifest.retired if now - t > RETIRED_GRACE]
        if changed or due:
            manifest.retired = [(p, t) for p, t in manifest.retired if now - t <= RETIRED_GRACE]
            layout.write_manifest(manifest)
            for path, _ in due:
                (layout.root / path).unlink(missing_ok=True)

    def _merge(self, layout, manifest, ws: int, files: WorkspaceFiles, small: list[FileEntry]):
        directory = layout.workspace_dir(ws)
        name = manifest.next_name("m")
        con = duckdb.connect()
        try:
            source = _files_sql([directory / f.name for f in small], COLUMNS)
            con.execute(f"COPY ({source} ORDER BY {SORT}) TO '{directory / name}' ({PARQUET})")
        finally:
            con.close()
        fsync_file(directory / name)
        merged = FileEntry(
            name,
            sum(f.rows for f in small),
            min(f.min_ts for f in small),
            max(f.max_ts for f in small),
        )
        gone = {f.name for f in small}
        files.files = [f for f in files.files if f.name not in gone] + [merged]
        manifest.retired += [(f"ws-{ws}/{n}", time.time()) for n in sorted(gone)]

    # -- read side ----------------------------------------------------------------------

    def connect(self, workspace_id: int, *, companies=None, sandbox: bool = False):
        """An in-memory DuckDB connection with the views `events`, `persons`, `companies`
        over this workspace's current files. `sandbox` (the SQL console) then forbids any
        file access outside the workspace's directory and any change of that setting."""
        manifest = self.layout.read_manifest()
        files = manifest.workspaces.get(workspace_id, WorkspaceFiles())
        directory = self.layout.workspace_dir(workspace_id)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        event_files = [directory / f.name for f in files.files]
        con.execute(f"CREATE VIEW events_raw AS {_files_sql(event_files, COLUMNS)}")
        overrides = [directory / files.overrides] if files.overrides else []
        persons = [directory / files.persons] if files.persons else []
        con.execute(
            "CREATE VIEW person_overrides AS "
            + _files_sql(overrides, _arrow_columns(OVERRIDES_SCHEMA))
        )
        con.execute(
            "CREATE VIEW persons_raw AS " + _files_sql(persons, _arrow_columns(PERSONS_SCHEMA))
        )
        _companies(con, companies or [])
        con.execute(
            """
            CREATE VIEW events AS
            SELECT e.uuid, e.event, e.distinct_id, e.timestamp, e.properties, e.product,
                   e.url, e.session_id, coalesce(o.person_id, e.distinct_id) AS person_id
            FROM events_raw e LEFT JOIN person_overrides o USING (distinct_id)
            """
        )
        con.execute(
            """
            CREATE VIEW persons AS
            SELECT p.person_id, p.properties, p.created_at, p.updated_at,
                   c.key AS company_key, c.name AS company, c.arr AS company_arr,
                   c.plan AS company_plan, c.segment AS company_segment
            FROM persons_raw p
            LEFT JOIN company_refs r ON r.ref = p.company_key
            LEFT JOIN companies c ON c.key = r.key
            """
        )
        if sandbox:
            # The SQL console's memory cap: set before the configuration is locked.
            con.execute(f"SET memory_limit = '{SANDBOX_MEMORY_LIMIT}'")
            con.execute(f"SET allowed_directories = ['{directory}/']")
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        return con

    def source(self, workspace_id: int, companies, tz: str, *, sandbox: bool = False):
        from lodestar.analytics.queries.base import DuckSource

        return DuckSource(self.connect(workspace_id, companies=companies, sandbox=sandbox), tz)


RETIRED_GRACE = 120.0
SANDBOX_MEMORY_LIMIT = "2GB"  # per SQL console statement (analytics/queries/sql.py)
EPOCH = datetime(1970, 1, 1)


COMPANY_COLUMNS = {
    "key": "VARCHAR",
    "name": "VARCHAR",
    "external_id": "VARCHAR",
    "domain": "VARCHAR",
    "arr": "DOUBLE",
    "plan": "VARCHAR",
    "segment": "VARCHAR",
}


def _companies(con, companies: list[dict]) -> None:
    """The workspace's companies (from the relational database) as a table, so events and
    persons break down by company, plan, segment and ARR."""
    import pyarrow as pa

    table = pa.table(
        {c: [row.get(c) for row in companies] for c in COMPANY_COLUMNS},
        schema=pa.schema(
            [
                (c, pa.float64() if t == "DOUBLE" else pa.string())
                for c, t in COMPANY_COLUMNS.items()
            ]
        ),
    )
    con.register("companies_in", table)
    con.execute("CREATE TABLE companies AS SELECT * FROM companies_in")
    con.unregister("companies_in")
    # What a `$groups.company` value may name, in order: external id, domain, key. An equi-join
    # on this small table instead of `IN (three columns)`, which DuckDB runs as a nested loop.
    con.execute(
        """
        CREATE TABLE company_refs AS
        SELECT ref, arg_min(key, rank) AS key FROM (
            SELECT external_id AS ref, key, 1 AS rank FROM companies WHERE external_id IS NOT NULL
            UNION ALL SELECT domain, key, 2 FROM companies WHERE domain IS NOT NULL
            UNION ALL SELECT key, key, 3 FROM companies
        ) GROUP BY ref
        """
    )


def _micros(value) -> int:
    if value is None:
        return 0
    return (value.replace(tzinfo=None) - EPOCH) // timedelta(microseconds=1)
