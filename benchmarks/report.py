"""The weekly status report on the large demo, beside the row fetch of the same queries.

    .venv/bin/python benchmarks/report.py [--repeats 5] [--data-dir D]  # reuse a large demo

Standalone it builds the large demo (seed 7) into a throwaway data directory, as
benchmarks/run.py does; `make bench` calls `measure()` on the demo run.py has just built.
The product is the demo's product with the most features; the week is the current one.
Everything runs inside a transaction that is rolled back, so the demo is left as it was
(generating writes the report and the day's forecast rows). Each figure is the median of
`--repeats` runs:

- row fetch (the floor): the rows every section reads, fetched as tuples with the same
  filters (the week's status changes, features in progress, the open releases' forecasts,
  the active risks and their actions, the quarter's objectives and key results, the week's
  feedback ids, the chart-fed key results and their check-ins); no models, no themes, no
  forecast run, no template;
- report_data without the forecast refresh: every section as the report stores it (themes
  included);
- forecast refresh: `refresh_product` (10,000 trials per open release, rows written);
- body from the data: the markdown template over the stored data;
- generate, forecasts fresh: `report_generate` (report_data, the body, the save) when every
  open release has a forecast younger than an hour (the hourly delivery job keeps them so);
- generate, forecasts stale: the same after marking the forecasts a day old, so it runs
  them first (what a product without the hourly job costs);
- page HTML: the body through lodestar.core.markdown (markdown-it + nh3);
- PDF: the body as a PDF (fpdf2).

Numbers go to the terminal and to benchmarks/results/report.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "report.json"
SLUG = "acme"


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm caches and connections
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _row_fetch(product, week) -> int:
    """The rows the sections read, as tuples; returns how many."""
    from lodestar.analytics.models import KeyResultMetric
    from lodestar.delivery.models import ACTIVE_RISK, ReleaseForecast, Risk, RiskAction
    from lodestar.delivery.report_selectors import quarter_of, week_bounds
    from lodestar.feedback.models import Feedback
    from lodestar.planning.models import Feature, FeatureStatus
    from lodestar.planning.roadmap_models import Release, RoadmapChange
    from lodestar.strategy.models import KeyResult, KeyResultCheckin

    start, end = week_bounds(product.workspace, week)
    open_releases = Release.objects.filter(product=product, status__in=("planned", "in_progress"))
    risks = Risk.objects.filter(product=product, status__in=ACTIVE_RISK)
    queries = [
        RoadmapChange.objects.filter(
            product=product, target_type="feature", field="status", at__gte=start, at__lt=end
        ).values_list("target_key", "at"),
        Feature.objects.filter(product=product, status=FeatureStatus.IN_PROGRESS).values_list(
            "key", "title", "release__name", "release__target"
        )[:50],
        ReleaseForecast.objects.filter(release__in=open_releases).values_list(
            "release_id", "day", "p_on_time", "p85", "at_risk"
        ),
        risks.order_by("-exposure").values_list("key", "title", "exposure", "mitigation")[:5],
        RiskAction.objects.filter(risk__in=risks).values_list("risk_id", "title", "due_on"),
        KeyResult.objects.filter(
            objective__product=product, objective__period=quarter_of(week)
        ).values_list("objective__title", "metric", "baseline", "target", "current"),
        Feedback.objects.filter(
            product=product, received_at__gte=start, received_at__lt=end
        ).values_list("pk", flat=True),
        KeyResultMetric.objects.filter(key_result__objective__product=product).values_list(
            "key_result_id", "chart__name"
        ),
        KeyResultCheckin.objects.filter(
            key_result__objective__product=product, at__lt=end
        ).values_list("key_result_id", "value", "at"),
    ]
    return sum(len(list(q)) for q in queries)


def measure(console: Console, repeats: int = 5) -> dict:
    from django.db import transaction

    with transaction.atomic():
        result = _measure(console, repeats)
        transaction.set_rollback(True)
    return result


def _measure(console: Console, repeats: int) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from lodestar.accounts.models import User
    from lodestar.core.markdown import render
    from lodestar.delivery.forecast_services import refresh_product
    from lodestar.delivery.models import ReleaseForecast
    from lodestar.delivery.report_pdf import report_pdf
    from lodestar.delivery.report_selectors import current_week, report_data
    from lodestar.delivery.report_services import render_body, report_generate, report_title
    from lodestar.planning.models import Feature
    from lodestar.workspaces.models import Membership, Product, Role

    top = (
        Feature.objects.filter(workspace__slug=SLUG, product__isnull=False)
        .values("product")
        .annotate(n=Count("pk"))
        .order_by("-n", "product")
        .first()
    )
    product = Product.objects.filter(pk=top["product"]).first() if top else None
    if product is None:
        raise SystemExit(f"bench: no product in workspace {SLUG!r}; build the large demo first")
    week = current_week(product.workspace)
    pm = User.objects.filter(
        memberships__workspace=product.workspace, memberships__role=Role.OWNER
    ).first()
    rows_fetched = _row_fetch(product, week)
    data = report_data(product=product, week_start=week)
    title = report_title(product, week)
    report = report_generate(product=product, actor=pm, week_start=week)
    body = report.body

    def stale_then_generate() -> None:
        # Forecasts older than report_selectors.FORECAST_FRESH are run again by generate.
        ReleaseForecast.objects.filter(release__product=product).update(
            computed_at=timezone.now() - timedelta(days=1)
        )
        report_generate(product=product, actor=pm, week_start=week)

    floor = _median_ms(lambda: _row_fetch(product, week), repeats)
    steps = [
        ("row fetch of the sections' queries (floor)", floor),
        (
            "report_data, forecasts not refreshed",
            _median_ms(
                lambda: report_data(product=product, week_start=week, refresh_forecasts=False),
                repeats,
            ),
        ),
        ("forecast refresh (refresh_product)", _median_ms(lambda: refresh_product(product), 3)),
        ("body from the data (template)", _median_ms(lambda: render_body(data, title), repeats)),
        (
            "generate, forecasts fresh (report_generate, saved)",
            _median_ms(lambda: report_generate(product=product, actor=pm, week_start=week), 3),
        ),
        ("generate, forecasts stale: run first", _median_ms(stale_then_generate, 3)),
        ("page HTML (markdown render)", _median_ms(lambda: render(body), repeats)),
        ("PDF (fpdf2)", _median_ms(lambda: report_pdf(report), repeats)),
    ]
    table = Table(
        title=f"Status report of {product.name} on the large demo, week of {week}: median "
        f"of {repeats} runs (3 for the forecast and generate)",
        caption=f"ratio = time / the row fetch ({rows_fetched:,} rows). {connection.vendor}. "
        f"Numbers: {RESULTS.relative_to(ROOT)}",
    )
    table.add_column("step")
    table.add_column("median ms", justify="right")
    table.add_column("ratio", justify="right")
    for name, ms in steps:
        table.add_row(name, f"{ms:.1f}", f"{ms / floor:.1f}x")
    console.print(table)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "product": product.key,
        "week_start": week.isoformat(),
        "stakeholders": Membership.objects.filter(
            workspace=product.workspace, role=Role.STAKEHOLDER
        ).count(),
        "rows_fetched_by_the_floor": rows_fetched,
        "sections": {
            "shipped": len(data["shipped"]["features"]),
            "in_progress": data["in_progress"]["count"],
            "forecasts": data["forecasts"]["forecast"],
            "active_risks": data["risks"]["active"],
            "objectives": len(data["objectives"]["objectives"]),
            "new_feedback": data["feedback"]["new"],
            "themes": len(data["feedback"]["themes"]),
            "key_metrics": len(data["metrics"]["metrics"]),
        },
        "body_characters": len(body),
        "pdf_bytes": len(report_pdf(report)),
        "repeats": repeats,
        "steps": [
            {"name": name, "median_ms": round(ms, 2), "ratio": round(ms / floor, 2)}
            for name, ms in steps
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="a data directory with the large demo")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import on_large_demo

    return on_large_demo(args.data_dir, lambda console: measure(console, args.repeats))


if __name__ == "__main__":
    sys.exit(main())
