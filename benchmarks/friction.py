"""The friction report over 2 million clicks, beside a scan with LAG over the same columns.

    .venv/bin/python benchmarks/friction.py [--clicks 2000000] [--repeats 5]

Generates (numpy, seed 7) `--clicks` click events for 200,000 people over 30 days on 60 pages
and 400 elements: autocaptured clicks, with rage (3 %), dead (2 %) and error clicks (0.5 %)
as the snippet sends them, plus one `$web_vitals` per 20 clicks, one `$identify` per person
linking 2,000 companies, and a conversion event for a fifth of the people. They are stored
with `store.load_events`' path (sorted zstd Parquet) in a throwaway directory; no Django
database is needed. On the same DuckDB engine, each figure the median of `--repeats`:

- friction: `queries.friction.run` for the whole period (its four queries: the default
  conversion event, per-page web-vitals percentiles, totals, and the items with people,
  companies, ARR and conversions after the friction);
- LAG scan (the floor): over the same events and columns (person, time, page from the
  `$pathname` property or the URL, element), `lag(timestamp) OVER (PARTITION BY person,
  page, element ORDER BY timestamp)` counting clicks within 1 s of the previous one — what a
  server-side rage-click detection would have to do at least. Goal: friction <= 2x this.

Peak memory: each measure runs in a forked process; the figure is that process's RSS
high-water mark above its RSS when it started (DuckDB's memory is outside Python's heap, so
tracemalloc would not see it). Numbers go to the terminal and benchmarks/results/friction.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "friction.json"
WS = 1
END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 30


def _generate(con, clicks: int, persons: int = 200_000, seed: int = 7) -> None:
    """The table `synthetic` with the store's columns."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    start_us = int((END - timedelta(days=DAYS)).timestamp() * 1_000_000)
    span = DAYS * 86_400_000_000
    n_vitals = clicks // 20
    n_conv = persons // 5
    kinds = rng.choice(4, size=clicks, p=[0.945, 0.03, 0.02, 0.005]).astype(np.int8)
    table = pa.table(
        {
            "kind": np.concatenate(
                [kinds, np.full(n_vitals, 4, np.int8), np.full(n_conv, 5, np.int8)]
            ),
            "person": np.concatenate(
                [
                    rng.integers(0, persons, clicks),
                    rng.integers(0, persons, n_vitals),
                    rng.choice(persons, n_conv, replace=False),
                ]
            ),
            "ts": start_us + rng.integers(0, span, clicks + n_vitals + n_conv),
            "page": rng.zipf(1.6, clicks + n_vitals + n_conv) % 60,
            "element": rng.zipf(1.4, clicks + n_vitals + n_conv) % 400,
            "lcp": rng.lognormal(7.6, 0.6, clicks + n_vitals + n_conv).round(),
        }
    )
    con.register("draws", table)
    con.execute(
        f"""
        CREATE TABLE synthetic AS
        SELECT 'web' AS product, 'e-' || row_number() OVER () AS uuid,
               ['$autocapture', '$rageclick', '$dead_click', '$error_click', '$web_vitals',
                'invoice_sent'][kind + 1] AS event,
               'p' || person AS distinct_id, make_timestamp(ts) AS timestamp,
               CASE WHEN kind = 4 THEN
                    json_object('$pathname', '/page/' || page, '$lcp', lcp)::VARCHAR
                    WHEN kind = 5 THEN '{{}}'
                    ELSE json_object('$pathname', '/page/' || page,
                                     '$selector', 'main > button.action-' || element,
                                     '$el_text', 'Action ' || element)::VARCHAR END
               AS properties,
               'https://app.example/page/' || page || '?q=1' AS url,
               's-' || person || '-' || (ts // 1800000000) AS session_id,
               make_timestamp(ts) AS received_at
        FROM draws
        UNION ALL
        SELECT 'web', 'id-' || i, '$identify', 'p' || i, make_timestamp({start_us}),
               json_object('$groups', json_object('company', 'c' || (i % 2000)))::VARCHAR,
               NULL, NULL, make_timestamp({start_us})
        FROM range({persons}) t(i)
        """
    )
    con.unregister("draws")


def _companies() -> list[dict]:
    rng = np.random.default_rng(11)
    return [
        {
            "key": f"k{i}",
            "name": f"Company {i}",
            "external_id": f"c{i}",
            "domain": None,
            "arr": float(rng.integers(5, 500) * 1000),
            "plan": None,
            "segment": None,
        }
        for i in range(2000)
    ]


def _lag_sql(dialect) -> str:
    from lodestar.analytics.queries import friction as query

    p = query.Params(product="web", days=DAYS, now=END)
    events = dialect.literal(["$autocapture", *query.CLICK_EVENTS])
    element = dialect.json_str("properties", "$selector")
    return f"""
    SELECT count(*) AS clicks,
           sum(CASE WHEN prev IS NOT NULL
                     AND {dialect.seconds_between("prev", "timestamp")} < 1 THEN 1 ELSE 0 END)
    FROM (SELECT timestamp, lag(timestamp) OVER (
                 PARTITION BY person_id, page, element ORDER BY timestamp) AS prev
          FROM (SELECT person_id, timestamp, {query.page_expr(dialect)} AS page,
                       {element} AS element
                FROM events WHERE {query._scope(dialect, p)} AND event IN {events}) c) l
    """


def _in_child(conn, engine_root: str, what: str, repeats: int) -> None:
    from lodestar.analytics.queries import friction as query
    from lodestar.analytics.queries.base import DuckSource
    from lodestar.analytics.store.duck import DuckEngine
    from lodestar.analytics.store.layout import Layout

    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine = DuckEngine(Layout(Path(engine_root)))
    params = query.Params(product="web", days=DAYS, now=END)
    samples = []
    answer = None
    for _ in range(repeats + 1):  # the first warms the page cache
        with DuckSource(engine.connect(WS, companies=_companies()), "UTC") as src:
            started = time.perf_counter()
            if what == "friction":
                result = query.run(src, params)
                answer = [result["total_items"], result["items"][0]["lost"]]
            else:
                answer = list(src.query(_lag_sql(src.dialect)).rows[0])
            samples.append((time.perf_counter() - started) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send(
        {
            "median_ms": statistics.median(samples[1:]),
            "peak_mb": (peak - start_rss) / 1024,
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


def measure(console, clicks: int = 2_000_000, repeats: int = 5) -> dict:
    import duckdb
    from rich.table import Table

    from lodestar.analytics.store.compactor import load
    from lodestar.analytics.store.duck import DuckEngine
    from lodestar.analytics.store.layout import Layout

    with tempfile.TemporaryDirectory(prefix="lodestar-friction-") as tmp:
        root = Path(tmp) / "events"
        started = time.perf_counter()
        con = duckdb.connect()
        _generate(con, clicks)
        stored = load(DuckEngine(Layout(root)), WS, con, "SELECT * FROM synthetic").events
        con.close()
        build_s = time.perf_counter() - started
        lag = _measure_one(root, "lag", repeats)
        friction = _measure_one(root, "friction", repeats)
    ratio = friction["median_ms"] / lag["median_ms"]
    table = Table(title=f"Friction over {clicks:,} clicks ({stored:,} events stored)")
    for column in ("measure", "median ms", "x LAG scan", "peak MB above start"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    table.add_row("LAG scan (floor)", f"{lag['median_ms']:.0f}", "1.00", f"{lag['peak_mb']:.0f}")
    table.add_row(
        "friction report",
        f"{friction['median_ms']:.0f}",
        f"{ratio:.2f}",
        f"{friction['peak_mb']:.0f}",
    )
    console.print(table)
    console.print(f"Goal: friction <= 2x the LAG scan: {'met' if ratio <= 2 else 'NOT met'}.")
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clicks": clicks,
        "events_stored": stored,
        "build_seconds": round(build_s, 1),
        "repeats": repeats,
        "lag_scan": lag,
        "friction": friction,
        "ratio": round(ratio, 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    django.setup()
    from rich.console import Console

    measure(Console(), clicks=args.clicks, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
