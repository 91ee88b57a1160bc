"""`lodestar similar rebuild --workspace SLUG [--full]` (or `--all`): rebuild the index that
similar feedback, duplicate suggestions and themes use. Lookups rebuild a stale index by
themselves; run this after a large import, or from cron on big workspaces, so no request waits
for it."""

from __future__ import annotations

from django.core.management import CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.feedback.similar.engines import Engine, current_engine
from lodestar.feedback.similar.index import Index, build, index_path
from lodestar.feedback.similar.themes import theme_list
from lodestar.workspaces.models import Workspace


class Command(LodestarCommand):
    help = "Rebuild the similar-feedback index: similar rebuild --workspace SLUG | --all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["rebuild"], help="What to do (rebuild).")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--workspace", metavar="SLUG", help="The workspace to rebuild.")
        which.add_argument("--all", action="store_true", help="Rebuild every workspace.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Vectorise every feedback again (embeddings otherwise add only new ones).",
        )

    def handle(self, *args, action, workspace, all, full, **options) -> None:
        prepare_data_dir()
        if all:
            workspaces = list(Workspace.objects.order_by("slug"))
        else:
            found = Workspace.objects.filter(slug=workspace).first()
            if found is None:
                raise CommandError(f"No workspace {workspace!r}.")
            workspaces = [found]
        engine = current_engine()
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        for ws in workspaces:
            index = self._build(ws, engine, full)
            console.print(
                f"{ws.slug}: {index.size:,} feedback indexed with {engine.name} in "
                f"{index.built_seconds:.1f} s -> {index_path(ws, engine)}"
            )

    def _build(self, workspace: Workspace, engine: Engine, full: bool) -> Index:
        with Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(f"{workspace.slug}: {step}", total=max(total, 1))
                bar.update(tasks[step], completed=done, total=max(total, 1))

            index = build(workspace, engine=engine, full=full, progress=progress)
            progress("themes", 0, 1)
            theme_list(workspace)  # fitted now and cached beside the index, not on a page view
            progress("themes", 1, 1)
            return index
