"""Funnel, retention and storage on 10 million events of 1 million persons, each beside a floor
measured in the same run.

    .venv/bin/python benchmarks/analytics.py [--events 10000000] [--persons 1000000] [--repeats 5]

Data (numpy, seed 7; cached between runs under $TMPDIR/lodestar-bench-analytics/, since
generating and storing takes ~40 s): each person gets ~10 events, hours apart, starting on a
random day of 60; a third are `$pageview` or `clicked_button`, the rest move the person
along `visited_pricing -> signed_up -> created_project -> invited_teammate -> upgraded_plan`
(a person's k-th such event is roughly step k/2, so some skip, repeat or go back). Stored
through the store's bulk path (`compactor.load`, as `store.load_events` does: uuid check,
sorted zstd Parquet, persons), not by writing Parquet by hand. No identify, so a person's id
is their distinct id, which lets chDB read the same files without the person overrides.

Measures (each in a forked process: the median of `--repeats` after one warm-up, and the
process's peak RSS above its RSS at the start; DuckDB's memory is outside Python's heap):

- scan (the floor): `SELECT person_id, min(timestamp) FROM events GROUP BY person_id` on the
  same DuckDB engine and views, fetched to numpy;
- funnel: `queries.funnels.run`, 5 steps, 14-day window, all time. Goal <= 3x the scan;
- chDB windowFunnel: ClickHouse's `windowFunnel(14 days)` over the same Parquet files,
  persons per level. Goal: the funnel is faster. The counts are compared too;
- retention: `queries.retention.grid`, first-time cohorts of `signed_up`, 8 weekly cohorts of
  8 weeks. Goal <= 4x the scan;
- storage: bytes of the workspace's files per event, beside one Parquet file of the same
  columns and rows, sorted the same way, written by pyarrow with zstd. Goal <= 1.5x.

Numbers go to the terminal and benchmarks/results/analytics.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "analytics.json"
WS = 1
SEED = 7
START = datetime(2026, 6, 1)
DAYS = 60
STEPS = ["visited_pricing", "signed_up", "created_project", "invited_teammate", "upgraded_plan"]
NAMES = ["$pageview", *STEPS, "clicked_button"]
WINDOW_DAYS = 14
SCAN_SQL = "SELECT person_id, min(timestamp) AS first_seen FROM events GROUP BY person_id"


def _generate(con, events: int, persons: int) -> None:
    """The table `synthetic` with the store's columns."""
    import pyarrow as pa

    rng = np.random.default_rng(SEED)
    person = np.sort(rng.integers(0, persons, events, dtype=np.int64))
    starts = np.r_[0, np.flatnonzero(np.diff(person)) + 1]
    lengths = np.diff(np.r_[starts, events])
    gap = rng.exponential(6 * 3600e6, events).astype(np.int64)  # hours apart
    gap[starts] = 0
    since_first = np.cumsum(gap)
    since_first -= np.repeat(since_first[starts], lengths)
    first_us = rng.integers(0, DAYS * 86_400_000_000, persons, dtype=np.int64)
    start_us = int((START - datetime(1970, 1, 1)) / timedelta(microseconds=1))
    ts = start_us + first_us[person] + since_first
    rank = np.arange(events) - np.repeat(starts, lengths)
    draw = rng.random(events)
    step = np.minimum(1 + rank // 2 + (rng.random(events) < 0.3), len(STEPS))
    kind = np.where(draw < 0.35, 0, np.where(draw < 0.45, len(NAMES) - 1, step)).astype(np.int8)
    con.register(
        "draws", pa.table({"i": np.arange(events), "person": person, "ts": ts, "kind": kind})
    )
    names = "[" + ", ".join(f"'{n}'" for n in NAMES) + "]"
    con.execute(
        f"""
        CREATE TABLE synthetic AS
        SELECT 'web' AS product, 'e' || i AS uuid, {names}[kind + 1] AS event,
               'p' || person AS distinct_id, make_timestamp(ts) AS timestamp,
               ['{{"$browser": "Chrome"}}', '{{"$browser": "Safari"}}',
                '{{"$browser": "Firefox"}}'][i % 3 + 1] AS properties,
               NULL::VARCHAR AS url, NULL::VARCHAR AS session_id,
               make_timestamp(ts) AS received_at
        FROM draws
        """
    )
    con.unregister("draws")


def _dataset(events: int, persons: int, console) -> tuple[Path, float | None]:
    """The stored events (generated once, then reused): the store's root and build seconds."""
    import duckdb

    from lodestar.analytics.store.compactor import load
    from lodestar.analytics.store.duck import DuckEngine
    from lodestar.analytics.store.layout import Layout

    cache = Path(tempfile.gettempdir()) / "lodestar-bench-analytics"
    root = cache / f"{events}-{persons}-seed{SEED}-v1"
    if (root / "done").exists():
        return root, None
    shutil.rmtree(root, ignore_errors=True)
    console.print(f"Generating {events:,} events of {persons:,} persons into {root} …")
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        _generate(con, events, persons)
        stored = load(DuckEngine(Layout(root)), WS, con, "SELECT * FROM synthetic").events
    finally:
        con.close()
    assert stored == events, (stored, events)
    (root / "done").write_text("ok\n")
    return root, time.perf_counter() - started


def _funnel_params():
    from lodestar.analytics.queries import funnels

    return funnels.parse({"steps": ",".join(STEPS), "window": f"{WINDOW_DAYS}d"})


def _chdb_sql(root: Path) -> str:
    files = root / f"ws-{WS}" / "*.parquet"
    conditions = ", ".join(f"event = '{s}'" for s in STEPS)
    listed = ", ".join(f"'{s}'" for s in STEPS)
    return f"""
    SELECT level, count() AS persons FROM (
        SELECT distinct_id,
               windowFunnel({WINDOW_DAYS * 86_400_000_000})(
                   toUInt64(toUnixTimestamp64Micro(timestamp)), {conditions}) AS level
        FROM file('{files}', Parquet)
        WHERE event IN ({listed})
        GROUP BY distinct_id)
    GROUP BY level ORDER BY level
    """


def _in_child(conn, root: str, what: str, repeats: int) -> None:
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    samples: list[float] = []
    answer = None
    if what == "chdb":
        import chdb

        sql = _chdb_sql(Path(root))
        for _ in range(repeats + 1):
            started = time.perf_counter()
            text = str(chdb.query(sql, "CSV"))
            samples.append((time.perf_counter() - started) * 1000)
        levels = dict(tuple(int(x) for x in line.split(",")) for line in text.split())
        # Persons who reached at least step k, as the funnel reports them.
        answer = [sum(n for lvl, n in levels.items() if lvl >= k) for k in range(1, 6)]
    else:
        from lodestar.analytics.queries import funnels, retention
        from lodestar.analytics.queries.base import DuckSource
        from lodestar.analytics.store.duck import DuckEngine
        from lodestar.analytics.store.layout import Layout

        engine = DuckEngine(Layout(Path(root)))
        last_day = (START + timedelta(days=DAYS + 14)).date()
        for _ in range(repeats + 1):
            with DuckSource(engine.connect(WS, companies=[]), "UTC") as src:
                started = time.perf_counter()
                if what == "scan":
                    answer = len(src.con.execute(SCAN_SQL).fetchnumpy()["person_id"])
                elif what == "funnel":
                    result = funnels.run(src, _funnel_params())
                    answer = [s["count"] for s in result["steps"]]
                else:
                    grid = retention.grid(src, start_event="signed_up", date_to=last_day)
                    answer = [row["size"] for row in grid["cohorts"]]
                samples.append((time.perf_counter() - started) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send(
        {
            "median_ms": round(statistics.median(samples[1:]), 1),
            "peak_mb": round((peak - start_rss) / 1024, 1),
            "answer": answer,
        }
    )
    conn.close()


def _measure_one(root: Path, what: str, repeats: int) -> dict:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_in_child, args=(child, str(root), what, repeats))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


def _storage(root: Path) -> dict:
    """The store's bytes per event beside pyarrow's zstd Parquet of the same rows."""
    import duckdb
    import pyarrow.parquet as pq

    from lodestar.analytics.events import COLUMNS
    from lodestar.analytics.store.duck import SORT
    from lodestar.analytics.store.layout import Layout

    directory = root / f"ws-{WS}"
    store_bytes = sum(p.stat().st_size for p in directory.glob("*.parquet"))
    files = Layout(root).read_manifest().workspaces[WS].files
    listed = ", ".join(f"'{directory / f.name}'" for f in files)
    con = duckdb.connect()
    try:
        table = con.sql(
            f"SELECT {', '.join(COLUMNS)} FROM read_parquet([{listed}]) ORDER BY {SORT}"
        ).to_arrow_table()
    finally:
        con.close()
    with tempfile.TemporaryDirectory(prefix="lodestar-bench-parquet-") as tmp:
        path = Path(tmp) / "events.parquet"
        pq.write_table(table, path, compression="zstd")
        plain = path.stat().st_size
    rows = table.num_rows
    return {
        "events": rows,
        "store_bytes": store_bytes,
        "store_bytes_per_event": round(store_bytes / rows, 2),
        "parquet_bytes": plain,
        "parquet_bytes_per_event": round(plain / rows, 2),
        "ratio": round(store_bytes / plain, 2),
    }


def measure(console, events: int = 10_000_000, persons: int = 1_000_000, repeats: int = 5):
    from rich.table import Table

    root, build_s = _dataset(events, persons, console)
    scan = _measure_one(root, "scan", repeats)
    funnel = _measure_one(root, "funnel", repeats)
    chdb_funnel = _measure_one(root, "chdb", repeats)
    retention = _measure_one(root, "retention", repeats)
    storage = _storage(root)
    rows = [
        ("scan: person, min(timestamp) (floor)", scan, "", None),
        ("funnel: 5 steps, 14 days", funnel, "<= 3x scan", 3.0),
        ("chDB windowFunnel, same files", chdb_funnel, "funnel faster", None),
        ("retention: 8x8 weekly", retention, "<= 4x scan", 4.0),
    ]
    table = Table(
        title=f"Analytics on {events:,} events of {persons:,} persons (median of {repeats})"
    )
    for column in ("measure", "median ms", "x scan", "goal", "peak MB above start"):
        table.add_column(column, justify="left" if column in ("measure", "goal") else "right")
    for name, m, goal, _ in rows:
        table.add_row(
            name,
            f"{m['median_ms']:,.0f}",
            f"{m['median_ms'] / scan['median_ms']:.2f}",
            goal,
            f"{m['peak_mb']:,.0f}",
        )
    console.print(table)
    funnel_ratio = funnel["median_ms"] / scan["median_ms"]
    retention_ratio = retention["median_ms"] / scan["median_ms"]
    vs_chdb = funnel["median_ms"] / chdb_funnel["median_ms"]
    same = funnel["answer"] == chdb_funnel["answer"]

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    console.print(
        f"Funnel {funnel_ratio:.2f}x the scan (goal <= 3x: {met(funnel_ratio <= 3)}); "
        f"{vs_chdb:.2f}x chDB's windowFunnel (goal < 1: {met(vs_chdb < 1)}); "
        f"persons per step {funnel['answer']} — chDB {chdb_funnel['answer']} "
        f"({'the same' if same else 'DIFFERENT'})."
    )
    console.print(
        f"Retention {retention_ratio:.2f}x the scan (goal <= 4x: {met(retention_ratio <= 4)})."
    )
    console.print(
        f"Storage {storage['store_bytes_per_event']:.2f} bytes/event beside "
        f"{storage['parquet_bytes_per_event']:.2f} for one pyarrow zstd Parquet file: "
        f"{storage['ratio']:.2f}x (goal <= 1.5x: {met(storage['ratio'] <= 1.5)})."
    )
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": events,
        "persons": persons,
        "seed": SEED,
        "build_seconds": round(build_s, 1) if build_s is not None else "cached",
        "repeats": repeats,
        "scan": scan,
        "funnel": funnel,
        "chdb_window_funnel": chdb_funnel,
        "retention": retention,
        "storage": storage,
        "ratios": {
            "funnel_vs_scan": round(funnel_ratio, 2),
            "funnel_vs_chdb": round(vs_chdb, 2),
            "retention_vs_scan": round(retention_ratio, 2),
            "storage_vs_parquet": storage["ratio"],
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.events < 1000 or args.persons < 10 or args.repeats < 1:
        parser.error("--events >= 1000, --persons >= 10 and --repeats >= 1")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    django.setup()
    from rich.console import Console

    measure(Console(), events=args.events, persons=args.persons, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
