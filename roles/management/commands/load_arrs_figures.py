"""Load a table of national ARRS figures from the shell (a thin shell over roles.resources, the
same import as the admin's): python manage.py load_arrs_figures maxima.csv [--dry-run]."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult

from networks.importers import FileNotRecognised, check_size
from roles.resources import EntitlementRateResource, RateResource, ReimbursementPercentageResource

RESOURCES = {
    "maxima": RateResource,
    "percentages": ReimbursementPercentageResource,
    "arr-sum-rates": EntitlementRateResource,
}
FORMATS = {".csv": CSV, ".xlsx": XLSX}
ERRORS_SHOWN = 100


def read_dataset(path: Path):
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise CommandError(f"{path.name} is not a .csv or .xlsx file.")
    try:
        check_size(path, path.name)
    except FileNotRecognised as refused:
        raise CommandError(str(refused)) from None
    file_format = file_format()
    if file_format.is_binary():
        return file_format.create_dataset(path.read_bytes())
    try:
        return file_format.create_dataset(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise CommandError(f"{path.name} is not UTF-8 text: save it as CSV UTF-8.") from None


def row_errors(result) -> list[str]:
    """Each bad row, by its number (rows are counted after the header, as in the admin's
    preview), with the cell and what is wrong with it."""
    lines = [f"The file: {error.error}" for error in result.base_errors]
    for number, errors in result.row_errors():
        lines += [f"Row {number} (line {number + 1} of the file): {e.error}" for e in errors]
    for invalid in result.invalid_rows:
        for column, messages in invalid.field_specific_errors.items():
            lines += [
                f"Row {invalid.number} (line {invalid.number + 1}): {column}: {m}" for m in messages
            ]
        lines += [
            f"Row {invalid.number} (line {invalid.number + 1}): {m}"
            for m in invalid.non_field_specific_errors
        ]
    return lines


class Command(BaseCommand):
    help = (
        "Load national ARRS figures from a CSV or XLSX file with a header row: maxima (role, "
        "region, afc_band, effective_from, annual_max, provenance, basis, as "
        "roles/data/maxima.csv), reimbursement percentages or ARR sum rates (--figures). A row is "
        "known by its role, region, band and date: a new one is added, a changed one corrected "
        "(never one a batched claim has used), the same one left alone, so loading a file twice "
        "changes nothing. All or nothing: if any row is bad, each is listed and nothing is "
        "written. --dry-run lists what would change and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV or XLSX file")
        parser.add_argument(
            "--figures",
            choices=sorted(RESOURCES),
            default="maxima",
            help="which table the file holds (default: maxima)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change; write nothing"
        )

    def handle(self, *args, path, figures, dry_run, **options):
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        dataset = read_dataset(path)
        resource = RESOURCES[figures]()
        result = resource.import_data(dataset, dry_run=dry_run, file_name=path.name)
        if result.has_errors() or result.has_validation_errors():
            problems = row_errors(result)
            for line in problems[:ERRORS_SHOWN]:
                self.stderr.write(line)
            if len(problems) > ERRORS_SHOWN:
                self.stderr.write(f"... and {len(problems) - ERRORS_SHOWN} more.")
            raise CommandError(f"Nothing was written: correct {path.name} and load it again.")
        for row in result.rows:
            if row.import_type == RowResult.IMPORT_TYPE_NEW:
                self.stdout.write(f"New: {row.object_repr}")
            elif row.import_type == RowResult.IMPORT_TYPE_UPDATE:
                self.stdout.write(f"Changed: {row.object_repr}")
        totals = result.totals
        counts = (
            f"{totals[RowResult.IMPORT_TYPE_NEW]} new, {totals[RowResult.IMPORT_TYPE_UPDATE]} "
            f"changed, {totals[RowResult.IMPORT_TYPE_SKIP]} unchanged"
        )
        if dry_run:
            self.stdout.write(
                self.style.WARNING(f"Dry run of {path.name}: {counts}. Nothing written.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {path.name}: {counts}."))
