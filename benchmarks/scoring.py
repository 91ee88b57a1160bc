"""Rescoring every feature of the large demo, beside one SQL aggregate over their insights.

    .venv/bin/python benchmarks/scoring.py [--repeats 7] [--data-dir D]  # reuse a large demo

Standalone it builds the large demo (seed 7: 5,000 features, 100,000 feedback) into a throwaway
data directory, as benchmarks/run.py does; `make bench` calls `measure()` on the demo run.py
has just built. The demo links about 39,000 insights; to measure demand from 100,000, the run
links more of the demo's feedback to random features (random importance) inside a transaction
that is rolled back at the end, so the demo is left as it was. Each figure is the median of
`--repeats` runs:

- SQL aggregate (the floor): one GROUP BY over every insight of the workspace's features,
  joined to feedback and companies (insights, distinct companies, ARR per feature), fetched;
- demand: `feature_demand` for every feature (per-company ARR and importance, by segment);
- driver values: demand plus votes, objective weights and the entered drivers;
- rescore: what ranking does for every product with its default model: read the features and
  their driver values, then evaluate the formula for each feature and order them;
- formulas only: the evaluation and ordering of the rescore, driver values already in memory.

Numbers go to the terminal and to benchmarks/results/scoring.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "scoring.json"
SLUG = "acme"

_AGGREGATE_SQL = """
    SELECT i.feature_id, COUNT(*), COUNT(DISTINCT f.company_id), SUM(c.arr)
    FROM feedback_insight i
    JOIN feedback_feedback f ON f.id = i.feedback_id
    LEFT JOIN customers_company c ON c.id = f.company_id
    JOIN planning_feature p ON p.id = i.feature_id
    WHERE p.workspace_id = %s
    GROUP BY i.feature_id
"""


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm caches and connections
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _top_up(workspace, target: int) -> int:
    """Link random (feedback, feature) pairs of the workspace until it has `target` insights;
    returns how many were added."""
    import random

    from lodestar.feedback.models import Feedback, Insight
    from lodestar.planning.models import Feature

    have = Insight.objects.filter(feature__workspace=workspace).count()
    if have >= target:
        return 0
    rng = random.Random(7)
    feedback = list(
        Feedback.objects.filter(workspace=workspace, company__isnull=False).values_list(
            "pk", "text"
        )
    )
    features = list(Feature.objects.filter(workspace=workspace).values_list("pk", flat=True))
    taken = set(
        Insight.objects.filter(feature__workspace=workspace).values_list(
            "feedback_id", "feature_id"
        )
    )
    added: list[Insight] = []
    while have + len(added) < target:
        pk, text = rng.choice(feedback)
        pair = (pk, rng.choice(features))
        if pair in taken:
            continue
        taken.add(pair)
        importance = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
        added.append(
            Insight(feedback_id=pk, feature_id=pair[1], snippet=text[:200], importance=importance)
        )
    Insight.objects.bulk_create(added, batch_size=2000)
    return len(added)


def measure(console: Console, repeats: int = 7, insights: int = 100_000) -> dict:
    """Top the demo up to `insights` insights, measure, and roll the additions back."""
    from django.db import transaction

    with transaction.atomic():
        result = _measure(console, repeats, insights)
        transaction.set_rollback(True)
    return result


def _measure(console: Console, repeats: int, target: int) -> dict:
    from django.db import connection

    from lodestar.feedback.models import Insight
    from lodestar.planning.models import Feature
    from lodestar.planning.scoring_selectors import (
        Inputs,
        driver_values,
        model_for,
        score_all,
        scoring_inputs,
    )
    from lodestar.planning.selectors import feature_demand
    from lodestar.workspaces.models import Product, Workspace

    workspace = Workspace.objects.get(slug=SLUG)
    with console.status(f"Linking feedback until there are {target:,} insights…"):
        added = _top_up(workspace, target)
    features = list(Feature.objects.filter(workspace=workspace).order_by("pk"))
    insights = Insight.objects.filter(feature__workspace=workspace).count()
    products = [
        (p, model_for(product=p))
        for p in Product.objects.filter(workspace=workspace, scoring_models__isnull=False)
        .distinct()
        .order_by("pk")
    ]
    scored = sum(len(scoring_inputs(product=p).features) for p, _ in products)

    def aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(_AGGREGATE_SQL, [workspace.pk])
            cursor.fetchall()

    def rescore() -> None:
        for product, model in products:
            score_all(scoring_inputs(product=product), model.formula, model.weights)

    loaded = [(scoring_inputs(product=p), m) for p, m in products]

    def formulas_only() -> None:
        for inputs, model in loaded:
            score_all(Inputs(inputs.features, inputs.values), model.formula, model.weights)

    floor = _median_ms(aggregate, repeats)
    rows = [
        ("SQL aggregate over the insights (floor)", floor),
        ("demand (feature_demand)", _median_ms(lambda: feature_demand(features=features), repeats)),
        ("driver values", _median_ms(lambda: driver_values(features=features), repeats)),
        ("rescore every product (default models)", _median_ms(rescore, repeats)),
        ("formulas only (values in memory)", _median_ms(formulas_only, repeats)),
    ]
    table = Table(
        title=f"Scoring {scored:,} features ({len(features):,} in the workspace) whose demand "
        f"comes from {insights:,} insights ({added:,} added for the run): median of {repeats} "
        "runs",
        caption=f"ratio = time / the SQL aggregate. {connection.vendor}. "
        f"Numbers: {RESULTS.relative_to(ROOT)}",
    )
    table.add_column("step")
    table.add_column("median ms", justify="right")
    table.add_column("ratio", justify="right")
    for name, ms in rows:
        table.add_row(name, f"{ms:.1f}", f"{ms / floor:.1f}x")
    console.print(table)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "features_in_workspace": len(features),
        "features_scored": scored,
        "insights": insights,
        "insights_added_for_the_run": added,
        "repeats": repeats,
        "steps": [
            {"name": name, "median_ms": round(ms, 2), "ratio": round(ms / floor, 2)}
            for name, ms in rows
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="a data directory with the large demo")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import on_large_demo

    return on_large_demo(args.data_dir, lambda console: measure(console, args.repeats))


if __name__ == "__main__":
    sys.exit(main())
