from django.conf import settings
from django.core.management import call_command

from lodestar.core.management.base import LodestarCommand


class Command(LodestarCommand):
    help = "Create the data directory and apply database migrations."

    def handle(self, *args, **options) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        settings.UPLOADS_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Lodestar is ready in {settings.DATA_DIR}")
