"""Writes of PCN development funding: nothing is committed or spent beyond what is left, backfill
claims are refused with a reason when they cannot be right, and an approved claim becomes spend
and an approved amount in the backfill payment stream. Every write keeps history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from development import services
from development.models import BackfillClaim, Commitment, Domain, Earmark, Spend
from reimbursement.models import DeclaredPayment
from tests.networks.factories import MembershipFactory, PCNFactory, PracticeFactory
from tests.pcn_admin.factories import CommissionerStaffFactory, PracticeManagerFactory

from .factories import (
    YEAR,
    AllocationFactory,
    BackfillClaimFactory,
    BackfillCommitmentFactory,
    CommitmentFactory,
    EarmarkFactory,
    SpendFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return CommissionerStaffFactory()


def test_earmarks_cannot_add_up_to_more_than_the_allocation(staff):
    allocation = AllocationFactory(amount=Decimal("1293000.00"))
    services.earmark_create(
        allocation=allocation, name="Analysts and backfill", amount=Decimal("400000"), by=staff
    )
    with pytest.raises(ValidationError) as error:
        services.earmark_create(
            allocation=allocation, name="Too much", amount=Decimal("893000.01"), by=staff
        )
    assert "at most £893,000.00" in error.value.message_dict["amount"][0]
    assert Earmark.objects.filter(allocation=allocation).count() == 1


def test_a_commitment_above_what_remains_of_the_allocation_is_refused_and_nothing_saved(staff):
    allocation = AllocationFactory(amount=Decimal("1000.00"))
    pcn = PCNFactory(commissioner=allocation.commissioner)
    services.commitment_create(
        allocation=allocation,
        pcn=pcn,
        description="Workshops",
        domain=Domain.ORGANISATIONAL,
        amount=Decimal("600.00"),
        by=staff,
    )
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            allocation=allocation,
            pcn=pcn,
            description="More workshops",
            domain=Domain.ORGANISATIONAL,
            amount=Decimal("400.01"),
            by=staff,
        )
    message = error.value.message_dict["amount"][0]
    assert "Only £400.00" in message and "£600.00 is already committed" in message
    assert Commitment.objects.filter(allocation=allocation).count() == 1
    # Exactly what is left is fine.
    services.commitment_create(
        allocation=allocation,
        programme="Clinical directors' course",
        description="Course",
        domain=Domain.LEADERSHIP,
        clinical_director_development=True,
        amount=Decimal("400.00"),
        by=staff,
    )


def test_a_commitment_cannot_take_more_than_is_left_of_its_earmark(staff):
    earmark = EarmarkFactory(amount=Decimal("500.00"))
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            allocation=earmark.allocation,
            programme="Analysts",
            description="Analysts",
            domain=Domain.ORGANISATIONAL,
            earmark=earmark,
            amount=Decimal("500.01"),
            by=staff,
        )
    assert "earmark" in error.value.message_dict["amount"][0]
    assert not Commitment.objects.exists()


def test_a_commitment_is_to_a_pcn_or_a_programme_of_the_area(staff):
    allocation = AllocationFactory()
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            allocation=allocation,
            pcn=PCNFactory(),  # another commissioner's
            description="x",
            domain=Domain.LEADERSHIP,
            amount=Decimal("1"),
            by=staff,
        )
    assert "pcn" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            allocation=allocation,
            description="x",
            domain=Domain.LEADERSHIP,
            amount=Decimal("1"),
            by=staff,
        )
    assert "programme" in error.value.message_dict


def test_spend_above_what_remains_of_a_commitment_is_refused(staff):
    commitment = CommitmentFactory(amount=Decimal("300.00"))
    SpendFactory(commitment=commitment, amount=Decimal("200.00"))
    with pytest.raises(ValidationError) as error:
        services.spend_record(
            commitment=commitment, amount=Decimal("100.01"), date=dt.date(YEAR, 10, 1), by=staff
        )
    assert "Only £100.00" in error.value.message_dict["amount"][0]
    spend = services.spend_record(
        commitment=commitment, amount=Decimal("100.00"), date=dt.date(YEAR, 10, 1), by=staff
    )
    assert spend.history.get().history_user == staff


@pytest.fixture
def claimant():
    commitment = BackfillCommitmentFactory(amount=Decimal("1000.00"))
    practice = MembershipFactory(pcn=commitment.pcn).practice
    return commitment, PracticeManagerFactory(practice=practice)


def _claim(commitment, manager, **overrides):
    fields = {
        "person_name": "Dr Sam Patel",
        "activity": "Maturity matrix workshop",
        "date": dt.date(YEAR, 9, 18),
        "hours": Decimal("3.5"),
        "hourly_rate": Decimal("95.00"),
        **overrides,
    }
    return services.backfill_claim_submit(
        commitment=commitment, practice=manager.practice, by=manager, **fields
    )


def test_a_backfill_claim_is_hours_times_rate_for_the_practices_pcn(claimant):
    commitment, manager = claimant
    claim = _claim(commitment, manager, hours=Decimal("3.33"), hourly_rate=Decimal("33.33"))
    assert claim.amount == Decimal("110.99")
    assert claim.pcn == commitment.pcn
    assert claim.status == BackfillClaim.Status.SUBMITTED
    assert claim.history.get().history_user == manager


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"hours": Decimal("24.5")}, "hours", "more than the 24 hours in a day"),
        ({"hours": Decimal("-1")}, "hours", "more than 0"),
        ({"hourly_rate": Decimal("-95.00")}, "hourly_rate", "more than £0"),
        ({"date": dt.date(YEAR + 1, 4, 1)}, "date", "outside 2025/26"),
        ({"date": dt.date(YEAR, 3, 31)}, "date", "outside 2025/26"),
    ],
)
def test_backfill_that_cannot_be_right_is_refused_with_a_reason(claimant, overrides, field, words):
    commitment, manager = claimant
    with pytest.raises(ValidationError) as error:
        _claim(commitment, manager, **overrides)
    assert words in " ".join(error.value.message_dict[field])
    assert not BackfillClaim.objects.exists()


def test_one_persons_backfill_on_one_day_cannot_pass_24_hours(claimant):
    commitment, manager = claimant
    _claim(commitment, manager, hours=Decimal("20"), hourly_rate=Decimal("10"))
    with pytest.raises(ValidationError) as error:
        _claim(commitment, manager, hours=Decimal("4.5"), hourly_rate=Decimal("10"))
    assert "already has 20 hours" in error.value.message_dict["hours"][0]


def test_backfill_cannot_claim_more_than_is_left_of_the_funding(claimant):
    commitment, manager = claimant
    _claim(commitment, manager, hours=Decimal("10"), hourly_rate=Decimal("60"))  # £600 waiting
    with pytest.raises(ValidationError) as error:
        _claim(
            commitment,
            manager,
            person_name="Another",
            hours=Decimal("10"),
            hourly_rate=Decimal("40.01"),
        )
    assert "only £400.00" in error.value.message_dict["hours"][0]


def test_a_practice_outside_the_pcn_cannot_claim_its_backfill(claimant):
    commitment, _ = claimant
    outsider = PracticeManagerFactory(
        practice=PracticeFactory(commissioner=commitment.allocation.commissioner)
    )
    with pytest.raises(ValidationError) as error:
        _claim(commitment, outsider)
    assert "was not a member" in error.value.message_dict["date"][0]


def test_only_backfill_funding_takes_backfill_claims(claimant):
    _, manager = claimant
    other = CommitmentFactory(domain=Domain.LEADERSHIP)
    with pytest.raises(ValidationError) as error:
        _claim(other, manager)
    assert "commitment" in error.value.message_dict


def test_approving_backfill_spends_it_and_declares_it_for_the_batch(claimant, staff):
    commitment, manager = claimant
    claim = _claim(commitment, manager)
    services.backfill_claim_approve(claim=claim, by=staff)
    claim.refresh_from_db()
    assert claim.status == BackfillClaim.Status.APPROVED
    payment = claim.declared_payment
    assert payment.stream.code == "backfill"
    assert payment.status == DeclaredPayment.Status.APPROVED
    assert (payment.pcn, payment.practice) == (commitment.pcn, manager.practice)
    assert payment.month == dt.date(YEAR, 9, 1)
    assert payment.amount == Decimal("332.50")
    assert payment.reviewed_by == staff and payment.entered_by == manager
    assert payment.source == f"Backfill claim {claim.pk}"
    spend = Spend.objects.get(backfill_claim=claim)
    assert (spend.commitment, spend.amount) == (commitment, Decimal("332.50"))
    assert [row.status for row in claim.history.order_by("history_id")] == [
        "submitted",
        "approved",
    ]
    with pytest.raises(ValidationError, match="already been approved"):
        services.backfill_claim_approve(claim=claim, by=staff)
    assert DeclaredPayment.objects.count() == 1


def test_approval_is_refused_when_the_funding_is_spent_since(claimant, staff):
    commitment, manager = claimant
    claim = _claim(commitment, manager)  # £332.50
    SpendFactory(commitment=commitment, amount=Decimal("700.00"))
    with pytest.raises(ValidationError) as error:
        services.backfill_claim_approve(claim=claim, by=staff)
    assert "Only £300.00" in error.value.message_dict["decision"][0]
    claim.refresh_from_db()
    assert claim.status == BackfillClaim.Status.SUBMITTED
    assert not DeclaredPayment.objects.exists()


def test_rejecting_backfill_needs_a_reason_and_pays_nothing(claimant, staff):
    commitment, manager = claimant
    claim = _claim(commitment, manager)
    with pytest.raises(ValidationError):
        services.backfill_claim_reject(claim=claim, reason="  ", by=staff)
    services.backfill_claim_reject(claim=claim, reason="Not a PCN activity.", by=staff)
    claim.refresh_from_db()
    assert claim.status == BackfillClaim.Status.REJECTED
    assert claim.rejection_reason == "Not a PCN activity."
    assert not DeclaredPayment.objects.exists() and not Spend.objects.exists()


def test_a_rejected_claims_hours_do_not_count_towards_the_day(claimant, staff):
    commitment, manager = claimant
    claim = _claim(commitment, manager, hours=Decimal("20"), hourly_rate=Decimal("10"))
    services.backfill_claim_reject(claim=claim, reason="Wrong day.", by=staff)
    _claim(commitment, manager, hours=Decimal("20"), hourly_rate=Decimal("10"))


def test_a_backfill_factory_claim_is_valid():
    BackfillClaimFactory().full_clean()
