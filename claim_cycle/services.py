"""Writes for the claim cycle: recording and sending reminders, and setting a claim window.

Each reminder is sent once, however often the job runs and even if two runs overlap: its key
(what, to whom, about what) is unique in the database, and a reminder is recorded by inserting
its row in a transaction of its own. A second run, or one running at the same moment, finds the
key taken (the insert fails on the unique constraint and is skipped) and sends nothing. The
e-mail is queued only after the row is committed, so a run that fails sends nothing it has not
recorded, and the row says when the mail server took it (`sent_at`).
"""

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import ClaimWindow, ReminderMessage
from .selectors import Due

logger = logging.getLogger(__name__)


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def money_text(value: Decimal) -> str:
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


def _compose(due: Due) -> tuple[str, str]:
    """The subject and body of a reminder's e-mail."""
    context = {**due.context, "recipient": due.recipient}
    if due.kind == ReminderMessage.Kind.DEADLINE:
        pcn, claim = context["pcn"], context["claim"]
        subject = (
            f"ARRS claim for {pcn.code} {due.month:%B %Y} due by {_long_date(context['deadline'])}"
        )
        context["path"] = (
            reverse("reimbursement:claim_detail", args=[claim.pk])
            if claim is not None
            else reverse("reimbursement:claim_list")
        )
        template = "deadline"
    elif due.kind == ReminderMessage.Kind.REVIEW_WAITING:
        claim = context["claim"]
        submitted = context["submitted_on"]
        subject = f"{claim} waiting for review since {submitted.day} {submitted:%B %Y}"
        context["path"] = reverse("reimbursement:claim_detail", args=[claim.pk])
        template = "review_waiting"
    else:
        batch, payee = context["batch"], context["payee"]
        context["amount"] = money_text(payee.amount)
        subject = f"Payment batch {batch.reference} paid: {context['amount']} to {payee.pcn.code}"
        context["path"] = reverse(
            "reimbursement:batch_remittance", args=[batch.reference, payee.pcn.code]
        )
        template = "batch_paid"
    body = render_to_string(f"claim_cycle/email/{template}.txt", context)
    return subject, body.strip() + "\n"


def reminder_record(*, due: Due) -> ReminderMessage | None:
    """Record one reminder, or None when its key is already taken (sent before, or by a run
    at the same moment): the conditional insert that makes the job safe to repeat."""
    subject, body = _compose(due)
    message = ReminderMessage(
        kind=due.kind,
        key=due.key,
        commissioner_id=due.commissioner_id,
        pcn_id=due.pcn_id,
        month=due.month,
        recipient=due.recipient,
        address=due.recipient.email,
        subject=subject[:300],
        body=body,
    )
    try:
        # The key's uniqueness is left to the database (checking first would race); the
        # related rows were just read from it.
        message.full_clean(exclude=["commissioner", "pcn", "recipient"], validate_unique=False)
    except ValidationError as error:
        logger.warning("Reminder %s not sent: %s", due.key, "; ".join(error.messages))
        return None
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return None
    return message


def reminder_deliver(*, message_id: int) -> bool:
    """Send one recorded reminder's e-mail, once: the row is claimed by setting `sent_at`
    where it is empty, so a second delivery of the same message sends nothing. If the mail
    server refuses it, `sent_at` is cleared again and the error raised (the task retries)."""
    claimed = ReminderMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    message = ReminderMessage.objects.get(pk=message_id)
    try:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.address])
    except Exception:
        ReminderMessage.objects.filter(pk=message_id).update(sent_at=None)
        raise
    return True


def _deliver_now(message_id: int) -> None:
    reminder_deliver(message_id=message_id)


def reminders_send(
    *, today: dt.date, deliver: Callable[[int], object] | None = None
) -> list[ReminderMessage]:
    """Record every reminder due on `today` that has not been sent, and queue each e-mail
    (`deliver(message_id)`, by default sent in this process) once its row is committed.
    Returns the reminders recorded by this run, in the order they were due."""
    deliver = deliver or _deliver_now
    due = selectors.reminders_due(today=today)
    taken = set(
        ReminderMessage.objects.filter(key__in=[item.key for item in due]).values_list(
            "key", flat=True
        )
    )
    recorded = []
    for item in due:
        if item.key in taken:
            continue
        # Each in a transaction of its own: a failure later in the run keeps (and sends) the
        # reminders already recorded, and the next run picks up the rest.
        with transaction.atomic():
            message = reminder_record(due=item)
            if message is None:
                continue
            # robust: one e-mail the server refuses is logged, and the others still go.
            transaction.on_commit(partial(deliver, message.pk), robust=True)
        recorded.append(message)
        taken.add(item.key)
    return recorded


def claim_window_set(
    *,
    commissioner,
    rule: str,
    day: int,
    reminder_working_days: int | None = None,
    review_wait_working_days: int | None = None,
    by,
) -> ClaimWindow:
    """Create or change a commissioner's claim window (the admin saves through its own form;
    this is for code: the demo data and tests)."""
    with transaction.atomic():
        window = ClaimWindow.objects.select_for_update().filter(
            commissioner=commissioner
        ).first() or ClaimWindow(commissioner=commissioner)
        window.rule, window.day = rule, day
        if reminder_working_days is not None:
            window.reminder_working_days = reminder_working_days
        if review_wait_working_days is not None:
            window.review_wait_working_days = review_wait_working_days
        window.full_clean()
        window._history_user = by
        window.save()
    return window
