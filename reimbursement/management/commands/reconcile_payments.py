"""Write the reconciliation of a financial year to standard output as CSV: for each PCN and
stream, what the app paid (or would have paid) against what NHS England reported (a thin
shell over reimbursement.reconciliation)."""

import csv

from django.core.management.base import BaseCommand, CommandError

from networks.models import Commissioner
from pcn_admin.dates import year_label
from pcn_admin.spreadsheets import defused
from reimbursement.reconciliation import reconcile

COLUMNS = ("pcn", "stream", "app", "reported", "difference")


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


class Command(BaseCommand):
    help = (
        "Write the reconciliation of --year (2022 for 2022/23) as CSV to standard output, with "
        "the columns pcn,stream,app,reported,difference: one row per PCN and stream (arrs, "
        "participation, core, clinical_director, extended_hours, enhanced_access, iif, "
        "care_home_premium, capacity_access). `app` is what the app paid in finalised batches, "
        "plus what it would have paid for the months none paid; it is empty where the app has "
        "no rate for the year (clinical director 2022/23). `reported` is what the imported NHS "
        "Payments to General Practice file reports for the PCN it names, empty where that "
        "file's vintage does not report the stream. `difference` is app less reported. A PCN "
        "the file names but the register does not know is included by its code. Import the "
        "file first with import_reported_payments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="e.g. 2022 for 2022/23")
        parser.add_argument(
            "--commissioner",
            metavar="CODE",
            help="only this commissioner's (Sub-ICB location's) PCNs; default: every PCN",
        )

    def handle(self, *args, year, commissioner=None, **options):
        chosen = None
        if commissioner:
            chosen = Commissioner.objects.filter(code=commissioner.strip().upper()).first()
            if chosen is None:
                raise CommandError(
                    f"No commissioner has the code {commissioner!r}: give a Sub-ICB location's "
                    "ODS code, for example 00L."
                )
        result = reconcile(year=year, commissioner=chosen)
        if result.source is None:
            raise CommandError(
                f"No NHS Payments to General Practice file has been imported for "
                f"{year_label(year)}: import it first with "
                f"`python manage.py import_reported_payments PATH --year {year}`."
            )
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in result.rows:
            writer.writerow(
                [
                    defused(row.pcn_code),
                    row.stream.code,
                    _money(row.app),
                    _money(row.reported),
                    _money(row.difference),
                ]
            )
