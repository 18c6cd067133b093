"""Bulk review: the commissioner approves every clean line of an area's claims in review for a
month in one action. A line is held back, with its reasons, when the claim's review page would
give the reviewer anything to look at: a problem that would stop the claim being submitted
(calculations.line_problems), an amount that could not be worked out, a warning on the line or
on its claim (kept at submission: the entitlement passed, 2019/20's one of each), or a maximum
that was derived rather than published.

Approval goes through claim_approve_remaining, the per-claim service (`only` the clean lines),
so it keeps the same guarantees: each claim locked, approved lines locked, history and the
practice's e-mail, all in one transaction. Lines are checked again under the claims' locks, so
what changed since the page was shown is held back, and a second press approves nothing twice.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from .. import calculations
from ..models import Claim, ClaimLine
from .review import claim_approve_remaining

ZERO = Decimal("0")


@dataclass
class ClaimGroup:
    """One claim's pending lines: the clean ones to approve, the held ones with reasons."""

    claim: Claim
    clean: list[ClaimLine] = field(default_factory=list)
    held: list[tuple[ClaimLine, list[str]]] = field(default_factory=list)

    @property
    def clean_total(self) -> Decimal:
        return sum((line.reimbursable or ZERO for line in self.clean), ZERO)


@dataclass
class BulkReviewPlan:
    month: dt.date
    groups: list[ClaimGroup]

    @property
    def clean(self) -> list[ClaimLine]:
        return [line for group in self.groups for line in group.clean]

    @property
    def held(self) -> list[tuple[ClaimLine, list[str]]]:
        return [pair for group in self.groups for pair in group.held]

    @property
    def clean_total(self) -> Decimal:
        return sum((group.clean_total for group in self.groups), ZERO)

    @property
    def clean_ids(self) -> list[int]:
        return [line.pk for line in self.clean]


def _pending_lines(claims: QuerySet[Claim], month: dt.date) -> QuerySet[ClaimLine]:
    in_review = claims.filter(month=month, status__in=Claim.IN_REVIEW)
    return (
        ClaimLine.objects.filter(claim__in=in_review, status=ClaimLine.Status.PENDING)
        .select_related("claim__pcn", "post__role", "post__employing_practice", "rate_used")
        .order_by("claim__pcn__code", "claim__kind", "claim_id", "post__role__name", "pk")
    )


def line_hold_reasons(line: ClaimLine) -> list[str]:
    """Why the line is not approved in bulk (empty: it is clean). `line.claim` and `line.post`
    must be loaded."""
    claim = line.claim
    reasons = list(calculations.line_problems(line, claim.month))
    if line.reimbursable is None:
        reasons.append(
            line.calculation_error
            or "No amount has been worked out for this line: open the claim to check it."
        )
    elif line.calculation_error:
        reasons.append(line.calculation_error)
    reasons += line.warnings
    for warning in claim.warnings or []:
        if warning.get("line") == line.pk:
            reasons.append(warning["message"])
        elif warning.get("line") is None:
            reasons.append(f"The claim has a warning: {warning['message']}")
    if line.rate_used_id and line.rate_used.is_derived:
        reasons.append(
            f"Priced on a derived maximum, not a published one ({line.rate_used.summary}, "
            f"{line.rate_used.provenance_text}): check the basis before approving."
        )
    return list(dict.fromkeys(reasons))  # each reason once, in order


def bulk_review_plan(*, claims: QuerySet[Claim], month: dt.date) -> BulkReviewPlan:
    """The month's claims in review among `claims` (the reviewer's area, from
    access.visible_claims), their pending lines split into clean and held. One query."""
    groups: dict[int, ClaimGroup] = {}
    for line in _pending_lines(claims, month.replace(day=1)):
        group = groups.setdefault(line.claim_id, ClaimGroup(claim=line.claim))
        reasons = line_hold_reasons(line)
        if reasons:
            group.held.append((line, reasons))
        else:
            group.clean.append(line)
    return BulkReviewPlan(month=month.replace(day=1), groups=list(groups.values()))


@dataclass(frozen=True)
class BulkApproveResult:
    approved: int
    claims: int
    not_approved: list[str]  # lines asked for but held back now, or already decided


@transaction.atomic
def claim_lines_bulk_approve(
    *, claims: QuerySet[Claim], month: dt.date, line_ids, by
) -> BulkApproveResult:
    """Approve the lines `line_ids` (those the reviewer was shown as clean) that are still
    pending and clean, claim by claim through claim_approve_remaining. A line that has been
    decided meanwhile, or now has something to look at, is left for the claim's page."""
    wanted = {int(pk) for pk in line_ids}
    if not wanted:
        raise ValidationError("There are no lines to approve.")
    month = month.replace(day=1)
    # Lock the claims first (in one order, as every claim service does), then check the lines
    # under the locks: nothing can change between the check and the approval.
    claim_ids = list(
        claims.filter(month=month, lines__pk__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    list(Claim.objects.select_for_update().filter(pk__in=claim_ids).order_by("pk").values("pk"))
    plan = bulk_review_plan(claims=Claim.objects.filter(pk__in=claim_ids), month=month)
    approved = claimed = 0
    seen: set[int] = set()
    for group in plan.groups:
        ids = [line.pk for line in group.clean if line.pk in wanted]
        seen.update(line.pk for line in group.clean)
        seen.update(line.pk for line, _ in group.held)
        if not ids:
            continue
        claim_approve_remaining(claim=group.claim, by=by, only=ids)
        approved += len(ids)
        claimed += 1
    not_approved = [
        f"{line.post.person_name} ({line.claim}): {' '.join(reasons)}"
        for line, reasons in plan.held
        if line.pk in wanted
    ]
    gone = len(wanted - seen)
    if gone:
        not_approved.append(
            f"{gone} line(s) had already been decided, or their claim returned, since the list "
            "was shown: nothing more was done to them."
        )
    return BulkApproveResult(approved=approved, claims=claimed, not_approved=not_approved)
