from pathlib import Path

from django.core.management import CommandError

from lodestar.core.backup import BackupError, backup_write
from lodestar.core.management.base import LodestarCommand


class Command(LodestarCommand):
    help = "Write the whole installation (database, uploads, secret key) to FILE (.tar.gz)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--force", action="store_true", help="Overwrite FILE if it exists.")

    def handle(self, *args, file: str, force: bool, **options) -> None:
        try:
            summary = backup_write(Path(file), overwrite=force, console_out=self.stdout)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Wrote {file}: {summary}")
