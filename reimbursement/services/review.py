"""The commissioner's review of a submitted claim: approve or reject each line, return the
claim with a question, or approve what is left."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import emails
from ..models import Claim, ClaimLine
from .claims import _check_line, _derived_status, _save, _write_lines


def _require_in_review(claim: Claim) -> None:
    if not claim.in_review:
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()}: only a submitted claim with "
            "lines still to decide can be reviewed."
        )


def _decide(*, line: ClaimLine, status: str, reason: str, by) -> ClaimLine:
    # The claim before its line, as every claim service locks them (no deadlock).
    claim = Claim.objects.select_for_update().select_related("pcn").get(pk=line.claim_id)
    line = ClaimLine.objects.select_for_update().select_related("post").get(pk=line.pk)
    _require_in_review(claim)
    if line.status != ClaimLine.Status.PENDING:
        raise ValidationError(
            f"This line has already been {line.get_status_display().lower()}. Return the claim "
            "to the practice if it needs another look."
        )
    now = timezone.now()
    line.status = status
    line.decision_reason = reason.strip()
    line.decided_at = now
    line.decided_by = by
    line.approved_at = now if status == ClaimLine.Status.APPROVED else None
    line.full_clean(exclude=["claim", "post"])
    _save(line, by)
    _refresh_status(claim, by)
    return line


def _refresh_status(claim: Claim, by) -> None:
    status = _derived_status(list(claim.lines.all()))
    if status != claim.status:
        claim.status = status
        _save(claim, by)


@transaction.atomic
def claim_line_approve(*, line: ClaimLine, reason: str = "", by) -> ClaimLine:
    """Approve a pending line. Approved lines are locked: they are what the commissioner pays."""
    line = _decide(line=line, status=ClaimLine.Status.APPROVED, reason=reason, by=by)
    emails.notify_practice(
        line.claim,
        "a line was approved",
        f"{line.post.person_name}'s line (£{line.reimbursable:,}) was approved."
        + (f" Reason: {line.decision_reason}" if line.decision_reason else ""),
    )
    return line


@transaction.atomic
def claim_line_reject(*, line: ClaimLine, reason: str, by) -> ClaimLine:
    if not reason or not reason.strip():
        raise ValidationError(
            {"reason": "Give the reason for rejecting the line, so the practice can act on it."}
        )
    line = _decide(line=line, status=ClaimLine.Status.REJECTED, reason=reason, by=by)
    emails.notify_practice(
        line.claim,
        "a line was rejected",
        f"{line.post.person_name}'s line was rejected. Reason: {line.decision_reason}",
    )
    return line


@transaction.atomic
def claim_return(*, claim: Claim, query: str, by) -> Claim:
    """Send the claim back to the practice with a question. Lines not approved reopen for
    correction (their last decision and reason stay in the history); approved lines stay."""
    if not query or not query.strip():
        raise ValidationError({"query": "Write the question the practice needs to answer."})
    claim = Claim.objects.select_for_update().select_related("pcn").get(pk=claim.pk)
    if claim.status == Claim.Status.RETURNED:
        raise ValidationError("This claim has already been returned to the practice.")
    if claim.status not in (*Claim.IN_REVIEW, Claim.Status.REJECTED):
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()}, so it cannot be returned."
        )
    reopened = list(claim.lines.filter(status=ClaimLine.Status.REJECTED))
    for line in reopened:
        line.status = ClaimLine.Status.PENDING
        line.decided_at = None
        line.decided_by = None
    _write_lines(reopened, by)
    claim.status = Claim.Status.RETURNED
    claim.query = query.strip()
    claim.returned_at = timezone.now()
    claim.returned_by = by
    claim.full_clean()
    _save(claim, by)
    emails.notify_practice(
        claim,
        "returned with a question",
        f"Your commissioner returned the claim with this question:\n\n{claim.query}\n\n"
        "Correct the claim and submit it again.",
    )
    return claim


@transaction.atomic
def claim_approve_remaining(*, claim: Claim, by, only: Iterable[int] | None = None) -> Claim:
    """Approve every line still pending (rejected lines stay rejected); with `only` (line
    ids), just those of them: the bulk review approves a claim's clean lines this way."""
    claim = Claim.objects.select_for_update().select_related("pcn").get(pk=claim.pk)
    _require_in_review(claim)
    now = timezone.now()
    pending = claim.lines.filter(status=ClaimLine.Status.PENDING)
    if only is not None:
        pending = pending.filter(pk__in=list(only))
    pending = list(pending)
    if not pending:  # e.g. the button pressed twice: nothing more to do, and no second email
        raise ValidationError("Every line of this claim has already been decided.")
    for line in pending:
        line.status = ClaimLine.Status.APPROVED
        line.decided_at = line.approved_at = now
        line.decided_by = by
        _check_line(line)
    _write_lines(pending, by)  # one statement, however many lines: month end's reviewers
    _refresh_status(claim, by)
    emails.notify_practice(
        claim,
        claim.get_status_display().lower(),
        f"Your commissioner approved the {len(pending)} remaining line(s)."
        if only is None
        else f"Your commissioner approved {len(pending)} line(s).",
    )
    return claim
