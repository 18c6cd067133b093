"""Build the monthly payment batches now: the scheduled job's code, run synchronously."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reimbursement import batches


class Command(BaseCommand):
    help = (
        "Build each commissioner's payment batch of approved claim lines not yet in a batch. "
        "By default for last month and every commissioner with lines waiting."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month paid for, as YYYY-MM. Default: last month.")
        parser.add_argument(
            "--commissioner",
            action="append",
            dest="commissioners",
            metavar="CODE",
            help="Only this commissioner's batch (its ODS code). May be given more than once.",
        )

    def handle(self, *args, month=None, commissioners=None, **options):
        try:
            paid_month = batches.parse_month(month) if month else batches.default_month()
            results = batches.batches_build(
                month=paid_month, commissioner_codes=[c.upper() for c in commissioners or []]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not results:
            self.stdout.write(f"No approved claim lines are waiting for {paid_month:%B %Y}.")
        for result in results:
            write = self.stderr.write if result.failed else self.stdout.write
            write(f"{result.commissioner_code}: {result.message}")
        failed = [result.commissioner_code for result in results if result.failed]
        if failed:
            raise CommandError(
                f"The batches for {', '.join(failed)} failed and were not changed; the others "
                "were built. Fix the cause and run the command again."
            )
