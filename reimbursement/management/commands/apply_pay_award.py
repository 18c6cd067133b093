"""Apply a national pay award to the ARRS maxima (reimbursement.services.pay_award_apply)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pcn_admin.models import User
from reimbursement import services


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"“{text}” is not a date. Give it as YYYY-MM-DD, for example 2025-04-01."
        ) from None


class Command(BaseCommand):
    help = (
        "Create derived-uplift maxima from a date for every role of a staff group (afc: every "
        "role but the GP; gp: the GP), raised by a national pay award, and draft adjustment "
        "claims for approved lines the award leaves under-paid. Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--percent", required=True, help="The award, e.g. 3.6 for 3.6%%.")
        parser.add_argument(
            "--from",
            dest="effective_from",
            required=True,
            metavar="YYYY-MM-DD",
            help="The day the award starts: the 1st of a month.",
        )
        parser.add_argument(
            "--group", required=True, help="afc (Agenda for Change: every role but the GP) or gp."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="The national administrator applying it, for the history. Default: the system.",
        )

    def handle(self, *args, percent, effective_from, group, dry_run=False, by=None, **options):
        user = None
        if by:
            user = User.objects.filter(username=by, is_active=True, is_superuser=True).first()
            if user is None:
                raise CommandError(
                    f"There is no active national administrator (superuser) called “{by}”."
                )
        try:
            result = services.pay_award_apply(
                percent=percent,
                effective_from=_date(effective_from),
                group=group,
                by=user,
                dry_run=dry_run,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        award = result.award.label
        if not result.planned:
            self.stdout.write(f"Nothing to do: the {award} is already applied to every figure.")
        else:
            verb = "Would create" if dry_run else "Created"
            self.stdout.write(f"{verb} {len(result.planned)} maxima for the {award}:")
            for planned in result.planned:
                superseded = " (supersedes the figure of that date)" * planned.supersedes_base
                self.stdout.write(f"  {planned.describe()}{superseded}")
        self._write_lines(result)

    def _write_lines(self, result) -> None:
        waiting = [item for item in result.underpaid if item.adjustment is None]
        if result.dry_run and waiting:
            self.stdout.write(
                f"Would draft adjustments for {len(waiting)} approved line(s) now under-paid:"
            )
            for item in waiting:
                self.stdout.write(f"  {item.describe()}")
        for claim in result.adjustments:
            lines = [i for i in result.underpaid if i.adjustment and i.adjustment.pk == claim.pk]
            self.stdout.write(
                f"Drafted {claim} for the practice to submit ({len(lines)} line(s) under-paid):"
            )
            for item in lines:
                self.stdout.write(f"  {item.describe()}")
        drafted = {claim.pk for claim in result.adjustments}
        earlier = [i for i in result.underpaid if i.adjustment and i.adjustment.pk not in drafted]
        if earlier:
            self.stdout.write(
                f"{len(earlier)} under-paid line(s) are already in an adjustment claim."
            )
        for problem in result.problems:
            self.stderr.write(problem)
