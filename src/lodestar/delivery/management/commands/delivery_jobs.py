from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.delivery.jobs import run_due


class Command(LodestarCommand):
    help = (
        "Run the delivery jobs now: re-forecast open releases, check budgets, send risk review "
        "reminders (server workers do this on their own every hour)."
    )

    def handle(self, *args, **options) -> None:
        prepare_data_dir()
        done = run_due(force=True)
        if done is None:
            self.stdout.write("Another process is running the delivery jobs; try again shortly.")
            return
        for name, count in done.items():
            self.stdout.write(f"{name}: {count}")
