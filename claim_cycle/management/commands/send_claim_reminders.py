"""Send the claim reminders due today now: the scheduled job's own code, run here."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from claim_cycle import tasks


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--today {value!r} is not a date: give it as YYYY-MM-DD, for example 2025-07-01."
        ) from None


class Command(BaseCommand):
    help = (
        "Send the reminders due: practice managers before their claim deadline, commissioner "
        "staff about claims waiting for review, clinical directors when a batch is paid. Each "
        "reminder is sent once, however often this runs. Prints a line per message sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Act as if today were this date (to catch up on a day the job did not run).",
        )

    def handle(self, *args, today=None, **options):
        day = _date(today) if today else None
        lines = tasks.send_claim_reminders(day.isoformat() if day else None)
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"{len(lines)} sent")
