"""Import what NHS England reported as paid to each practice in each PCN stream over a year,
from an NHS Payments to General Practice CSV, for the reconciliation (a thin shell)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from networks.importers import FileNotRecognised, ImportFailed
from networks.management.commands._reporting import (
    WARNINGS_SHOWN,
    report_failure,
    report_invalid,
)
from pcn_admin.dates import year_label
from reimbursement.services import reported_import


class Command(BaseCommand):
    help = (
        "Import an NHS Payments to General Practice CSV (NHS England) of any vintage: what was "
        "reported as paid to each practice in each PCN stream over the financial year --year "
        "(2022 for 2022/23). Columns are read by header name: the PCN code is `PCN Code`, or "
        "`Code` in 2022/23 (whose `CCG NAME` column holds the PCN's name); the streams are "
        "`PCN Participation`, `PCN Support`, `PCN Leadership`, `PCN Extended Hours Access`, "
        "`PCN Enhanced Access`, `PCN Workforce` (ARRS), `PCN Investment and impact Fund`, "
        "`PCN Care Home Premium` and any capacity and access column, as far as the vintage "
        "has them. Each practice's payments belong to the PCN the file names for it. A "
        "practice the register does not know is kept and named in a warning. All or nothing: "
        "a missing column, a practice code that is not one letter and five digits, or an "
        "amount that is not a number, and every bad row is listed and nothing is imported. "
        "The year's earlier import is replaced; the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")
        parser.add_argument(
            "--year",
            type=int,
            required=True,
            help="the financial year the file reports, as its first year (2022 for 2022/23)",
        )

    def handle(self, *args, path, year, **options):
        try:
            outcome = reported_import(path=path, year=year)
        except FileNotRecognised as exc:
            raise CommandError(str(exc)) from None
        except ImportFailed as exc:
            report_failure(self, exc)
        except ValidationError as exc:
            if hasattr(exc, "message_dict") and "year" in exc.message_dict:
                raise CommandError(" ".join(exc.message_dict["year"])) from None
            report_invalid(exc)
        record = outcome.record
        for warning in outcome.warnings[:WARNINGS_SHOWN]:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        hidden = len(outcome.warnings) - WARNINGS_SHOWN
        if hidden > 0:
            self.stdout.write(
                self.style.WARNING(
                    f"... and {hidden} more warnings, kept with import record {record.pk}."
                )
            )
        if not outcome.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{record.file_name} is already imported for {year_label(year)}: no changes."
                )
            )
            return
        counts = outcome.counts
        streams = ", ".join(f"{code}: {n}" for code, n in counts.get("streams", {}).items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {record.file_name} for {year_label(year)}: {counts['rows']} "
                f"practices, {counts['payments']} payments stored (practices paid, by stream: "
                f"{streams}); {counts['practices_not_in_register']} practices and "
                f"{counts['pcns_not_in_register']} PCNs not in the register."
            )
        )
