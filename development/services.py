"""Writes for PCN development funding: allocations, earmarks, commitments and spend; practices'
backfill claims and their review, an approved claim becoming an approved amount in the
`backfill` payment stream that the next monthly batch pays once; and commissioner-funded
baseline posts.

Keyword-only and transactional; each validates with full_clean() and records `by` on the history
row. What remains of an allocation, an earmark or a commitment is read with its row locked, so
two people committing or approving at once cannot spend the same pound twice. A refusal is a
ValidationError naming the field, and nothing is saved. Who may call them is decided at the edge
by pcn_admin.access.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from networks.models import Membership
from pcn_admin.dates import financial_year, year_label
from reimbursement.models import DeclaredPayment, PaymentStream

from . import calculations
from .models import (
    Allocation,
    BackfillClaim,
    BaselinePost,
    Commitment,
    Domain,
    Earmark,
    Spend,
)

ZERO = Decimal("0")
BACKFILL_STREAM = "backfill"


def _save(instance, by) -> None:
    instance._history_user = by  # simple_history reads this outside a request
    instance.full_clean()
    instance.save()


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _hours(value: Decimal) -> str:
    """3.50 as 3.5, 20.00 as 20."""
    return f"{Decimal(value).normalize():f}"


def _sum(queryset, field: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


# Allocations, earmarks, commitments and spend ------------------------------------------------


@transaction.atomic
def allocation_create(
    *,
    commissioner,
    name: str,
    source: str,
    year: int,
    amount: Decimal,
    clinical_director_percent: Decimal = Decimal("10"),
    note: str = "",
    by,
) -> Allocation:
    allocation = Allocation(
        commissioner=commissioner,
        name=name.strip(),
        source=source.strip(),
        year=year,
        amount=amount,
        clinical_director_percent=clinical_director_percent,
        note=note.strip(),
        created_by=by,
    )
    _save(allocation, by)
    return allocation


def _locked_allocation(allocation: Allocation) -> Allocation:
    return Allocation.objects.select_for_update().get(pk=allocation.pk)


@transaction.atomic
def earmark_create(*, allocation: Allocation, name: str, amount: Decimal, note: str = "", by):
    """Set part of the allocation aside. The earmarks cannot add up to more than it."""
    allocation = _locked_allocation(allocation)
    earmarked = _sum(Earmark.objects.filter(allocation=allocation))
    left = allocation.amount - earmarked
    if amount is not None and amount > left:
        raise ValidationError(
            {
                "amount": f"The earmarks would come to more than the allocation: "
                f"{_pounds(earmarked)} of {_pounds(allocation.amount)} is already earmarked, so "
                f"at most {_pounds(left)} can be. Enter {_pounds(left)} or less."
            }
        )
    earmark = Earmark(
        allocation=allocation, name=name.strip(), amount=amount, note=note.strip(), created_by=by
    )
    _save(earmark, by)
    return earmark


@transaction.atomic
def commitment_create(
    *,
    allocation: Allocation,
    description: str,
    domain: str,
    amount: Decimal,
    pcn=None,
    programme: str = "",
    clinical_director_development: bool = False,
    earmark: Earmark | None = None,
    by,
) -> Commitment:
    """Commit money from the allocation (and its earmark, if one is named): never more than is
    left of either."""
    allocation = _locked_allocation(allocation)
    commitment = Commitment(
        allocation=allocation,
        pcn=pcn,
        programme=programme.strip(),
        description=description.strip(),
        domain=domain,
        clinical_director_development=clinical_director_development,
        earmark=earmark,
        amount=amount,
        created_by=by,
    )
    commitment.full_clean()
    committed = _sum(Commitment.objects.filter(allocation=allocation))
    left = allocation.amount - committed
    if amount > left:
        raise ValidationError(
            {
                "amount": f"Only {_pounds(left)} of {allocation.name} ({_pounds(allocation.amount)}"
                f") is left to commit: {_pounds(committed)} is already committed. Enter "
                f"{_pounds(left)} or less."
            }
        )
    if earmark is not None:
        on_earmark = _sum(Commitment.objects.filter(earmark=earmark))
        earmark_left = earmark.amount - on_earmark
        if amount > earmark_left:
            raise ValidationError(
                {
                    "amount": f"Only {_pounds(earmark_left)} of the earmark “{earmark.name}” "
                    f"({_pounds(earmark.amount)}) is left to commit. Enter {_pounds(earmark_left)}"
                    " or less, or choose no earmark."
                }
            )
    _save(commitment, by)
    return commitment


def _locked_commitment(commitment: Commitment) -> Commitment:
    # Only the commitment's row is locked: its PCN is optional, and PostgreSQL locks no row of
    # an outer join.
    return Commitment.objects.select_for_update().get(pk=commitment.pk)


def _spent(commitment: Commitment) -> Decimal:
    return _sum(Spend.objects.filter(commitment=commitment))


def _spend_error(commitment: Commitment, amount: Decimal, spent: Decimal, *, field="amount"):
    left = commitment.amount - spent
    return ValidationError(
        {
            field: f"Only {_pounds(left)} of the {_pounds(commitment.amount)} committed to "
            f"{commitment.recipient} ({commitment.description}) is left to spend: "
            f"{_pounds(spent)} is spent already, and {_pounds(amount)} is more than that."
        }
    )


@transaction.atomic
def spend_record(
    *, commitment: Commitment, amount: Decimal, date: dt.date, note: str = "", by
) -> Spend:
    """Record money spent against a commitment: never more than is left of it."""
    commitment = _locked_commitment(commitment)
    spent = _spent(commitment)
    if amount is not None and amount > commitment.amount - spent:
        raise _spend_error(commitment, amount, spent)
    spend = Spend(commitment=commitment, amount=amount, date=date, note=note.strip(), created_by=by)
    _save(spend, by)
    return spend


# Backfill claims -----------------------------------------------------------------------------


def _claim_pcn(commitment: Commitment, practice, day: dt.date):
    """The PCN the practice claims for: the commitment's PCN, of which it must have been a
    member on the day; for a programme, the practice's PCN in the commissioner's area that day."""
    members = Membership.objects.filter(practice=practice).on(day).select_related("pcn")
    if commitment.pcn_id:
        membership = members.filter(pcn_id=commitment.pcn_id).first()
        if membership is None:
            raise ValidationError(
                {
                    "date": f"{practice.name} was not a member of {commitment.pcn.name} on "
                    f"{day:%d/%m/%Y}. Check the date, or claim from another practice."
                }
            )
        return membership.pcn
    membership = members.filter(pcn__commissioner_id=commitment.allocation.commissioner_id).first()
    if membership is None:
        raise ValidationError(
            {
                "date": f"{practice.name} was not a member of a PCN in this area on "
                f"{day:%d/%m/%Y}. Check the date."
            }
        )
    return membership.pcn


def _backfill_errors(
    *, commitment: Commitment, practice, person_name: str, day, hours, hourly_rate
) -> dict[str, str]:
    errors: dict[str, str] = {}
    year = commitment.allocation.year
    if commitment.domain != Domain.BACKFILL:
        errors["commitment"] = "Choose funding committed to backfill for practices."
    if hours is not None:
        if hours <= 0:
            errors["hours"] = "Enter the hours backfilled as a number more than 0, for example 3.5."
        elif hours > calculations.MAX_HOURS_A_DAY:
            errors["hours"] = (
                f"{_hours(hours)} hours is more than the 24 hours in a day. Enter the hours "
                "for this day only, and claim each day separately."
            )
        elif day is not None and person_name.strip():
            # The same person's other claims for the day (not the rejected ones) count too.
            earlier = _sum(
                BackfillClaim.objects.filter(
                    practice=practice, date=day, person_name__iexact=person_name.strip()
                ).exclude(status=BackfillClaim.Status.REJECTED),
                "hours",
            )
            if earlier + hours > calculations.MAX_HOURS_A_DAY:
                errors["hours"] = (
                    f"{person_name.strip()} already has {_hours(earlier)} hours claimed on "
                    f"{day:%d/%m/%Y}: another {_hours(hours)} would be more than the 24 hours in "
                    "a day."
                )
    if hourly_rate is not None and hourly_rate <= 0:
        errors["hourly_rate"] = "Enter the hourly rate in pounds and pence, more than £0."
    if day is not None:
        if financial_year(day) != year:
            errors["date"] = (
                f"{day:%d/%m/%Y} is outside {year_label(year)}, the year of this funding "
                f"(1 April {year} to 31 March {year + 1}). Check the date, or choose funding for "
                "that year."
            )
        elif day > timezone.localdate():
            errors["date"] = "This date is in the future: claim backfill after the activity."
    return errors


@transaction.atomic
def backfill_claim_submit(
    *,
    commitment: Commitment,
    practice,
    person_name: str,
    activity: str,
    date: dt.date,
    hours: Decimal,
    hourly_rate: Decimal,
    by,
) -> BackfillClaim:
    """A member practice claims backfill from a backfill commitment. Amount = hours x rate,
    rounded to pence once; it must fit in what is left of the commitment once the claims
    already waiting for review are counted."""
    commitment = _locked_commitment(commitment)
    errors = _backfill_errors(
        commitment=commitment,
        practice=practice,
        person_name=person_name,
        day=date,
        hours=hours,
        hourly_rate=hourly_rate,
    )
    if errors:
        raise ValidationError(errors)
    pcn = _claim_pcn(commitment, practice, date)
    amount = calculations.backfill_amount(hours, hourly_rate)
    spent = _spent(commitment)
    waiting = _sum(commitment.backfill_claims.filter(status=BackfillClaim.Status.SUBMITTED))
    left = commitment.amount - spent - waiting
    if amount > left:
        raise ValidationError(
            {
                "hours": f"This claim comes to {_pounds(amount)}, but only "
                f"{_pounds(max(left, ZERO))} of the backfill funding "
                f"({_pounds(commitment.amount)}) is left once what is "
                f"spent ({_pounds(spent)}) and the claims awaiting review ({_pounds(waiting)}) "
                "are counted. Claim fewer hours, or ask the commissioner."
            }
        )
    claim = BackfillClaim(
        commitment=commitment,
        pcn=pcn,
        practice=practice,
        person_name=person_name.strip(),
        activity=activity.strip(),
        date=date,
        hours=hours,
        hourly_rate=hourly_rate,
        amount=amount,
        submitted_by=by,
    )
    _save(claim, by)
    return claim


def _locked_claim(claim: BackfillClaim) -> BackfillClaim:
    claim = BackfillClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != BackfillClaim.Status.SUBMITTED:
        raise ValidationError(
            f"{claim.reference} has already been {claim.get_status_display().lower()}."
        )
    return claim


@transaction.atomic
def backfill_claim_approve(*, claim: BackfillClaim, by) -> BackfillClaim:
    """Approve the claim: it is spent from its commitment, and becomes an approved amount in
    the `backfill` payment stream for the practice and the month of the activity, which the
    next monthly batch pays, once (reimbursement.batches)."""
    # The commitment before the claim, as backfill_claim_submit locks them (no deadlock).
    commitment = _locked_commitment(claim.commitment)
    claim = _locked_claim(claim)
    spent = _spent(commitment)
    if claim.amount > commitment.amount - spent:
        raise _spend_error(commitment, claim.amount, spent, field="decision")
    now = timezone.now()
    payment = DeclaredPayment(
        stream=PaymentStream.objects.get(code=BACKFILL_STREAM),
        pcn_id=claim.pcn_id,
        practice_id=claim.practice_id,
        month=claim.date.replace(day=1),
        amount=claim.amount,
        status=DeclaredPayment.Status.APPROVED,
        note=f"{claim.hours} hours at £{claim.hourly_rate} an hour on {claim.date:%d/%m/%Y}: "
        f"{claim.activity}"[:300],
        source=claim.reference,
        entered_by=claim.submitted_by,
        reviewed_by=by,
        reviewed_at=now,
    )
    _save(payment, by)
    _save(
        Spend(
            commitment=commitment,
            amount=claim.amount,
            date=claim.date,
            note=f"{claim.reference}: {claim.activity}"[:300],
            backfill_claim=claim,
            created_by=by,
        ),
        by,
    )
    claim.status = BackfillClaim.Status.APPROVED
    claim.reviewed_by = by
    claim.reviewed_at = now
    claim.rejection_reason = ""
    claim.declared_payment = payment
    _save(claim, by)
    return claim


@transaction.atomic
def backfill_claim_reject(*, claim: BackfillClaim, reason: str, by) -> BackfillClaim:
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": "Give the reason for rejecting the claim, so the practice can act on it."}
        )
    claim = _locked_claim(claim)
    claim.status = BackfillClaim.Status.REJECTED
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    claim.rejection_reason = reason.strip()
    _save(claim, by)
    return claim


# Commissioner-funded baseline posts -----------------------------------------------------------

BASELINE_FIELDS = ("role", "wte", "start_date", "funded_years", "end_date", "post", "note")


@transaction.atomic
def baseline_post_create(*, pcn, by, **fields) -> BaselinePost:
    unknown = set(fields) - set(BASELINE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    baseline_post = BaselinePost(pcn=pcn, created_by=by, **fields)
    _save(baseline_post, by)
    return baseline_post


@transaction.atomic
def baseline_post_update(*, baseline_post: BaselinePost, by, **fields) -> BaselinePost:
    baseline_post = BaselinePost.objects.select_for_update().get(pk=baseline_post.pk)
    for name, value in fields.items():
        if name not in BASELINE_FIELDS:
            raise TypeError(f"Unknown field: {name}")
        setattr(baseline_post, name, value)
    _save(baseline_post, by)
    return baseline_post
