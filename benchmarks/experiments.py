"""An experiment's analysis from the event store: 20 metrics x 3 arms over 1 million exposed
persons, beside the store's own aggregate query over the same rows.

    .venv/bin/python benchmarks/experiments.py [--persons 1000000] [--repeats 5]

Data (numpy, seed 7; cached between runs under $TMPDIR/lodestar-bench-experiments/, since
generating and storing takes a minute): every person is exposed once to one of 3 variants
(a third each through PostHog's `$feature_flag_called`, Segment's "Experiment Viewed" and
Lodestar's `$exposure`), at a random moment of the experiment's 14 days, and has ~4 other
events (view, search, cart, purchase, signup, share, with `amount`, `plan` and `path`
properties) from 7 days before their exposure (CUPED's period) to 7 days after (the
metrics' window); the variant "b" converts a little more. Stored through the store's bulk
path (`compactor.load`), DuckDB engine.

Measures (median of `--repeats` rounds after a warm-up one, the four taking turns in each
round; a fresh connection each time; wall time, and the process's CPU time with DuckDB's
threads, which a busy machine disturbs less):

- bound: `SELECT person_id, count(*), min(timestamp), min(event), max(length(properties))
  FROM events WHERE product = 'web' GROUP BY person_id`, fetched: one plain GROUP BY over
  the rows and columns the analysis reads;
- exposures: `experiments.queries.exposures` (persons per variant, mixed, per day);
- metric sums: `experiments.queries.metric_arms` for all 20 metrics with CUPED (one
  statement: exposed persons joined to their events, conditional aggregates);
- analysis: the above and `stats.analyze.analyze` for each of the 20 metrics (frequentist,
  CUPED-adjusted, relative lift) — what refreshing the results page computes.

`make bench` calls `measure()`. Numbers go to the terminal and to
benchmarks/results/experiments.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "experiments.json"
WS = 1
SEED = 7
START = datetime(2026, 6, 1)
DAYS = 14
FLAG = "bench-checkout"
VARIANTS = ["control", "b", "c"]
EVENTS = ["view", "search", "cart", "purchase", "signup", "share"]
WINDOW_DAYS = 7
CUPED_DAYS = 7
BOUND_SQL = (
    "SELECT person_id, count(*) AS n, min(timestamp) AS first_at, min(event) AS first_event, "
    "max(length(properties)) AS widest FROM events WHERE product = 'web' GROUP BY person_id"
)


def experiment() -> SimpleNamespace:
    """The experiment's fields the queries read (no database needed)."""
    return SimpleNamespace(
        flag_key=FLAG,
        variant_names=VARIANTS,
        product=SimpleNamespace(key="web"),
        started_at=START.replace(tzinfo=UTC),
        stopped_at=(START + timedelta(days=DAYS + WINDOW_DAYS)).replace(tzinfo=UTC),
        cuped=True,
        cuped_days=CUPED_DAYS,
    )


def metrics() -> list[SimpleNamespace]:
    """20 metrics: 7 conversions, 7 counts, 6 means; 7 of them with property filters."""
    pro = [{"key": "plan", "op": "eq", "value": "pro"}]
    spec = [
        ("conversion", "purchase", "", []),
        ("conversion", "signup", "", []),
        ("conversion", "cart", "", []),
        ("conversion", "share", "", []),
        ("conversion", "search", "", []),
        ("conversion", "purchase", "", pro),
        ("conversion", "view", "", [{"key": "path", "op": "contains", "value": "pricing"}]),
        ("count", "view", "", []),
        ("count", "search", "", []),
        ("count", "cart", "", []),
        ("count", "purchase", "", []),
        ("count", "share", "", []),
        ("count", "view", "", [{"key": "plan", "op": "neq", "value": "free"}]),
        ("count", "cart", "", [{"key": "amount", "op": "gt", "value": 50}]),
        ("mean", "purchase", "amount", []),
        ("mean", "cart", "amount", []),
        ("mean", "purchase", "amount", pro),
        ("mean", "purchase", "amount", [{"key": "amount", "op": "lt", "value": 100}]),
        ("mean", "signup", "amount", []),
        ("mean", "view", "amount", [{"key": "path", "op": "eq", "value": "/docs"}]),
    ]
    return [
        SimpleNamespace(
            key=f"m{i:02d}",
            kind=kind,
            event=event,
            property=prop,
            filters=filters,
            steps=[],
            window_seconds=WINDOW_DAYS * 86_400,
        )
        for i, (kind, event, prop, filters) in enumerate(spec)
    ]


def _generate(con, persons: int) -> int:
    """The table `synthetic` with the store's columns; returns its number of rows."""
    import pyarrow as pa

    rng = np.random.default_rng(SEED)
    day_us = 86_400_000_000
    start_us = int((START - datetime(1970, 1, 1)) / timedelta(microseconds=1))
    exposed = start_us + rng.integers(0, DAYS * day_us, persons, dtype=np.int64)
    variant = rng.integers(0, 3, persons, dtype=np.int8)
    source = rng.integers(0, 3, persons, dtype=np.int8)
    counts = rng.poisson(4, persons)
    person = np.repeat(np.arange(persons, dtype=np.int64), counts)
    k = len(person)
    offset = rng.integers(-CUPED_DAYS * day_us, WINDOW_DAYS * day_us, k, dtype=np.int64)
    # view 35 %, search 15 %, cart 20 %, purchase 12 %, signup 10 %, share 8 %; in "b" a
    # tenth of the carts are purchases instead (it converts a little more).
    kind = np.searchsorted([0.35, 0.50, 0.70, 0.82, 0.92], rng.random(k), side="right")
    kind[(kind == 2) & (variant[person] == 1) & (rng.random(k) < 0.1)] = 3
    amount = np.round(rng.gamma(2.0, 30.0, k), 2)
    con.register(
        "exposures",
        pa.table(
            {
                "person": np.arange(persons),
                "ts": exposed,
                "variant": variant,
                "source": source,
            }
        ),
    )
    con.register(
        "draws",
        pa.table(
            {
                "i": np.arange(k),
                "person": person,
                "ts": exposed[person] + offset,
                "kind": kind.astype(np.int8),
                "amount": amount,
                "plan": rng.integers(0, 3, k, dtype=np.int8),
                "path": rng.integers(0, 4, k, dtype=np.int8),
            }
        ),
    )
    variants = "[" + ", ".join(f"'{v}'" for v in VARIANTS) + "]"
    events = "[" + ", ".join(f"'{e}'" for e in EVENTS) + "]"
    con.execute(
        f"""
        CREATE TABLE synthetic AS
        SELECT 'web' AS product, 'x' || person AS uuid,
               ['$feature_flag_called', 'Experiment Viewed', '$exposure'][source + 1] AS event,
               'p' || person AS distinct_id, make_timestamp(ts) AS timestamp,
               CASE source
                 WHEN 0 THEN '{{"$feature_flag": "{FLAG}", "$feature_flag_response": "'
                             || {variants}[variant + 1] || '"}}'
                 WHEN 1 THEN '{{"experiment_id": "{FLAG}", "variation_name": "'
                             || {variants}[variant + 1] || '"}}'
                 ELSE '{{"experiment": "{FLAG}", "variant": "' || {variants}[variant + 1]
                      || '"}}'
               END AS properties,
               NULL::VARCHAR AS url, NULL::VARCHAR AS session_id,
               make_timestamp(ts) AS received_at
        FROM exposures
        UNION ALL
        SELECT 'web', 'e' || i, {events}[kind + 1], 'p' || person, make_timestamp(ts),
               '{{"amount": ' || amount || ', "plan": "' || ['free', 'pro', 'team'][plan + 1]
               || '", "path": "' || ['/', '/pricing', '/docs', '/app'][path + 1] || '"}}',
               NULL, NULL, make_timestamp(ts)
        FROM draws
        """
    )
    con.unregister("exposures")
    con.unregister("draws")
    return persons + k


def _dataset(persons: int, console) -> tuple[Path, int, float | None]:
    """The stored events (generated once, then reused): root, events, build seconds."""
    import duckdb

    from lodestar.analytics.store.compactor import load
    from lodestar.analytics.store.duck import DuckEngine
    from lodestar.analytics.store.layout import Layout

    cache = Path(tempfile.gettempdir()) / "lodestar-bench-experiments"
    root = cache / f"{persons}-seed{SEED}-v1"
    if (root / "done").exists():
        return root, int((root / "done").read_text()), None
    shutil.rmtree(root, ignore_errors=True)
    console.print(f"Generating the events of {persons:,} exposed persons into {root} …")
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        rows = _generate(con, persons)
        stored = load(DuckEngine(Layout(root)), WS, con, "SELECT * FROM synthetic").events
    finally:
        con.close()
    assert stored == rows, (stored, rows)
    (root / "done").write_text(f"{stored}\n")
    return root, stored, time.perf_counter() - started


def _interleaved(steps: dict[str, Callable[[], object]], repeats: int) -> dict[str, dict]:
    """Each step's median wall and CPU time (ms) over `repeats` rounds after a warm-up one,
    the steps taking turns in every round so that they share the machine's conditions.
    CPU time is the process's (DuckDB's threads included): steadier on a busy machine."""
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    answers: dict[str, object] = {}
    for round_ in range(repeats + 1):
        for name, fn in steps.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            answers[name] = fn()
            if round_:
                wall[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
    return {
        name: {
            "median_ms": statistics.median(wall[name]),
            "cpu_ms": statistics.median(cpu[name]),
            "answer": answers[name],
        }
        for name in steps
    }


def measure(console, persons: int = 1_000_000, repeats: int = 5) -> dict:
    from rich.table import Table

    from lodestar.analytics.queries.base import DuckSource
    from lodestar.analytics.store.duck import DuckEngine
    from lodestar.analytics.store.layout import Layout
    from lodestar.experiments import queries
    from lodestar.experiments.stats.analyze import analyze
    from lodestar.experiments.stats.arms import Options

    root, events, build_s = _dataset(persons, console)
    engine = DuckEngine(Layout(root))
    exp, ms = experiment(), metrics()
    now = START + timedelta(days=60)

    def source() -> DuckSource:
        return DuckSource(engine.connect(WS, companies=[]), "UTC")

    def bound() -> int:
        with source() as src:
            return len(src.con.execute(BOUND_SQL).fetchnumpy()["person_id"])

    def exposed():
        with source() as src:
            return queries.exposures(src, exp, now=now)

    def sums():
        with source() as src:
            return queries.metric_arms(src, exp, ms, now=now)

    def analysis():
        arms = sums()
        return {
            m.key: analyze(
                arms[m.key],
                Options(metric="binomial" if m.kind == "conversion" else "mean"),
            )
            for m in ms
        }

    load_before = os.getloadavg()[0]
    timed = _interleaved(
        {"bound": bound, "exposures": exposed, "sums": sums, "analysis": analysis}, repeats
    )
    load_after = os.getloadavg()[0]
    labels = {
        "bound": "bound: one GROUP BY person_id over the same rows and columns",
        "exposures": "exposures (persons per variant, mixed, per day)",
        "sums": "metric_arms: 20 metrics x 3 arms, CUPED (one statement)",
        "analysis": "analysis: metric_arms + analyze() of the 20 metrics",
    }
    bound_ms, bound_cpu = timed["bound"]["median_ms"], timed["bound"]["cpu_ms"]
    table = Table(
        title=f"Experiment analysis on {events:,} events, {persons:,} exposed persons "
        f"(median of {repeats}, interleaved)",
        caption="x bound = time / the plain GROUP BY's. CPU = the process's CPU time, "
        f"DuckDB's threads included. Numbers: {RESULTS.relative_to(ROOT)}",
    )
    for column in ("measure", "median ms", "x bound", "CPU ms", "CPU x bound"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for key, label in labels.items():
        ms_, cpu_ = timed[key]["median_ms"], timed[key]["cpu_ms"]
        table.add_row(
            label,
            f"{ms_:,.0f}",
            f"{ms_ / bound_ms:.2f}",
            f"{cpu_:,.0f}",
            f"{cpu_ / bound_cpu:.2f}",
        )
    console.print(table)
    exposures_answer = timed["exposures"]["answer"]
    analyses = timed["analysis"]["answer"]
    assert isinstance(analyses, dict)
    counts = getattr(exposures_answer, "counts", {})
    primary = analyses["m00"].comparisons
    console.print(
        f"Exposures {counts}; purchase conversion, b vs control: lift "
        f"{primary[0].lift:+.2%} (p = {primary[0].p_value:.3g})."
        if primary and primary[0].lift is not None
        else f"Exposures {counts}."
    )
    cpus = os.cpu_count() or 1
    if load_before > cpus / 2 or load_after > cpus / 2 + 1:
        console.print(
            f"[yellow]The machine was busy (1-minute load {load_before:.1f} before, "
            f"{load_after:.1f} after, {cpus} CPUs): wall times are inflated; the CPU "
            "columns and the ratios hold up better.[/]"
        )
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "persons": persons,
        "events": events,
        "bound_rows": timed["bound"]["answer"],
        "load_average_1min": {"before": load_before, "after": load_after},
        "metrics": len(ms),
        "seed": SEED,
        "build_seconds": round(build_s, 1) if build_s is not None else "cached",
        "repeats": repeats,
        "exposures": counts,
        "steps": [
            {
                "name": labels[key],
                "median_ms": round(timed[key]["median_ms"], 1),
                "x_bound": round(timed[key]["median_ms"] / bound_ms, 2),
                "cpu_ms": round(timed[key]["cpu_ms"], 1),
                "cpu_x_bound": round(timed[key]["cpu_ms"] / bound_cpu, 2),
            }
            for key in labels
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.persons < 100 or args.repeats < 1:
        parser.error("--persons >= 100 and --repeats >= 1")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    django.setup()
    from rich.console import Console

    measure(Console(), persons=args.persons, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
