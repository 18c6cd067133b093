"""Copy forward: start a month's claim from the previous month's figures.

Hours come from the posts as today (the lines were made from them); only the costs are copied,
and each copied line is marked as copied (ClaimLine.CostsSource.COPIED) until someone edits it,
so neither the practice nor the reviewer takes last month's pay for this month's unawares.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from reimbursement.calculations import month_label

from ..models import Claim, ClaimLine
from .claims import _require_editable, claim_lines_update


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _has_costs(line: ClaimLine) -> bool:
    return any(v is not None for v in (line.salary, line.employer_ni, line.employer_pension))


@dataclass(frozen=True)
class CopyForwardResult:
    copied: int  # lines given last month's costs
    kept: int  # lines that already had costs: left as typed
    new_staff: int  # lines with no line last month to copy from
    source: Claim


@transaction.atomic
def claim_copy_forward(*, claim: Claim, by) -> CopyForwardResult:
    """Give each line of a draft monthly claim that has no costs yet the costs of the same
    post's line on the PCN's claim for the month before, priced by the money rule for this
    month (claim_lines_update) and marked as copied. Lines with costs are left alone, so copying
    twice changes nothing."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require_editable(claim)
    if claim.kind != Claim.Kind.NORMAL:
        raise ValidationError(
            "An adjustment starts from the claim it corrects, not from the month before."
        )
    earlier = previous_month(claim.month)
    source = Claim.objects.filter(
        pcn_id=claim.pcn_id, month=earlier, kind=Claim.Kind.NORMAL
    ).first()
    if source is None:
        raise ValidationError(
            f"There is no claim for {month_label(earlier)} to copy from. Enter this month's "
            "costs, or upload the payroll."
        )
    before = {line.post_id: line for line in source.lines.all() if _has_costs(line)}
    costs: dict[int, dict] = {}
    kept = new_staff = 0
    for line in claim.lines.filter(approved_at__isnull=True).order_by("pk"):
        if _has_costs(line):
            kept += 1
            continue
        earlier_line = before.get(line.post_id)
        if earlier_line is None:
            new_staff += 1
            continue
        costs[line.pk] = {
            "salary": earlier_line.salary,
            "employer_ni": earlier_line.employer_ni,
            "employer_pension": earlier_line.employer_pension,
            "subcontract_fee": earlier_line.subcontract_fee,
        }
    result = claim_lines_update(
        claim=claim, by=by, costs=costs, source=ClaimLine.CostsSource.COPIED
    )
    if result.refused:  # last month's figures are the same line's: a refusal is a fault here
        raise next(iter(result.refused.values()))
    return CopyForwardResult(
        copied=len(result.saved), kept=kept, new_staff=new_staff, source=source
    )
