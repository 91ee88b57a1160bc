from pathlib import Path

from django.core.management import CommandError

from lodestar.core.backup import BackupError, backup_restore
from lodestar.core.management.base import LodestarCommand


class Command(LodestarCommand):
    help = "Restore an installation from FILE. Refuses a data dir that holds data, unless --force."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--force", action="store_true", help="Replace whatever the data dir holds now."
        )

    def handle(self, *args, file: str, force: bool, **options) -> None:
        try:
            summary = backup_restore(Path(file), force=force, console_out=self.stdout)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {file}: {summary}")
