"""Payroll uploads: a practice's payroll file received, checked and kept (even with problems,
so it can be shown again for correction), matched to the staff in post, and, once confirmed,
used to fill the draft claim's lines through claim_lines_update, the claim form's own service,
so the money rule prices them. Nothing reaches a line until every row is matched or left out.
"""

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from networks.importers import FileNotRecognised, FileTooLarge
from pcn_admin.dates import month_bounds
from roles.models import Post

from .. import payroll
from ..models import Claim, ClaimLine, PayrollUpload
from .claims import _require_editable, _save, claim_lines_update, claim_refresh_lines

NOT_CLAIMABLE = {
    "baseline": "was in post on 31 March 2019 (the PCN's baseline), so cannot be claimed.",
    "earlier_gp": "was in post at the PCN before 1 October 2024, so cannot be claimed as a newly "
    "qualified GP.",
}


def posts_in_month(pcn_id: int, month: dt.date):
    """The PCN's posts in post at some point in the month, claimable or not (a payroll lists
    baseline staff too: their rows are recognised and left out, not reported as unknown)."""
    first, last = month_bounds(month)
    return (
        Post.objects.filter(pcn_id=pcn_id, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .select_related("role")
        .order_by("role__name", "person_name", "pk")
    )


def payroll_staff(claim: Claim) -> list[payroll.StaffMember]:
    """The staff in post in the claim's month as matching sees them, with their lines. Two
    queries whatever the number of staff."""
    lines = {
        line.post_id: line
        for line in ClaimLine.objects.filter(claim_id=claim.pk).only("pk", "post_id", "approved_at")
    }
    staff = []
    for post in posts_in_month(claim.pcn_id, claim.month):
        why = ""
        if post.in_post_at_baseline and not post.transferred_from_national_scheme:
            why = NOT_CLAIMABLE["baseline"]
        elif post.earlier_post_at_pcn:
            why = NOT_CLAIMABLE["earlier_gp"]
        line = lines.get(post.pk)
        staff.append(
            payroll.StaffMember(
                post_id=post.pk,
                name=post.person_name,
                registration_number=post.registration_number,
                role=post.role.name,
                claimable=not why,
                not_claimable_why=why,
                line_id=line.pk if line else None,
                line_locked=bool(line and line.approved_at),
            )
        )
    return staff


def payroll_matching(
    upload: PayrollUpload, choices: dict[int, str] | None = None
) -> payroll.Matching:
    """The upload's rows matched to the staff in post now (posts may have changed since it
    was uploaded), with the practice's `choices` (row number -> post id or LEAVE_OUT)."""
    rows, _ = payroll.check_rows(upload.rows, upload.claim.month)
    return payroll.match_rows(rows, payroll_staff(upload.claim), choices)


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


@transaction.atomic
def payroll_upload_receive(*, claim: Claim, file, by) -> PayrollUpload:
    """Read and check a payroll file for a draft claim and keep it: RECEIVED when every row
    reads, REFUSED (with each problem, by row) when not. Refused outright, keeping nothing,
    only when the file is not a CSV or .xlsx at all, or too large to read."""
    _require_editable(claim)
    name = Path(file.name or "payroll").name[:255]
    try:
        kind = payroll.file_format(name)
    except FileNotRecognised as error:
        raise _file_error(str(error)) from None
    upload = PayrollUpload(claim=claim, file_name=name, file_format=kind, uploaded_by=by)
    try:
        upload.rows = payroll.read_payroll(file, name)
    except FileTooLarge as error:
        raise _file_error(str(error)) from None
    except FileNotRecognised as error:
        upload.problems = [payroll.Problem(None, "", "", str(error)).as_dict()]
    else:
        _, problems = payroll.check_rows(upload.rows, claim.month)
        upload.problems = [problem.as_dict() for problem in problems]
    upload.status = (
        PayrollUpload.Status.REFUSED if upload.problems else PayrollUpload.Status.RECEIVED
    )
    upload.full_clean()
    _save(upload, by)
    return upload


@transaction.atomic
def payroll_upload_confirm(
    *, upload: PayrollUpload, choices: dict[int, str] | None = None, by
) -> PayrollUpload:
    """Fill the draft's lines from a received upload: bring the lines up to date with the
    staff in post, then save each matched row's costs on its person's line (priced by the
    money rule, marked as from the payroll). Refused, changing nothing, while a row is not
    matched or two rows are the same person; the message names the rows."""
    claim = Claim.objects.select_for_update().select_related("pcn").get(pk=upload.claim_id)
    upload = PayrollUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status == PayrollUpload.Status.CONFIRMED:
        when = timezone.localtime(upload.confirmed_at)
        raise ValidationError(
            f"This payroll was already confirmed on {when:%d/%m/%Y at %H:%M}: the claim's lines "
            "were filled from it then."
        )
    if upload.status == PayrollUpload.Status.REFUSED:
        raise ValidationError(
            "This file has problems, listed on the page: correct the file and upload it again."
        )
    _require_editable(claim)
    claim_refresh_lines(claim=claim, by=by)
    upload.claim = claim
    matching = payroll_matching(upload, choices)
    if matching.problems:
        raise ValidationError(
            [
                "Nothing was filled in: some rows are not matched to one member of staff.",
                *matching.problems,
            ]
        )
    lines = dict(
        ClaimLine.objects.filter(claim_id=claim.pk, approved_at__isnull=True).values_list(
            "post_id", "pk"
        )
    )
    result = claim_lines_update(
        claim=claim,
        by=by,
        costs={lines[match.staff.post_id]: match.row.costs for match in matching.to_fill},
        source=ClaimLine.CostsSource.PAYROLL,
    )
    if result.refused:  # the whole file or nothing, as when a row is not matched
        raise ValidationError(
            [
                "Nothing was filled in: the costs for some staff were refused.",
                *(message for error in result.refused.values() for message in error.messages),
            ]
        )
    upload.status = PayrollUpload.Status.CONFIRMED
    upload.confirmed_at = timezone.now()
    upload.confirmed_by = by
    upload.choices = {str(match.row.row): match.choice for match in matching.matches}
    upload.lines_filled = len(matching.to_fill)
    upload.full_clean()
    _save(upload, by)
    return upload
