from lodestar.analytics.metrics import refresh_due
from lodestar.core.management.base import LodestarCommand, prepare_data_dir


class Command(LodestarCommand):
    help = (
        "Refresh the key results fed by saved charts that are due (every one with --all); "
        "server workers do this on their own every refresh interval."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Refresh every one, due or not.")

    def handle(self, *args, all: bool = False, **options) -> None:
        prepare_data_dir()
        done, failed = refresh_due(force=all)
        self.stdout.write(f"Refreshed {done} key result{'s' if done != 1 else ''}")
        if failed:
            self.stdout.write(f"{failed} failed: see each key result's page for the error.")
