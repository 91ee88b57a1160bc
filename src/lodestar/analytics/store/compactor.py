"""Move the spool into the event store, once a second, in whichever process holds the lock.

Every `lodestar serve` worker runs a ticker thread (`start_ticker`); at each tick it tries a
non-blocking `flock` on `compactor.lock`, so exactly one process compacts at a time and
another takes over as soon as that one dies. All state is in files (the manifest), so no
process is special. A tick:

1. reads every spool segment from its consumed offset up to its last complete line;
2. parses those lines with DuckDB's `read_json` into the in-memory table `incoming`;
3. per workspace: drops repeated uuids (in the batch, and against stored events in the
   batch's time range), hands the batch to the engine (a sorted zstd Parquet file for
   DuckDB, an INSERT for ClickHouse), and applies identify / alias / $set / $groups to the
   persons (persons.py);
4. commits by replacing the manifest (new files + spool offsets in one atomic rename);
5. deletes spool segments that are fully read and no longer open, merges small files, and
   deletes retired files after a grace period.

A crash anywhere before step 4 leaves the manifest as it was: the next tick reads the same
lines again, and the uuid check drops any it had already stored.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lodestar.analytics.events import COMPANY_GROUP, SPOOL_COLUMNS
from lodestar.analytics.store import persons
from lodestar.analytics.store.layout import Layout, Manifest
from lodestar.analytics.store.spool import segment_in_use

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
# At most this much spool per tick, so a backlog never needs its whole size in memory at once
# (far above one line: a request body, and so any line, is at most a few MB).
MAX_TICK_BYTES = 256 * 1024 * 1024
RETIRED_GRACE_SECONDS = 120.0


@dataclass
class TickResult:
    events: int = 0  # stored (after dropping repeats)
    repeats: int = 0  # dropped as already stored
    workspaces: int = 0


@contextmanager
def _exclusive(path: Path, *, wait: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def compact(engine, layout: Layout | None = None, *, wait: bool = False) -> TickResult | None:
    """One tick. Returns None when another process holds the lock (and `wait` is false)."""
    layout = layout or engine.layout
    layout.ensure()
    with _exclusive(layout.lock_path, wait=wait) as held:
        if not held:
            return None
        manifest = layout.read_manifest()
        result = _tick(engine, layout, manifest)
        engine.after_tick(layout, manifest)
        return result


_kept = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    """This thread's DuckDB connection for ticks, kept between them: a new in-memory database
    per tick paid for its setup and for fresh memory (page faults) every second, about a
    fifth of a tick's CPU. Never shared with a forked child."""
    if getattr(_kept, "pid", None) != os.getpid():
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET threads = 1")  # small batches: threads cost more than they save
        _kept.con, _kept.pid = con, os.getpid()
    return _kept.con


def _forget_connection() -> None:
    if getattr(_kept, "pid", None) == os.getpid():
        _kept.con.close()
    _kept.pid = None


def _tick(engine, layout: Layout, manifest: Manifest) -> TickResult:
    tick_file = layout.tmp / f"tick-{os.getpid()}.ndjson"
    finished: list[Path] = []
    offsets = dict(manifest.spool)
    budget = MAX_TICK_BYTES
    with open(tick_file, "wb") as out:
        for segment in sorted(layout.spool.glob("*.ndjson")):
            if budget <= 0:
                break  # a backlog (after downtime) is taken a bounded bite per tick
            in_use = segment_in_use(segment)  # checked before reading: if free, it is final
            start = offsets.get(segment.name, 0)
            with open(segment, "rb") as f:
                f.seek(start)
                data = f.read(budget)
                at_end = not f.read(1)
            zero = data.find(b"\0")
            if zero >= 0:  # the zeros ahead of the writer's data (store/spool.py)
                data, at_end = data[:zero], True
            cut = data.rfind(b"\n") + 1
            if cut:
                out.write(data[:cut])
                offsets[segment.name] = start + cut
                budget -= cut
            if not in_use and at_end:
                # A writer that died mid-line left an unacknowledged tail: it is dropped.
                finished.append(segment)
    result = TickResult()
    if tick_file.stat().st_size:
        con = _connection()
        try:
            _load_incoming(con, tick_file)
            for (workspace_id,) in con.execute("SELECT DISTINCT w FROM incoming").fetchall():
                stored, repeats = _store_workspace(con, engine, layout, manifest, workspace_id)
                result.events += stored
                result.repeats += repeats
                result.workspaces += 1
        except BaseException:
            _forget_connection()  # whatever the tick left behind goes with it
            raise
        con.execute("DROP TABLE incoming")
        con.execute("DROP TABLE IF EXISTS batch")
    tick_file.unlink(missing_ok=True)
    for segment in finished:
        offsets.pop(segment.name, None)
    manifest.spool = offsets
    layout.write_manifest(manifest)
    for segment in finished:
        segment.unlink(missing_ok=True)
    return result


# Does the event set person properties? (`ps`, when capture took it out.) LIKE first: a plain
# substring test, so only candidate rows are parsed as JSON.
SETS = """(properties LIKE '%"$set%' AND (json_exists(properties, '$."$set"')
                                       OR json_exists(properties, '$."$set_once"')))"""


def _extract(*path: str, source: str = "properties") -> str:
    """SQL for a property's value as text (lines written before capture took it out, events
    whose value is not text, and bulk loads)."""
    return f"json_extract_string({source}, '$." + ".".join(f'"{p}"' for p in path) + "')"


def _load_incoming(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in SPOOL_COLUMNS.items()) + "}"
    con.execute(
        f"""
        CREATE TEMP TABLE incoming AS
        SELECT w, p AS product, uuid, event, distinct_id,
               make_timestamp(ts) AS timestamp,
               properties::VARCHAR AS properties,
               CASE WHEN pre THEN url ELSE {_extract("$current_url")} END AS url,
               CASE WHEN pre THEN sid ELSE {_extract("$session_id")} END AS session_id,
               make_timestamp(received) AS received_at,
               CASE WHEN pre THEN co ELSE {_extract("$groups", COMPANY_GROUP)} END AS company,
               CASE WHEN pre THEN coalesce(ps, false) ELSE {SETS} END AS sets
        FROM read_json(?, format = 'newline_delimited', columns = {columns})
        """,
        [str(path)],
    )


def _store_workspace(con, engine, layout: Layout, manifest: Manifest, workspace_id: int):
    con.execute("DROP TABLE IF EXISTS batch")
    ((total, unique),) = con.execute(
        "SELECT count(*), count(DISTINCT uuid) FROM incoming WHERE w = ?", [workspace_id]
    ).fetchall()
    # A uuid sent twice within one tick keeps its first arrival (the window costs a sort, so
    # only when there is one).
    first_only = (
        "QUALIFY row_number() OVER (PARTITION BY uuid ORDER BY received_at) = 1"
        if unique < total
        else ""
    )
    con.execute(
        f"""
        CREATE TEMP TABLE batch AS
        SELECT uuid, event, distinct_id, timestamp, properties, product, url, session_id,
               received_at, company, sets
        FROM incoming WHERE w = ?
        {first_only}
        """,
        [workspace_id],
    )
    layout.workspace_dir(workspace_id).mkdir(parents=True, exist_ok=True)
    engine.drop_stored_repeats(con, layout, manifest, workspace_id)
    ((stored,),) = con.execute("SELECT count(*) FROM batch").fetchall()
    if stored:
        engine.store_batch(con, layout, manifest, workspace_id)
        persons.apply(con, engine, layout, manifest, workspace_id)
    return stored, total - stored


def load(engine, workspace_id: int, con: duckdb.DuckDBPyConnection, relation: str) -> TickResult:
    """Store a bulk of events straight into the store (imports, generated data), under the
    compactor's lock, with the same uuid check and person handling as a tick. `relation` is
    a SELECT (or table name) in `con` with the columns product, uuid, event, distinct_id,
    timestamp (TIMESTAMP, UTC), properties (JSON text), url, session_id, received_at."""
    layout = engine.layout
    layout.ensure()
    with _exclusive(layout.lock_path, wait=True):
        manifest = layout.read_manifest()
        con.execute("DROP TABLE IF EXISTS incoming")
        con.execute(
            f"CREATE TEMP TABLE incoming AS SELECT {int(workspace_id)}::UBIGINT AS w, "
            "product, uuid, event, distinct_id, timestamp, properties, url, session_id, "
            f"received_at, {_extract('$groups', COMPANY_GROUP)} AS company, {SETS} AS sets "
            f"FROM ({relation})"
        )
        stored, repeats = _store_workspace(con, engine, layout, manifest, workspace_id)
        con.execute("DROP TABLE incoming")
        layout.write_manifest(manifest)
        engine.after_tick(layout, manifest)
        return TickResult(events=stored, repeats=repeats, workspaces=1)


def drop_workspace(engine, workspace_id: int) -> None:
    """Forget a deleted workspace's events: out of the manifest now, files after the grace."""
    layout = engine.layout
    layout.ensure()
    with _exclusive(layout.lock_path, wait=True):
        manifest = layout.read_manifest()
        files = manifest.workspaces.pop(workspace_id, None)
        if files is None:
            return
        import time

        now = time.time()
        names = [f.name for f in files.files] + [n for n in (files.persons, files.overrides) if n]
        manifest.retired += [(f"ws-{workspace_id}/{n}", now) for n in names]
        layout.write_manifest(manifest)
        engine.workspace_dropped(workspace_id)


class Ticker:
    """A daemon thread per process that runs `compact` every TICK_SECONDS (and the scheduled
    work that is due)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def start(self) -> None:
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        self._pid = os.getpid()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lodestar-compactor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        # The worker's other scheduled work rides on the same thread (each throttles itself
        # and never raises): key-result metrics, and the delivery jobs (forecasts, budgets,
        # risk review reminders).
        from lodestar.analytics.metrics import tick as refresh_metrics
        from lodestar.delivery.jobs import tick as delivery_jobs

        while not self._stop.wait(TICK_SECONDS):
            try:
                compact(self.engine)
            except Exception:  # a bad tick must not kill the thread; the next one retries
                log.exception("event compaction failed")
            refresh_metrics()
            delivery_jobs()
