"""Similar-feedback lookup on the large demo: top 10 of 100,000, beside brute force in numpy.

    .venv/bin/python benchmarks/similar.py [--queries 200] [--engine tfidf|semantic]
                                           [--data-dir D]   # reuse a large demo built there

Standalone it builds the large demo (seed 7: 100,000 feedback) into a throwaway data directory,
as benchmarks/run.py does; `make bench` calls `measure()` on the demo run.py has just built.
Reports the index build time, then for `--queries` feedback picked by a fixed seed:

- lookup: `similar_to(feedback)`, what the page's panel calls: freshness check (one query),
  the feedback's stored vector, cosine against the index via its term postings (sparse,
  float32), top 10 by argpartition, and the 10 rows fetched from the database;
- vectors only: the same without the database (index `score_all` + `top_k`);
- brute force: the same vectors as a dense float32 numpy matrix, one matrix-vector product
  and a full argsort per query.

Numbers go to the terminal and to benchmarks/results/similar.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "similar.json"
DENSE_LIMIT_BYTES = 4 * 1024**3  # a brute-force matrix bigger than this is not attempted


def _stats(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1]
    return {"median_ms": round(statistics.median(ms), 3), "p95_ms": round(p95, 3)}


def measure(
    console: Console, *, slug: str = "acme", queries: int = 200, engine_name: str = "tfidf"
) -> dict[str, Any]:
    """Build the index of workspace `slug` with the engine named, time the lookups, print a
    table and write benchmarks/results/similar.json; return what was written."""
    import numpy as np
    from django.conf import settings

    from lodestar.feedback.models import Feedback
    from lodestar.feedback.similar import index as index_module
    from lodestar.feedback.similar import similar_to
    from lodestar.feedback.similar.engines import engine_named
    from lodestar.feedback.similar.lookup import top_k
    from lodestar.workspaces.models import Workspace

    settings.ENV = {**settings.ENV, "LODESTAR_SIMILAR_ENGINE": engine_name}
    engine = engine_named(engine_name)
    workspace = Workspace.objects.get(slug=slug)
    console.print(f"[bold]Similar feedback[/]: building the {engine.name} index of `{slug}`…")
    started = time.perf_counter()
    index = index_module.build(workspace, engine=engine, full=True)
    build_seconds = time.perf_counter() - started
    file_bytes = index_module.index_path(workspace, engine).stat().st_size

    rng = random.Random(7)
    chosen = rng.sample(index.ids.tolist(), min(queries, index.size))
    rows = {f.pk: f for f in Feedback.objects.filter(pk__in=chosen).select_related("workspace")}
    picked = [rows[pk] for pk in chosen]
    for feedback in picked[:5]:  # warm-up: term postings, caches, the first query plans
        similar_to(feedback)

    lookup, vectors_only = [], []
    answers: dict[int, list[int]] = {}
    for feedback in picked:
        t0 = time.perf_counter()
        similar_to(feedback, limit=10)
        lookup.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ids, scores = index.score_all(index.vector_of(feedback.pk, feedback.text))
        best = top_k(scores, 11)
        vectors_only.append(time.perf_counter() - t0)
        answers[feedback.pk] = [int(ids[i]) for i in best if ids[i] != feedback.pk][:10]

    n, dims = index.matrix.shape
    brute: dict[str, Any] = {"skipped": f"a dense {n:,} x {dims:,} float32 matrix is too big"}
    if n * dims * 4 <= DENSE_LIMIT_BYTES:
        dense = index.matrix.toarray() if engine.sparse else np.asarray(index.matrix)
        dense = np.ascontiguousarray(dense, dtype=np.float32)
        brute_times, agree = [], 0
        for feedback in picked:
            at = int(np.searchsorted(index.ids, feedback.pk))
            t0 = time.perf_counter()
            query = dense[at]
            scores = dense @ query
            order = np.argsort(-scores, kind="stable")[:11]
            brute_times.append(time.perf_counter() - t0)
            top = [int(index.ids[i]) for i in order if index.ids[i] != feedback.pk][:10]
            # Ties at the 10th place may be broken differently: compare the scores, not ids.
            agree += np.allclose(
                sorted(scores[np.searchsorted(index.ids, top)]),
                sorted(scores[np.searchsorted(index.ids, answers[feedback.pk])]),
                atol=1e-5,
            )
        brute = {**_stats(brute_times), "dense_mb": round(dense.nbytes / 2**20), "agree": agree}
        del dense

    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "engine": engine.name,
        "rows": n,
        "dimensions": dims,
        "nonzeros": int(index.matrix.nnz) if engine.sparse else n * dims,
        "index_file_mb": round(file_bytes / 2**20, 1),
        "build_seconds": round(build_seconds, 2),
        "queries": len(picked),
        "lookup": _stats(lookup),
        "vectors_only": _stats(vectors_only),
        "brute_force_numpy": brute,
    }
    table = Table(
        title=f"Similar feedback, top 10 of {n:,} ({engine.name}, {dims:,} dimensions), "
        f"{len(picked)} queries",
        caption=f"index built in {build_seconds:.1f} s ({result['index_file_mb']} MB file). "
        f"Results: {RESULTS.relative_to(ROOT)}",
    )
    for column in ("method", "median ms", "p95 ms", "note"):
        table.add_column(column, justify="left" if column in {"method", "note"} else "right")
    table.add_row(
        "lookup: similar_to()",
        f"{result['lookup']['median_ms']:.2f}",
        f"{result['lookup']['p95_ms']:.2f}",
        "what the panel runs, with its database queries",
    )
    table.add_row(
        "vectors only: postings + argpartition",
        f"{result['vectors_only']['median_ms']:.2f}",
        f"{result['vectors_only']['p95_ms']:.2f}",
        "sparse float32" if engine.sparse else "dense float32",
    )
    if "median_ms" in brute:
        table.add_row(
            "brute force: dense numpy matmul + argsort",
            f"{brute['median_ms']:.2f}",
            f"{brute['p95_ms']:.2f}",
            f"{brute['dense_mb']} MB matrix; same top 10 in {brute['agree']}/{len(picked)}",
        )
    else:
        table.add_row("brute force", "-", "-", brute["skipped"])
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200, help="timed lookups (default 200)")
    parser.add_argument("--engine", choices=["tfidf", "semantic"], default="tfidf")
    parser.add_argument(
        "--data-dir", help="an installation that already holds the large demo (else one is built)"
    )
    args = parser.parse_args()
    if args.queries < 20:
        parser.error("--queries must be at least 20")
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import _setup_django

    console = Console()
    owned = args.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="lodestar-bench-")) if owned else Path(args.data_dir)
    try:
        console.print(f"[bold]Database:[/] {_setup_django(data_dir)}")
        from django.core.management import call_command

        from lodestar.feedback.models import Feedback

        call_command("migrate", verbosity=0)
        if not Feedback.objects.filter(workspace__slug="acme").exists():
            from lodestar.demo.build import build_demo

            console.print("Building the large demo (about half a minute)…")
            build_demo(seed=7, size="large")
        measure(console, queries=args.queries, engine_name=args.engine)
        return 0
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if owned:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
