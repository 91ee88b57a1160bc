from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.delivery.risk_reminders import send_review_reminders


class Command(LodestarCommand):
    help = (
        "Email the owner of each active risk whose review date has come (at most once a day "
        "per risk) and print how many were sent."
    )

    def handle(self, *args, **options) -> None:
        prepare_data_dir()
        sent = send_review_reminders()
        self.stdout.write(f"{sent} review reminder{'s' * (sent != 1)} sent.")
