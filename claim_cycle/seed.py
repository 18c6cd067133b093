"""Demo claim cycle for the demo commissioner: a claim window (the 3rd working day), a finance
file layout, and reminders already sent, recorded by the reminder job's own code. Safe to run
again: what exists is left alone. Nobody is e-mailed: the demo's people have no mailboxes."""

import datetime as dt

from django.utils import timezone

from networks.demo import DEMO_COMMISSIONER
from networks.models import Commissioner
from pcn_admin.dates import is_working_day
from pcn_admin.models import User

from . import services
from .models import ClaimWindow, FinanceField, FinanceLayout, FinanceLayoutColumn, ReminderMessage

# An invented layout, as an ICB's ledger might load it: supplier, invoice, date, amount and a
# cost centre. The cost centre and the description are invented for the demo.
DEMO_COLUMNS = [
    (FinanceField.PAYEE_PRACTICE_CODE, "Supplier Number", ""),
    (FinanceField.PAYEE_NAME, "Supplier Name", ""),
    (FinanceField.BATCH_REFERENCE, "Invoice Number", ""),
    (FinanceField.PAID_ON, "Invoice Date", ""),
    (FinanceField.AMOUNT, "Net Amount", ""),
    (FinanceField.FIXED_TEXT, "Cost Centre", "00L-PC-ARRS"),
    (FinanceField.PCN_CODE, "Description", ""),
]
# The demo's September 2025 claim is a draft: its reminder went out before the deadline.
DEMO_DEADLINE_MONTH = dt.date(2025, 9, 1)
# Claims submitted and batches paid as the demo loads: reminded some working days later.
DEMO_WORKING_DAYS_LATER = 8


def _working_days_after(day: dt.date, count: int) -> dt.date:
    for _ in range(count):
        day += dt.timedelta(days=1)
        while not is_working_day(day):
            day += dt.timedelta(days=1)
    return day


def _recorded_as_sent(message_id: int) -> None:
    ReminderMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )


def _layout(commissioner) -> bool:
    if FinanceLayout.objects.filter(commissioner=commissioner).exists():
        return False
    layout = FinanceLayout.objects.create(commissioner=commissioner)
    for position, (field, header, text) in enumerate(DEMO_COLUMNS, start=1):
        FinanceLayoutColumn.objects.create(
            layout=layout, position=position * 10, field=field, header=header, text=text
        )
    return True


def _reminders(commissioner, window: ClaimWindow) -> int:
    if ReminderMessage.objects.filter(commissioner=commissioner).exists():
        return 0
    days = (
        window.reminders_from(DEMO_DEADLINE_MONTH),
        _working_days_after(timezone.localdate(), DEMO_WORKING_DAYS_LATER),
    )
    sent = 0
    for day in days:
        messages = services.reminders_send(today=day, deliver=_recorded_as_sent)
        sent += sum(1 for message in messages if message.commissioner_id == commissioner.pk)
    return sent


def seed_demo(*, stdout) -> None:
    commissioner = Commissioner.objects.filter(code=DEMO_COMMISSIONER).first()
    staff = User.objects.filter(username="demo-commissioner").first()
    if commissioner is None or staff is None:
        stdout.write("Claim cycle: demo commissioner or its staff not found; skipped.")
        return
    window = ClaimWindow.objects.filter(commissioner=commissioner).first()
    made_window = window is None
    if made_window:
        window = services.claim_window_set(
            commissioner=commissioner, rule=ClaimWindow.Rule.WORKING_DAY, day=3, by=staff
        )
    made_layout = _layout(commissioner)
    sent = _reminders(commissioner, window)
    stdout.write(
        f"Claim cycle: {int(made_window)} claim window, {int(made_layout)} finance layout and "
        f"{sent} reminder(s) recorded for {commissioner.code}."
    )
