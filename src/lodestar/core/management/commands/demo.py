from django.core.management import CommandError, call_command
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.demo.build import SIZES, SLUG, build_demo
from lodestar.demo.roadmap import share_link_path


class Command(LodestarCommand):
    help = "Build the demo workspace `acme` (replacing an earlier one) and serve it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same demo (default 7).")
        parser.add_argument("--no-serve", action="store_true", help="Build, print logins, exit.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, size, seed, no_serve, host, port, workers, **options) -> None:
        console = Console(file=self.stdout, highlight=False, width=110)  # type: ignore[arg-type]
        prepare_data_dir()
        with Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=max(total, 1))
                bar.update(tasks[step], completed=done, total=max(total, 1))

            try:
                logins = build_demo(seed=seed, size=size, progress=progress)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            # The similar-feedback index, so the first page that needs it does not wait.
            from lodestar.feedback.similar import build as build_similar
            from lodestar.feedback.similar import theme_list
            from lodestar.workspaces.models import Workspace

            demo = Workspace.objects.get(slug=SLUG)
            build_similar(
                demo, full=True, progress=lambda _s, done, total: progress("similar", done, total)
            )
            theme_list(demo)
        table = Table(title=f"Demo workspace '{SLUG}' ({size}, seed {seed})")
        for column in ("role", "name", "email", "password"):
            table.add_column(column)
        for login in logins:
            table.add_row(login.role, login.name, login.email, login.password)
        console.print(table)
        console.print(f"Sign in at http://{host}:{port}/accounts/login/")
        for product in demo.products.order_by("key"):
            console.print(
                f"Capture key of {product.name} ({product.key}): {product.write_key}  "
                f"(PostHog / Segment SDKs: host http://{host}:{port})"
            )
        share = share_link_path(demo)
        if share:
            console.print(f"Share link for the board (no sign-in): http://{host}:{port}{share}")
        if not no_serve:
            call_command("serve", host=host, port=port, workers=workers, timeout=60)
