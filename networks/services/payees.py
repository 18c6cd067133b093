"""Nominated payees: the batches pay whoever is recorded for each month, so a PCN has one
nominated payee at a time."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ..models import PCN, NominatedPayee, Practice
from .register import _apply, _save


def _day(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _period(payee: NominatedPayee) -> str:
    until = _day(payee.end_date) if payee.end_date else "now"
    return f"{_day(payee.start_date)} to {until}"


def _lock_pcn(pcn_id) -> None:
    # Two people changing one PCN's payee at once take turns, so the second sees the first's
    # change and gets a message rather than a database error. (A no-op on SQLite.)
    if pcn_id:
        list(PCN.objects.select_for_update().filter(pk=pcn_id).values_list("pk"))


def nominated_payee_check(*, payee: NominatedPayee) -> NominatedPayee | None:
    """Refuse dates that would give the PCN two nominated payees at once, saying which clash.

    A new payee with no end date takes over from the current one, whose time ends the day
    before; so it must start after the current one started. Returns the payee it takes over
    from, if any. Forms call this to show the message beside the field.
    """
    if not payee.pcn_id or payee.start_date is None:
        return None  # a new PCN has no payees yet; full_clean() names a missing date
    if payee.end_date is not None and payee.end_date < payee.start_date:
        raise ValidationError({"end_date": "A payee's time cannot end before it starts."})
    others = (
        NominatedPayee.objects.filter(pcn_id=payee.pcn_id)
        .exclude(pk=payee.pk)
        .select_related("practice")
    )
    replaced = None
    if payee._state.adding and payee.end_date is None:
        replaced = others.filter(end_date__isnull=True).first()
    if replaced is not None:
        _check_takes_over(payee, replaced)
        others = others.exclude(pk=replaced.pk)
    overlapping = Q(end_date__isnull=True) | Q(end_date__gte=payee.start_date)
    if payee.end_date is not None:
        overlapping &= Q(start_date__lte=payee.end_date)
    clash = others.filter(overlapping).order_by("start_date").first()
    if clash is not None:
        raise ValidationError(
            {
                "start_date": f"These dates overlap {clash}'s time as nominated payee "
                f"({_period(clash)}). A PCN has one nominated payee at a time: choose dates "
                f"outside it, or correct {clash}'s dates first."
            }
        )
    return replaced


def _check_takes_over(payee: NominatedPayee, current: NominatedPayee) -> None:
    if payee.start_date <= current.start_date:
        raise ValidationError(
            {
                "start_date": f"{current} has been the nominated payee since "
                f"{_day(current.start_date)}: a new payee must start after that. To correct "
                f"{current}'s own dates, change its row instead."
            }
        )
    if (payee.practice_id, payee.account_name) == (current.practice_id, current.account_name):
        field = "practice" if payee.practice_id else "account_name"
        raise ValidationError({field: f"{current} is already the nominated payee."})


@transaction.atomic
def nominated_payee_create(*, payee: NominatedPayee, by) -> NominatedPayee:
    """Record a new nominated payee; one with no end date takes over from the current payee,
    whose time ends the day before the new one starts."""
    _lock_pcn(payee.pcn_id)
    replaced = nominated_payee_check(payee=payee)
    if replaced is not None:
        replaced.end_date = payee.start_date - dt.timedelta(days=1)
        _save(replaced, by=by)
    return _save(payee, by=by)


def nominated_payee_set(
    *, pcn: PCN, start_date: dt.date, by, practice: Practice | None = None, account_name=""
) -> NominatedPayee:
    """Make a member practice, or a bank account held for the network, the PCN's nominated
    payee from `start_date`: the current payee is paid up to the day before."""
    payee = NominatedPayee(
        pcn=pcn, practice=practice, account_name=account_name or "", start_date=start_date
    )
    return nominated_payee_create(payee=payee, by=by)


@transaction.atomic
def nominated_payee_update(*, payee: NominatedPayee, by, **changes) -> NominatedPayee:
    """Correct a payee's row (its dates, say), refusing dates that overlap another payee's."""
    _lock_pcn(payee.pcn_id)
    _apply(payee, changes)
    nominated_payee_check(payee=payee)
    return _save(payee, by=by)
