"""Base for Lodestar's commands: the shared --data-dir option and friendly errors."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def prepare_data_dir() -> None:
    """Create the data dir's folders and apply pending migrations (quick when none are)."""
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.UPLOADS_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)


class LodestarCommand(BaseCommand):
    # Django's own checks would run on every call; our commands run them where it matters.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--data-dir",
            metavar="D",
            help="Installation directory (default: $LODESTAR_DATA_DIR, else ./lodestar-data).",
        )
        return parser
