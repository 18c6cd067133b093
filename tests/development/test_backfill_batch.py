"""Approved backfill is paid in the next monthly batch as its own stream, to the practice that
claimed, once: building again adds nothing, and the next month's batch does not repeat it."""

import datetime as dt
from decimal import Decimal

import pytest

from development import services
from reimbursement import batches
from reimbursement.models import Batch, BatchPayee, StreamPayment
from tests.networks.factories import ListSizeFactory, MembershipFactory, NominatedPayeeFactory
from tests.pcn_admin.factories import CommissionerStaffFactory, PracticeManagerFactory

from .factories import YEAR, BackfillCommitmentFactory

pytestmark = pytest.mark.django_db
SEPTEMBER, OCTOBER = dt.date(YEAR, 9, 1), dt.date(YEAR, 10, 1)


@pytest.fixture
def approved_claim():
    commitment = BackfillCommitmentFactory(amount=Decimal("5000.00"))
    pcn = commitment.pcn
    payee = MembershipFactory(pcn=pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=payee)
    claiming = MembershipFactory(pcn=pcn).practice  # a member practice, not the payee
    manager = PracticeManagerFactory(practice=claiming)
    for practice in (payee, claiming):
        # 1 January lists, so the rate-based streams have a batch to pay each month too.
        ListSizeFactory(practice=practice, date=dt.date(YEAR, 1, 1))
    claim = services.backfill_claim_submit(
        commitment=commitment,
        practice=claiming,
        person_name="Dr Sam Patel",
        activity="Maturity matrix workshop",
        date=dt.date(YEAR, 9, 18),
        hours=Decimal("3.5"),
        hourly_rate=Decimal("95.00"),
        by=manager,
    )
    staff = CommissionerStaffFactory(commissioner=pcn.commissioner)
    return services.backfill_claim_approve(claim=claim, by=staff)


def _backfill(batch):
    return list(StreamPayment.objects.filter(batch=batch, stream__code="backfill"))


def test_approved_backfill_is_paid_once_in_the_months_batch_as_its_own_stream(approved_claim):
    commissioner_id = approved_claim.pcn.commissioner_id
    first = batches.batch_build(commissioner_id=commissioner_id, month=SEPTEMBER)
    [payment] = _backfill(first.batch)
    assert payment.amount == Decimal("332.50")
    assert payment.practice == approved_claim.practice  # the claiming practice, not the payee
    assert payment.pcn == approved_claim.pcn
    assert payment.month == SEPTEMBER and not payment.late
    assert payment.declared == approved_claim.declared_payment
    subtotal = BatchPayee.objects.get(batch=first.batch, pcn=approved_claim.pcn)
    assert subtotal.amount - subtotal.arrs_amount >= Decimal("332.50")

    again = batches.batch_build(commissioner_id=commissioner_id, month=SEPTEMBER)
    assert again.batch == first.batch
    assert len(_backfill(first.batch)) == 1
    assert StreamPayment.objects.filter(stream__code="backfill").count() == 1

    batches.batch_build(commissioner_id=commissioner_id, month=OCTOBER)
    october = Batch.objects.get(commissioner_id=commissioner_id, month=OCTOBER)
    assert _backfill(october) == []
    assert StreamPayment.objects.filter(stream__code="backfill").count() == 1


def test_backfill_approved_after_its_months_batch_joins_the_next_batch_marked_late(
    approved_claim,
):
    commissioner_id = approved_claim.pcn.commissioner_id
    batches.batch_build(commissioner_id=commissioner_id, month=OCTOBER)
    october = Batch.objects.get(commissioner_id=commissioner_id, month=OCTOBER)
    [payment] = _backfill(october)
    assert payment.late and payment.month == SEPTEMBER
    # September's batch, built later, does not pay it again.
    september = batches.batch_build(commissioner_id=commissioner_id, month=SEPTEMBER)
    assert september.batch is None or _backfill(september.batch) == []
    assert StreamPayment.objects.filter(stream__code="backfill").count() == 1


def test_a_claim_awaiting_review_is_not_paid():
    commitment = BackfillCommitmentFactory()
    claiming = MembershipFactory(pcn=commitment.pcn).practice
    NominatedPayeeFactory(pcn=commitment.pcn, practice=claiming)
    services.backfill_claim_submit(
        commitment=commitment,
        practice=claiming,
        person_name="Dr Sam Patel",
        activity="Workshop",
        date=dt.date(YEAR, 9, 18),
        hours=Decimal("2"),
        hourly_rate=Decimal("90"),
        by=PracticeManagerFactory(practice=claiming),
    )
    result = batches.batch_build(
        commissioner_id=commitment.allocation.commissioner_id, month=SEPTEMBER
    )
    assert result.batch is None or _backfill(result.batch) == []
