"""Anonymise referrals past the retention period now: the nightly task's code, run here."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from referrals import retention


class Command(BaseCommand):
    help = (
        "Remove the identifying details of referrals that closed more than "
        "REFERRAL_RETENTION_YEARS years ago, keeping the facts the dashboards count."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say how many referrals would be anonymised, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        cutoff = retention.retention_cutoff(today=today)
        closed = f"closed before {cutoff.day} {cutoff:%B %Y}"
        if dry_run:
            count = retention.referrals_expired(today=today).count()
            self.stdout.write(
                f"{count} referral(s) {closed} would be anonymised. Dry run: nothing changed."
            )
            return
        count = retention.referrals_anonymise_expired(today=today)
        self.stdout.write(f"Anonymised {count} referral(s) {closed}.")
