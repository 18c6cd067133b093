"""Import practice list sizes (registered or weighted) from a national CSV (a thin shell)."""

import argparse
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from networks import services
from networks.importers import FileNotRecognised, ImportFailed

from ._reporting import report_failure, report_invalid, report_outcome


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it as YYYY-MM-DD."
        ) from None


class Command(BaseCommand):
    help = (
        "Import practice list sizes. Registered list sizes come from NHS Digital's "
        "gp-reg-pat-prac-all.csv (the SEX=ALL, AGE=ALL total; the date is its EXTRACT_DATE). "
        "Weighted (Carr-Hill) list sizes come from an NHS Payments to General Practice CSV, "
        "which carries no date: --date YYYY-MM-DD is required for it. The kind of file is told "
        "from its headers. Each import sets its own figure on the practice's row for that date "
        "and leaves the other figure alone. Practices that are not in the register are skipped "
        "and listed as warnings (import the ePCN file first): these files carry too little to "
        "create a practice. A payments row with 0 registered and 0 weighted patients (a practice "
        "with no list that year) is skipped with a warning. A practice the file puts in another "
        "PCN than the register does on that date (its `PCN Code`, or `Code` in 2022/23) is "
        "imported and named in a warning. All or nothing: if any row is bad, "
        "each is listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")
        parser.add_argument(
            "--date",
            type=_date,
            help="the date a payments file's weighted figures stand for (YYYY-MM-DD)",
        )

    def handle(self, *args, path, date=None, **options):
        try:
            outcome = services.list_sizes_import(path=path, date=date)
        except FileNotRecognised as exc:
            raise CommandError(str(exc)) from None
        except ImportFailed as exc:
            report_failure(self, exc)
        except ValidationError as exc:
            report_invalid(exc)
        report_outcome(self, outcome)
