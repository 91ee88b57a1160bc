"""`lodestar forecast --workspace SLUG --product KEY [--format json|table]`: each open
release's chance of finishing by its target and its 50 / 85 / 95 % dates (the forecast page's
numbers; today's forecast is computed and stored as the page would). Errors go to stderr,
exit 1."""

from __future__ import annotations

import json

from django.core.management import CommandError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.delivery.forecast_services import refresh_product
from lodestar.workspaces.models import Product, Workspace


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


class Command(LodestarCommand):
    help = (
        "Forecast a product's open releases: the chance each finishes by its target and its "
        "50/85/95 % completion dates (Monte Carlo over the team's weekly throughput)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", required=True)
        parser.add_argument("--product", metavar="KEY", required=True)
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, workspace, product, format, **options) -> None:
        prepare_data_dir()
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        found = Product.objects.filter(workspace=ws, key=product).select_related("workspace")
        if not found.exists():
            raise CommandError(f"No product {product!r} in {workspace}.")
        rows = refresh_product(found.get())
        rows.sort(key=lambda r: (r.release.target, r.release.created_at, r.release.pk))
        releases = [
            {
                "key": r.release.key,
                "name": r.release.name,
                "target": _iso(r.release.target),
                "remaining": r.remaining,
                "p_on_time": None if r.p_on_time is None else round(r.p_on_time, 4),
                "p50": _iso(r.p50),
                "p85": _iso(r.p85),
                "p95": _iso(r.p95),
                "at_risk": r.at_risk,
                "reason": r.reason,
            }
            for r in rows
        ]
        if format == "json":
            self.stdout.write(json.dumps({"releases": releases}, indent=2, ensure_ascii=False))
            return
        table = Table(title=f"Delivery forecast of {found.get().name}")
        for name, justify in (
            ("release", "left"),
            ("target", "left"),
            ("left", "right"),
            ("on time", "right"),
            ("50 %", "left"),
            ("85 %", "left"),
            ("95 %", "left"),
            ("", "left"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for r in releases:
            if r["p_on_time"] is None:
                numbers = ["-", escape(r["reason"]), "", "", ""]
            else:
                numbers = [
                    f"{r['p_on_time'] * 100:.0f}%",
                    r["p50"] or "> 5 years",
                    r["p85"] or "> 5 years",
                    r["p95"] or "> 5 years",
                    "AT RISK" if r["at_risk"] else "",
                ]
            table.add_row(escape(r["name"]), r["target"], str(r["remaining"]), *numbers)
        if not releases:
            self.stdout.write("No open releases.")
            return
        Console(file=self.stdout, highlight=False, width=160).print(table)  # type: ignore[arg-type]
