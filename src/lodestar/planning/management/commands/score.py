"""`lodestar score --workspace SLUG --product KEY [--model KEY] [--format table|json|csv]`:
print a product's features ranked by a scoring model — rank, score and the terms that make it,
or why a feature cannot be scored."""

from __future__ import annotations

import csv
import json

from django.core.management import CommandError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lodestar.core.errors import NotFound
from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.planning import scoring_selectors as selectors
from lodestar.planning.scoring_services import formula_error_text
from lodestar.workspaces.models import Product, Workspace


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _why(row: dict) -> str:
    if row["error"]:
        return f"not scored: {row['error']['message']}"
    drivers = ", ".join(f"{k}={_num(v)}" for k, v in row["drivers"].items())
    terms = " ".join(
        f"{'' if i == 0 else t['op'] + ' '}[{t['text']}={_num(t['value'])}]"
        for i, t in enumerate(row["terms"])
    )
    return f"{drivers}; {terms}" if terms else drivers


class Command(LodestarCommand):
    help = "Print a product's features ranked by a scoring model, each score explained."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", required=True)
        parser.add_argument("--product", metavar="KEY", required=True)
        parser.add_argument(
            "--model", metavar="KEY", default="", help="Default: the product's default model."
        )
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument(
            "--all", action="store_true", help="Include shipped and won't-do features too."
        )

    def handle(self, *args, workspace, product, model, format, all, **options) -> None:
        prepare_data_dir()
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        found = Product.objects.filter(workspace=ws, key=product).first()
        if found is None:
            raise CommandError(f"No product {product!r} in {workspace}.")
        try:
            scoring = selectors.model_for(product=found, key=model)
        except NotFound as exc:
            raise CommandError(exc.message) from None
        status = "" if all else selectors.OPEN
        ranking = selectors.rank(
            product=found, formula=scoring.formula, weights=scoring.weights, status=status
        )
        if ranking.error is not None:
            raise CommandError(formula_error_text(ranking.error, scoring.formula))
        rows = selectors.ranking_as_dicts(ranking)
        if format == "json":
            payload = {
                "product_key": found.key,
                "model_key": scoring.key,
                "model_name": scoring.name,
                "formula": scoring.formula,
                "weights": scoring.weights,
                "items": rows,
            }
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
        elif format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(["rank", "feature_key", "title", "status", "score", "explanation"])
            for row in rows:
                writer.writerow(
                    [
                        row["rank"] or "",
                        row["feature_key"],
                        row["title"],
                        row["status"],
                        "" if row["score"] is None else repr(row["score"]),
                        _why(row),
                    ]
                )
        else:
            table = Table(title=f"{found.name} · {scoring.name}: {scoring.formula}")
            for column, justify in (("Rank", "right"), ("Feature", "left"), ("Score", "right")):
                table.add_column(column, justify=justify)  # type: ignore[arg-type]
            table.add_column("Why", overflow="fold")
            for row in rows:
                table.add_row(
                    str(row["rank"] or "-"),
                    escape(row["title"]),
                    _num(row["score"]),
                    escape(_why(row)),
                )
            Console(file=self.stdout, highlight=False, width=160).print(table)  # type: ignore[arg-type]
