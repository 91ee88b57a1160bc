"""`lodestar import companies|people|feedback FILE.csv --workspace SLUG [--dry-run]`.

The module is called import.py, a keyword: Django loads commands with importlib by name, so
that works; nothing imports it with an import statement.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lodestar.accounts.models import User
from lodestar.core.errors import LodestarError
from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.imports.engine import (
    CREATE,
    INVALID,
    UNCHANGED,
    UPDATE,
    Plan,
    import_apply,
    import_plan,
)
from lodestar.imports.kinds import import_kind
from lodestar.imports.mapping import auto_map, override
from lodestar.imports.reader import delimiter_from, read_table
from lodestar.workspaces.models import Membership, Role, Workspace
from lodestar.workspaces.permissions import role_can

SHOWN_PROBLEMS = 50


class Command(LodestarCommand):
    help = (
        "Import companies or people from a CSV file (UTF-8, delimiter , ; tab or |). "
        "Nothing is written if a row is invalid, unless --skip-invalid. Re-importing the same "
        "file changes nothing: rows match on external id, then domain (companies) or email "
        "(people)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", metavar="KIND", help="companies, people or feedback")
        parser.add_argument("file", metavar="FILE", help="The CSV file; - reads standard input.")
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the others (default: import nothing).",
        )
        parser.add_argument(
            "--delimiter", metavar="NAME", help="comma, semicolon, tab or pipe (default: detected)."
        )
        parser.add_argument(
            "--map",
            dest="maps",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="Feed FIELD from COLUMN (a header or a column number); FIELD 'ignore' skips "
            "the column. Repeatable. Columns are otherwise mapped by their header.",
        )
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="EMAIL",
            help="The member the activity log names (default: the workspace's first owner).",
        )

    def handle(self, *args, **options) -> None:
        prepare_data_dir()
        try:
            self._run(**options)
        except LodestarError as exc:
            raise CommandError(exc.message) from None

    def _run(
        self, *, kind, file, workspace, dry_run, skip_invalid, delimiter, maps, actor, **_options
    ) -> None:
        kind = import_kind(kind)
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        user = self._actor(ws, actor)
        data = self._read(file)
        filename = "stdin" if file == "-" else Path(file).name
        table = read_table(data, delimiter=delimiter_from(delimiter))
        mapping = override(kind, table, auto_map(kind, table.header), self._overrides(maps))
        console = Console(stderr=True)
        with self._bar(console) as bar:
            task = bar.add_task("Checking", total=max(len(table.rows), 1))
            plan = import_plan(
                kind=kind,
                workspace=ws,
                table=table,
                mapping=mapping,
                progress=lambda done, total: bar.update(task, completed=done, total=max(total, 1)),
            )
        self._report_plan(plan, filename)
        invalid = plan.invalid_rows
        if invalid and not skip_invalid:
            rows = f"{invalid} row has" if invalid == 1 else f"{invalid} rows have"
            if dry_run:
                raise CommandError(f"Dry run: {rows} problems.")
            raise CommandError(
                f"Nothing was imported: {rows} problems. Fix them, or pass --skip-invalid "
                "to import the other rows."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        with self._bar(console) as bar:
            task = bar.add_task("Importing", total=None)
            result = import_apply(
                plan=plan,
                workspace=ws,
                actor=user,
                skip_invalid=skip_invalid,
                filename=filename,
                progress=lambda done, total: bar.update(task, completed=done, total=max(total, 1)),
            )
        self.stdout.write(
            f"Imported {kind.label.lower()}: {result.created} created, {result.updated} "
            f"updated, {result.unchanged} unchanged, {result.skipped} skipped."
        )

    def _bar(self, console: Console) -> Progress:
        return Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )

    def _actor(self, ws: Workspace, email: str | None) -> User:
        members = Membership.objects.filter(workspace=ws).select_related("user")
        if email is None:
            owner = members.filter(role=Role.OWNER).order_by("created_at", "id").first()
            if owner is None:
                raise CommandError(f"Workspace {ws.slug!r} has no owner: pass --as EMAIL.")
            return owner.user
        member = members.filter(user__email=email.strip().lower()).first()
        if member is None:
            raise CommandError(f"{email} is not a member of {ws.slug!r}.")
        if not role_can(member.role, "customer.import"):
            raise CommandError(
                f"{email} is a {member.get_role_display().lower()} in {ws.slug!r}, who may not "
                "import (owners, admins and product managers may)."
            )
        return member.user

    def _read(self, file: str) -> bytes:
        if file == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(file).read_bytes()
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a directory, not a CSV file.") from None
        except PermissionError:
            raise CommandError(f"{file} cannot be read (permission denied).") from None

    def _overrides(self, maps: list[str]) -> dict[str, str]:
        overrides = {}
        for item in maps:
            column, sep, field = item.partition("=")
            if not sep or not column.strip():
                raise CommandError(
                    f"--map {item!r}: write COLUMN=FIELD, e.g. --map Website=domain."
                )
            overrides[column.strip()] = field.strip()
        return overrides

    def _report_plan(self, plan: Plan, filename: str) -> None:
        out = self.stdout
        kind, table = plan.kind, plan.table
        out.write(
            f"{filename}: {len(table.rows)} rows, {table.delimiter_name}-separated"
            f"{', UTF-8 with BOM' if table.had_bom else ''}."
        )
        mapped = [
            f"{table.column_name(i)} -> {kind.field(name).label}"
            for i, name in enumerate(plan.mapping)
            if name
        ]
        out.write("Columns: " + "; ".join(mapped) + ".")
        if plan.ignored_columns:
            out.write("Ignored columns: " + ", ".join(plan.ignored_columns) + ".")
        counts = plan.counts
        out.write(
            f"To create: {counts[CREATE]}, to update: {counts[UPDATE]}, "
            f"unchanged: {counts[UNCHANGED]}, with problems: {counts[INVALID]}."
        )
        if plan.unkeyed_rows:
            keys = " or ".join(kind.field(name).label.lower() for name in kind.match_fields)
            out.write(
                f"Note: {plan.unkeyed_rows} new rows have no {keys}; importing the file again "
                "will add them again."
            )
        problems = plan.problems
        for problem in problems[:SHOWN_PROBLEMS]:
            out.write(str(problem))
        if len(problems) > SHOWN_PROBLEMS:
            out.write(f"and {len(problems) - SHOWN_PROBLEMS} more")
