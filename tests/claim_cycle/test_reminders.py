"""Who gets which reminder, and that each is sent once however often the job runs."""

import datetime as dt
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from claim_cycle import selectors, services
from claim_cycle.models import ReminderMessage
from reimbursement.models import Batch, Claim
from tests.claim_cycle.factories import ClaimWindowFactory
from tests.networks.factories import (
    CommissionerFactory,
    MembershipFactory,
    NominatedPayeeFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.reimbursement.factories import (
    ApprovedClaimLineFactory,
    BatchFactory,
    BatchPayeeFactory,
    ClaimFactory,
    ClaimLineFactory,
)

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 1)
# June 2025's claims are due on the 3rd working day of July, Thursday 3 July; practices are
# reminded from three working days before, Monday 30 June.
DEADLINE = dt.date(2025, 7, 3)
REMINDERS_FROM = dt.date(2025, 6, 30)


@dataclass
class Area:
    commissioner: object
    pcn: object
    payee_practice: object
    payee_manager: object
    member_manager: object
    director: object
    staff: object


def _area(*, window: bool) -> Area:
    commissioner = CommissionerFactory()
    if window:
        ClaimWindowFactory(commissioner=commissioner, day=3, reminder_working_days=3)
    pcn = PCNFactory(commissioner=commissioner)
    payee = MembershipFactory(pcn=pcn).practice
    member = MembershipFactory(pcn=pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=payee)
    return Area(
        commissioner=commissioner,
        pcn=pcn,
        payee_practice=payee,
        payee_manager=PracticeManagerFactory(practice=payee),
        member_manager=PracticeManagerFactory(practice=member),
        director=ClinicalDirectorUserFactory(pcn=pcn),
        staff=CommissionerStaffFactory(commissioner=commissioner),
    )


@pytest.fixture
def area():
    return _area(window=True)


@pytest.fixture
def other_area():
    """Another commissioner, with no claim window of its own."""
    return _area(window=False)


@pytest.fixture
def bystanders(area):
    """People who must never be reminded: not reachable, or not in the right role."""
    return [
        PracticeManagerFactory(practice=area.payee_practice, is_active=False),
        PracticeManagerFactory(practice=area.payee_practice, email=""),
        LinkWorkerUserFactory(pcn=area.pcn),
        UserFactory(is_superuser=True, is_staff=True),
    ]


def _recipients(due) -> set:
    return {(item.kind, item.recipient) for item in due}


# --- A claim deadline coming up: the payee practice's managers ----------------------------


def test_the_payee_practices_manager_is_reminded_and_nobody_else(area, other_area, bystanders):
    due = selectors.reminders_due(today=REMINDERS_FROM)

    assert _recipients(due) == {(ReminderMessage.Kind.DEADLINE, area.payee_manager)}
    (reminder,) = due
    assert (reminder.pcn_id, reminder.month) == (area.pcn.pk, JUNE)


@pytest.mark.parametrize(
    ("today", "reminded"),
    [
        (dt.date(2025, 6, 27), False),  # the Friday before: four working days left
        (REMINDERS_FROM, True),
        (dt.date(2025, 7, 2), True),
        (DEADLINE, True),
        (dt.date(2025, 7, 4), False),  # the deadline has passed
    ],
)
def test_the_reminder_is_due_from_three_working_days_before_until_the_deadline(
    area, today, reminded
):
    due = selectors.deadline_reminders_due(today=today)

    assert bool(due) is reminded


@pytest.mark.parametrize(
    ("status", "reminded"),
    [
        (Claim.Status.DRAFT, True),
        (Claim.Status.RETURNED, True),
        (Claim.Status.SUBMITTED, False),
        (Claim.Status.PARTLY_APPROVED, False),
        (Claim.Status.APPROVED, False),
    ],
)
def test_a_pcn_that_has_submitted_its_claim_is_not_reminded(area, status, reminded):
    ClaimFactory(pcn=area.pcn, month=JUNE, status=status)

    due = selectors.deadline_reminders_due(today=REMINDERS_FROM)

    assert bool(due) is reminded


def test_an_adjustment_does_not_count_as_the_months_claim(area):
    original = ClaimFactory(pcn=area.pcn, month=JUNE, status=Claim.Status.RETURNED)
    ClaimFactory(
        pcn=area.pcn,
        month=JUNE,
        kind=Claim.Kind.ADJUSTMENT,
        original=original,
        status=Claim.Status.SUBMITTED,
    )

    assert selectors.deadline_reminders_due(today=REMINDERS_FROM)


def test_the_payee_on_the_claim_month_is_reminded_not_a_former_one(area):
    area.pcn.payees.update(end_date=dt.date(2025, 5, 31))
    new_payee = MembershipFactory(pcn=area.pcn).practice
    NominatedPayeeFactory(pcn=area.pcn, practice=new_payee, start_date=JUNE)
    new_manager = PracticeManagerFactory(practice=new_payee)

    due = selectors.deadline_reminders_due(today=REMINDERS_FROM)

    assert {item.recipient for item in due} == {new_manager}


def test_a_closed_pcn_is_not_reminded(area):
    area.pcn.close_date = dt.date(2025, 5, 31)
    area.pcn.save()

    assert selectors.deadline_reminders_due(today=REMINDERS_FROM) == []


def test_the_deadline_reminder_says_when_and_what_is_left_to_do(
    area, django_capture_on_commit_callbacks
):
    ClaimFactory(pcn=area.pcn, month=JUNE, status=Claim.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=REMINDERS_FROM)

    (email,) = mail.outbox
    assert email.to == [area.payee_manager.email]
    assert email.subject == (
        f"ARRS claim for {area.pcn.code} June 2025 due by Thursday 3 July 2025"
    )
    assert "the 3rd working day of the month after the claim month" in email.body
    assert "The claim is still a draft" in email.body
    assert f"{area.payee_practice.name} ({area.payee_practice.code})" in email.body


# --- A claim waiting for review: the commissioner's own staff -----------------------------


def _submitted(pcn, *, on: dt.datetime, month=dt.date(2025, 5, 1), decided=False):
    claim = ClaimFactory(
        pcn=pcn, month=month, status=Claim.Status.SUBMITTED, submitted_at=timezone.make_aware(on)
    )
    (ApprovedClaimLineFactory if decided else ClaimLineFactory)(claim=claim)
    return claim


def test_the_areas_staff_hear_of_a_claim_waiting_more_than_five_working_days(
    area, other_area, bystanders
):
    claim = _submitted(area.pcn, on=dt.datetime(2025, 6, 20, 10, 0))  # a Friday
    CommissionerStaffFactory(commissioner=area.commissioner, is_active=False)

    due = selectors.review_reminders_due(today=REMINDERS_FROM)  # six working days on

    assert _recipients(due) == {(ReminderMessage.Kind.REVIEW_WAITING, area.staff)}
    assert due[0].context["claim"] == claim
    assert due[0].context["waited"] == 6


def test_five_working_days_is_not_more_than_five(area):
    _submitted(area.pcn, on=dt.datetime(2025, 6, 20, 10, 0))

    assert selectors.review_reminders_due(today=dt.date(2025, 6, 27)) == []


def test_the_commissioners_own_wait_is_used(area):
    area.commissioner.claim_window.review_wait_working_days = 10
    area.commissioner.claim_window.save()
    _submitted(area.pcn, on=dt.datetime(2025, 6, 20, 10, 0))

    assert selectors.review_reminders_due(today=REMINDERS_FROM) == []
    assert selectors.review_reminders_due(today=dt.date(2025, 7, 7))  # eleven working days


def test_a_commissioner_without_a_window_is_reminded_after_the_default_wait(other_area):
    _submitted(other_area.pcn, on=dt.datetime(2025, 6, 20, 10, 0))

    due = selectors.review_reminders_due(today=REMINDERS_FROM)

    assert {item.recipient for item in due} == {other_area.staff}


def test_a_claim_with_every_line_decided_is_not_waiting(area):
    _submitted(area.pcn, on=dt.datetime(2025, 6, 20, 10, 0), decided=True)

    assert selectors.review_reminders_due(today=REMINDERS_FROM) == []


def test_a_claim_sent_again_is_a_new_wait(area, django_capture_on_commit_callbacks):
    claim = _submitted(area.pcn, on=dt.datetime(2025, 6, 10, 10, 0))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send(today=REMINDERS_FROM)
    claim.submitted_at = timezone.make_aware(dt.datetime(2025, 6, 20, 9, 0))
    claim.save()

    with django_capture_on_commit_callbacks(execute=True):
        again = services.reminders_send(today=dt.date(2025, 7, 1))

    kinds = [message.kind for message in again]
    assert ReminderMessage.Kind.REVIEW_WAITING in [message.kind for message in first]
    assert kinds.count(ReminderMessage.Kind.REVIEW_WAITING) == 1


# --- A payment batch paid: each paid PCN's clinical director -------------------------------


def _paid_batch(area, *, paid_on=dt.date(2025, 6, 25), status=Batch.Status.PAID):
    finalised = timezone.make_aware(dt.datetime(2025, 6, 6, 9, 0))
    batch = BatchFactory(
        commissioner=area.commissioner,
        month=dt.date(2025, 5, 1),
        status=status,
        finalised_at=finalised if status != Batch.Status.DRAFT else None,
        paid_on=paid_on if status == Batch.Status.PAID else None,
        payment_reference="BACS 0525" if status == Batch.Status.PAID else "",
    )
    BatchPayeeFactory(
        batch=batch,
        pcn=area.pcn,
        payee_practice=area.payee_practice,
        payee_name=area.payee_practice.name,
        amount=Decimal("1234.56"),
        line_count=3,
        late_line_count=1,
    )
    return batch


def test_each_paid_pcns_clinical_director_gets_their_pcns_summary(area, other_area, bystanders):
    batch = _paid_batch(area)
    second_pcn = PCNFactory(commissioner=area.commissioner)
    second_director = ClinicalDirectorUserFactory(pcn=second_pcn)
    BatchPayeeFactory(batch=batch, pcn=second_pcn, amount=Decimal("99.01"))
    ClinicalDirectorUserFactory(pcn=PCNFactory(commissioner=area.commissioner))  # not paid

    due = selectors.batch_paid_reminders_due(today=REMINDERS_FROM)

    assert _recipients(due) == {
        (ReminderMessage.Kind.BATCH_PAID, area.director),
        (ReminderMessage.Kind.BATCH_PAID, second_director),
    }


@pytest.mark.parametrize("status", [Batch.Status.DRAFT, Batch.Status.FINALISED])
def test_a_batch_not_yet_paid_sends_no_summary(area, status):
    _paid_batch(area, status=status)

    assert selectors.batch_paid_reminders_due(today=REMINDERS_FROM) == []


def test_a_batch_paid_more_than_a_month_ago_is_not_announced(area):
    _paid_batch(area, paid_on=dt.date(2025, 5, 29))  # 32 days before

    assert selectors.batch_paid_reminders_due(today=REMINDERS_FROM) == []


def test_the_summary_gives_the_pcns_own_subtotal(area, django_capture_on_commit_callbacks):
    batch = _paid_batch(area)
    BatchPayeeFactory(batch=batch, pcn=PCNFactory(commissioner=area.commissioner), amount=7)

    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=dt.date(2025, 6, 26))  # no deadline reminder yet

    (email,) = mail.outbox
    assert email.to == [area.director.email]
    assert email.subject == f"Payment batch {batch.reference} paid: £1,234.56 to {area.pcn.code}"
    assert "£1,234.56 in this batch, with 3 ARRS claim lines, of which 1 late" in email.body
    assert f"Paid to {area.payee_practice.name} ({area.payee_practice.code}), the nominated" in (
        email.body
    )
    assert "on 25 June 2025 (payment reference BACS 0525)" in email.body
    assert f"/reimbursement/batches/{batch.reference}/remittance/{area.pcn.code}/" in email.body
    assert "£7.00" not in email.body


# --- Each reminder once -------------------------------------------------------------------


def _everything_due(area):
    _submitted(area.pcn, on=dt.datetime(2025, 6, 20, 10, 0))
    _paid_batch(area)


def test_running_the_job_twice_sends_each_reminder_once(
    area, other_area, django_capture_on_commit_callbacks
):
    _everything_due(area)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send(today=REMINDERS_FROM)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.reminders_send(today=REMINDERS_FROM)
    with django_capture_on_commit_callbacks(execute=True):
        next_day = services.reminders_send(today=dt.date(2025, 7, 1))

    assert sorted((m.kind, m.address) for m in first) == sorted(
        [
            (ReminderMessage.Kind.DEADLINE, area.payee_manager.email),
            (ReminderMessage.Kind.REVIEW_WAITING, area.staff.email),
            (ReminderMessage.Kind.BATCH_PAID, area.director.email),
        ]
    )
    assert second == [] and next_day == []
    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.address for m in first)
    assert ReminderMessage.objects.count() == 3
    assert ReminderMessage.objects.filter(sent_at__isnull=False).count() == 3


def test_a_reminder_already_recorded_is_not_recorded_again(area):
    (due,) = selectors.deadline_reminders_due(today=REMINDERS_FROM)

    assert services.reminder_record(due=due) is not None
    assert services.reminder_record(due=due) is None  # the key is taken: the insert is refused
    assert ReminderMessage.objects.count() == 1


def test_nothing_is_sent_until_the_reminder_is_committed(area, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.reminders_send(today=REMINDERS_FROM)

    assert mail.outbox == []
    assert len(queued) == 1
    assert ReminderMessage.objects.get().sent_at is None


def test_delivering_a_message_twice_sends_it_once(area, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = services.reminders_send(today=REMINDERS_FROM)

    assert services.reminder_deliver(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_a_message_the_mail_server_refuses_stays_unsent(area, settings, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("claim_cycle.services.send_mail", refuse)
    (due,) = selectors.deadline_reminders_due(today=REMINDERS_FROM)
    message = services.reminder_record(due=due)

    with pytest.raises(ConnectionRefusedError):
        services.reminder_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.sent_at is None  # the retry sends it


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(area):
    _everything_due(area)
    due = selectors.reminders_due(today=REMINDERS_FROM)
    barrier = threading.Barrier(2)
    delivered: list[int] = []
    results: list[list] = []

    def run():
        try:
            barrier.wait()
            results.append(services.reminders_send(today=REMINDERS_FROM, deliver=delivered.append))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(delivered) == sorted(ReminderMessage.objects.values_list("pk", flat=True))
    assert sum(len(result) for result in results) == len(due) == 3
