"""`lodestar sql --workspace SLUG "SELECT ..." [--format table|csv|json]`: run one read-only
statement over the workspace's events, persons and companies, exactly as the SQL console
does (same checks, row limit, timeout). Errors go to stderr with exit code 1."""

from __future__ import annotations

import csv
import json

from django.core.management import CommandError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lodestar.analytics.queries import sql as console
from lodestar.core.errors import LodestarError
from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.workspaces.models import Workspace


class Command(LodestarCommand):
    help = (
        "Run one read-only SELECT over a workspace's events, persons and companies "
        "(the SQL console's checks, row limit and timeout)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("statement", metavar="SQL", help="One SELECT statement; - reads stdin.")
        parser.add_argument("--workspace", metavar="SLUG", required=True)
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--limit", type=int, default=console.Limits.rows, help="Most rows returned."
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=console.Limits.seconds,
            metavar="SECONDS",
            help="Stop the statement after this long.",
        )

    def handle(self, *args, statement, workspace, format, limit, timeout, **options) -> None:
        prepare_data_dir()
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        if statement == "-":
            import sys

            statement = sys.stdin.read()
        if limit < 1 or timeout <= 0:
            raise CommandError("--limit and --timeout must be positive.")
        try:
            result = console.console(ws, statement, console.Limits(rows=limit, seconds=timeout))
        except LodestarError as exc:
            raise CommandError(exc.message) from None
        if format == "json":
            self.stdout.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        elif format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(result.columns)
            writer.writerows([console.text(v) for v in row] for row in result.rows)
        else:
            table = Table()
            for column in result.columns:
                table.add_column(escape(column), overflow="fold")
            for row in result.rows:
                table.add_row(*(escape(console.text(v)) for v in row))
            out = Console(file=self.stdout, highlight=False, width=160)  # type: ignore[arg-type]
            out.print(table)
            count = f"{len(result.rows):,} row{'s' if len(result.rows) != 1 else ''}"
            cut = f", truncated at --limit {limit:,}" if result.truncated else ""
            out.print(f"{count}{cut} · {result.elapsed * 1000:.0f} ms")
        if result.truncated and format != "table":
            self.stderr.write(f"truncated: only the first {limit:,} rows (--limit)")
