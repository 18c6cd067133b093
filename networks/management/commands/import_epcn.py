"""Import the national ePCN workbook into the register (a thin shell over the service)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from networks import services
from networks.importers import FileNotRecognised, ImportFailed

from ._reporting import report_failure, report_invalid, report_outcome


class Command(BaseCommand):
    help = (
        "Bring the register up to date with an ePCN .xlsx from NHS England's ODS pages (any "
        "vintage: 'PCN Details' or 'PCNDetails', CCG or Sub ICB headers). Creates or updates "
        "Sub-ICB locations, PCNs, practices and practice-to-PCN memberships (history kept; end "
        "dates follow the file). A membership of a PCN in the file that the file no longer "
        "lists (withdrawn or re-dated by ODS) is removed and named in a warning. "
        "All or nothing: if any row is bad, each is listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the ePCN .xlsx file")

    def handle(self, *args, path, **options):
        try:
            outcome = services.epcn_import(path=path)
        except FileNotRecognised as exc:
            raise CommandError(str(exc)) from None
        except ImportFailed as exc:
            report_failure(self, exc)
        except ValidationError as exc:
            report_invalid(exc)
        report_outcome(self, outcome)
