"""`lodestar events import FILE --workspace SLUG --product KEY`: import events from JSON
lines in the PostHog format, or from Parquet (lodestar.analytics.importing), with a
progress bar. Every line is checked first: one bad line and nothing is stored; the bad
lines are listed with their numbers. Re-importing the same file stores nothing twice."""

from __future__ import annotations

from pathlib import Path

from django.core.management import CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from lodestar.analytics.importing import events_import, file_format
from lodestar.core.errors import LodestarError
from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.workspaces.models import Product, Workspace


class Command(LodestarCommand):
    help = "Import events: events import FILE --workspace SLUG --product KEY."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument(
            "file", metavar="FILE", help="JSON lines (PostHog format) or a Parquet file."
        )
        parser.add_argument("--workspace", metavar="SLUG", required=True)
        parser.add_argument("--product", metavar="KEY", required=True)

    def handle(self, *args, action, file, workspace, product, **options) -> None:
        prepare_data_dir()
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        found = Product.objects.filter(workspace=ws, key=product).first()
        if found is None:
            raise CommandError(f"No product {product!r} in {workspace}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        parquet = file_format(path) == "parquet"
        columns = [TextColumn("{task.description}"), BarColumn()]
        columns += [MofNCompleteColumn()] if parquet else [DownloadColumn()]
        with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True)) as bar:
            total = _parquet_rows(path) if parquet else path.stat().st_size
            task = bar.add_task(f"Checking {path.name}", total=total)
            try:
                report = events_import(
                    workspace=ws,
                    product=found,
                    path=path,
                    progress=lambda n: bar.advance(task, n),
                )
            except LodestarError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(
            f"{report.lines:,} events read, {report.stored:,} stored, "
            f"{report.repeats:,} already stored (same uuid)."
        )


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows
