"""`lodestar funnel --workspace SLUG --product KEY --steps a,b,c [--window 14d]
[--from DATE --to DATE] [--breakdown-type T --breakdown KEY] [--format json|table]`:
the funnel page's numbers (queries.funnels) on the terminal. Errors go to stderr, exit 1."""

from __future__ import annotations

import json

from django.core.management import CommandError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lodestar.analytics.queries import funnels
from lodestar.analytics.queries.base import source_for
from lodestar.core.errors import LodestarError
from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.workspaces.models import Product, Workspace


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


class Command(LodestarCommand):
    help = "Count an ordered funnel over a product's events (the funnel page's numbers)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", required=True)
        parser.add_argument("--product", metavar="KEY", required=True)
        parser.add_argument("--steps", required=True, help="Event names in order, comma-separated.")
        parser.add_argument("--window", default="14d", help="Conversion window: 14d, 36h, 90m.")
        parser.add_argument("--from", dest="date_from", metavar="DATE", default="")
        parser.add_argument("--to", dest="date_to", metavar="DATE", default="")
        parser.add_argument("--breakdown-type", choices=sorted(funnels.BREAKDOWN_TYPES), default="")
        parser.add_argument("--breakdown", metavar="PROPERTY", default="")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, workspace, product, format, **options) -> None:
        prepare_data_dir()
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        if not Product.objects.filter(workspace=ws, key=product).exists():
            raise CommandError(f"No product {product!r} in {workspace}.")
        query = {
            "steps": options["steps"],
            "window": options["window"],
            "from": options["date_from"],
            "to": options["date_to"],
            "breakdown_type": options["breakdown_type"],
            "breakdown": options["breakdown"],
            "product": product,
        }
        try:
            params = funnels.parse(query)
            with source_for(ws) as src:
                result = funnels.run(src, params)
        except LodestarError as exc:
            problems = [f"--{k.replace('_', '-')}: {v[0]}" for k, v in exc.fields.items()]
            raise CommandError("; ".join(problems) or exc.message) from None
        if format == "json":
            out = {k: result[k] for k in ("window", "steps", "breakdown_type", "breakdown")}
            if result["breakdowns"]:
                out["breakdowns"] = result["breakdowns"]
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        table = Table(title=f"Funnel within {result['window']}")
        for name, justify in (
            ("step", "left"),
            ("persons", "right"),
            ("of step 1", "right"),
            ("of previous", "right"),
            ("median time", "right"),
            ("mean time", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for i, s in enumerate(result["steps"], start=1):
            table.add_row(
                escape(f"{i}. {s['label']}"),
                f"{s['count']:,}",
                f"{s['conversion'] * 100:.1f}%",
                f"{s['step_conversion'] * 100:.1f}%",
                _duration(s["median_seconds"]),
                _duration(s["mean_seconds"]),
            )
        Console(file=self.stdout, highlight=False, width=160).print(table)  # type: ignore[arg-type]
