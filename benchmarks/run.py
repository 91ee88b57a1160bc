"""Server time of Lodestar's main pages on the large demo, against a trivial view.

    make bench                      # or: .venv/bin/python benchmarks/run.py [--requests 30]

Builds the large demo (606 members, 125 teams, ~120,000 activity entries) into a throwaway
data directory, then serves every page in-process through Django's test `Client` (the whole
middleware stack, no network, no external server) as the owner. Each page is compared with
`/healthz` (one `SELECT 1`) served the same way, interleaved with it, so the ratio says how
much a page costs above the floor of routing, middleware and one database round trip.

SQLite in the temporary directory by default. With DATABASE_URL set, that database is used
instead and its demo workspace `acme` is replaced. Numbers go to the terminal and to
benchmarks/results/pages.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "pages.json"


def _ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def _timed_get(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {path} answered {response.status_code}, expected 200")
    return elapsed


def _setup_django(data_dir: Path) -> str:
    """Configure Django for a throwaway installation; return a description of the database."""
    # Settings read the environment once, at import: everything is set before django.setup().
    os.environ["LODESTAR_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lodestar.settings"
    # Measure the production configuration, whatever the caller's shell says.
    os.environ["LODESTAR_DEBUG"] = "false"
    os.environ["LODESTAR_LOG_LEVEL"] = "INFO"
    sys.path.insert(0, str(ROOT))  # for `benchmarks.pages`, shared with the query-count test

    import django

    django.setup()
    import logging

    # Requests are still logged (that cost is part of serving a page), but to nowhere, so the
    # JSON lines do not bury the table.
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)

    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        return f"{connection.vendor} from DATABASE_URL (its demo workspace `acme` is replaced)"
    return f"SQLite in a temporary directory ({data_dir})"


def on_large_demo(data_dir: Path | None, measure: Callable[[Console], object]) -> int:
    """Run `measure(console)` on the large demo: in `data_dir` when given (an installation
    that already holds it), else in a throwaway one where it is built first."""
    console = Console()
    owned = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="lodestar-bench-")) if owned else data_dir
    try:
        _setup_django(directory)
        if owned:
            from django.core.management import call_command

            from lodestar.demo.build import build_demo

            call_command("migrate", verbosity=0)
            with console.status("Building the large demo…"):
                build_demo(seed=7, size="large")
        measure(console)
    finally:
        if owned:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORDS",
        help="measure only the pages whose name contains WORDS (repeatable); "
        "skips the similar-feedback and scoring measures",
    )
    args = parser.parse_args()
    if args.requests < 2 or args.warmup < 0:
        parser.error("--requests must be at least 2 and --warmup at least 0")

    console = Console()
    data_dir = Path(tempfile.mkdtemp(prefix="lodestar-bench-"))
    try:
        database = _setup_django(data_dir)
        console.print(f"[bold]Database:[/] {database}")
        return _run(console, args, database)
    finally:
        if "django.db" in sys.modules:  # set up far enough to have opened connections
            from django.db import connections

            connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(console: Console, args: argparse.Namespace, database: str) -> int:
    import django
    from benchmarks.pages import (
        OWNER_EMAIL,
        SLUG,
        TRIVIAL,
        first_team_key,
        main_pages,
        top_company_key,
        top_feature_key,
    )
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lodestar.accounts.models import User
    from lodestar.activity.models import Entry
    from lodestar.demo.build import build_demo
    from lodestar.workspaces.models import Membership, Team

    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("migrate", total=1)
        call_command("migrate", verbosity=0)
        progress.update(task, completed=1)

        build_task = progress.add_task("build large demo", total=None)

        def report(step: str, done: int, total: int) -> None:
            progress.update(
                build_task, description=f"build large demo: {step}", completed=done, total=total
            )

        t0 = time.perf_counter()
        build_demo(seed=7, size="large", progress=report)
        build_seconds = time.perf_counter() - t0
        progress.update(build_task, description="build large demo", completed=1, total=1)

        demo_rows = {
            "members": Membership.objects.filter(workspace__slug=SLUG).count(),
            "teams": Team.objects.filter(workspace__slug=SLUG).count(),
            "activity_entries": Entry.objects.filter(workspace__slug=SLUG).count(),
        }
        client = Client()
        client.force_login(User.objects.get(email=OWNER_EMAIL))
        # As each server worker does after loading (lodestar/wsgi.py): the objects alive now
        # (the loaded application, and here the demo build's leftovers) are frozen out of the
        # garbage collector's full collections.
        from lodestar.core.heap import freeze_startup_heap

        freeze_startup_heap()
        pages = main_pages(first_team_key(), top_company_key(), top_feature_key())
        if args.only:
            pages = [p for p in pages if any(words in p.name for words in args.only)]
        rounds = args.warmup + args.requests
        measure = progress.add_task("measure pages", total=len(pages) * rounds)
        rows: list[dict[str, Any]] = []
        for page in pages:
            progress.update(measure, description=f"measure {page.name}")
            for _ in range(args.warmup):
                _timed_get(client, page.path)
                _timed_get(client, TRIVIAL)
                progress.advance(measure)
            # Interleaved, so the floor is measured under the same conditions as the page.
            page_times, trivial_times = [], []
            for _ in range(args.requests):
                page_times.append(_timed_get(client, page.path))
                trivial_times.append(_timed_get(client, TRIVIAL))
                progress.advance(measure)
            with CaptureQueriesContext(connection) as queries:
                client.get(page.path)
            page_ms, trivial_ms = _ms(page_times), _ms(trivial_times)
            median, trivial_median = statistics.median(page_ms), statistics.median(trivial_ms)
            rows.append(
                {
                    "name": page.name,
                    "path": page.path,
                    "queries": len(queries),
                    "median_ms": round(median, 2),
                    "p95_ms": round(_p95(page_ms), 2),
                    "trivial_median_ms": round(trivial_median, 2),
                    "ratio": round(median / trivial_median, 1),
                }
            )
        progress.update(measure, description="measure pages")
    total_seconds = time.perf_counter() - started
    load_after = os.getloadavg()[0]

    with CaptureQueriesContext(connection) as trivial_queries:
        client.get(TRIVIAL)
    table = Table(
        title=f"Server time on the large demo: {args.requests} timed requests per page "
        f"after {args.warmup} warm-up, in-process",
        caption=f"trivial view = {TRIVIAL} ({len(trivial_queries)} query, SELECT 1), served "
        "the same way, interleaved with each page. ratio = page median / trivial median. "
        f"Paths: {RESULTS.relative_to(ROOT)}",
    )
    table.add_column("page")
    table.add_column("queries", justify="right")
    table.add_column("median ms", justify="right")
    table.add_column("p95 ms", justify="right")
    table.add_column(f"trivial {TRIVIAL} median ms", justify="right")
    table.add_column("ratio", justify="right")
    for row in rows:
        table.add_row(
            row["name"],
            str(row["queries"]),
            f"{row['median_ms']:.2f}",
            f"{row['p95_ms']:.2f}",
            f"{row['trivial_median_ms']:.2f}",
            f"{row['ratio']:.1f}x",
        )
    console.print(table)

    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "load_average_1min": {"before": load_before, "after": load_after},
        },
        "database": database,
        "demo": {"seed": 7, "size": "large", **demo_rows},
        "method": "in-process django.test.Client as the owner; perf_counter around client.get",
        "warmup_requests": args.warmup,
        "timed_requests": args.requests,
        "trivial_view": {"path": TRIVIAL, "queries": len(trivial_queries)},
        "build_seconds": round(build_seconds, 1),
        "total_seconds": round(total_seconds, 1),
        "pages": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    console.print(
        f"Large demo ({demo_rows['members']} members, {demo_rows['teams']} teams, "
        f"{demo_rows['activity_entries']:,} activity entries) built in {build_seconds:.1f} s; "
        f"whole run {total_seconds:.1f} s. "
        f"Wrote {RESULTS.relative_to(ROOT)}."
    )
    if not args.only:
        # Similar feedback on the same demo: index build, top-10 lookup beside brute force.
        from benchmarks.similar import measure as measure_similar

        measure_similar(console)
        # Rescoring every feature beside one SQL aggregate over their insights.
        from benchmarks.scoring import measure as measure_scoring

        measure_scoring(console)
        # The friction report over 2 million clicks beside a LAG scan of the same columns.
        from benchmarks.friction import measure as measure_friction

        measure_friction(console)
        # Capture: events/s through /batch/ (durable) beside /capture/validate/, same server.
        from benchmarks.ingest import measure as measure_ingest

        measure_ingest(console=console)
        # Funnel, retention and storage on 10 M events beside a scan, chDB and plain Parquet.
        from benchmarks.analytics import measure as measure_analytics

        measure_analytics(console)
        # The weekly status report beside the row fetch of the same queries.
        from benchmarks.report import measure as measure_report

        measure_report(console)
        # The delivery forecast: 50 releases x 10,000 trials beside as many numpy draws.
        from benchmarks.forecast import measure as measure_forecast

        measure_forecast(console)
        # An experiment: 20 metrics x 3 arms over 1 M exposures beside a GROUP BY of them.
        from benchmarks.experiments import measure as measure_experiments

        measure_experiments(console)
    # The run itself adds about 1 to the load average; more than that means competition.
    cpus = os.cpu_count() or 1
    if load_before > cpus / 2 or load_after > cpus / 2 + 1:
        console.print(
            f"[yellow]The machine was busy (1-minute load {load_before:.1f} before, "
            f"{load_after:.1f} after, {cpus} CPUs): absolute times are inflated; "
            "the ratios hold up better.[/]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
