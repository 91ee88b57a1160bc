from django.conf import settings

from lodestar.core.management.base import LodestarCommand, prepare_data_dir


class Command(LodestarCommand):
    help = "Create the data directory and apply database migrations."

    def handle(self, *args, **options) -> None:
        prepare_data_dir()
        self.stdout.write(f"Lodestar is ready in {settings.DATA_DIR}")
