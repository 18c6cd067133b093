"""Rules the figures imply (issue 13, item 7): 2019/20's one clinical pharmacist and one link
worker per PCN is a warning to the reviewer, never a refusal; mental health practitioner
percentages are dated data per Agenda for Change band."""

import datetime as dt
from decimal import Decimal

import pytest

from reimbursement import services
from reimbursement.calculations import RateBook, reimbursable_amount
from reimbursement.models import Claim
from tests.networks.factories import MembershipFactory, NominatedPayeeFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory
from tests.roles.factories import (
    PostFactory,
    RateFactory,
    ReimbursementPercentageFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

OCTOBER_2019 = dt.date(2019, 10, 1)
COSTS = {
    "salary": Decimal("1500.00"),
    "employer_ni": Decimal("150.00"),
    "employer_pension": Decimal("200.00"),
}


def _pcn_2019(*, pharmacists: int, link_workers: int, pharmacist_hours: str = "18.75"):
    """A PCN with staff in post from July 2019, when the scheme began, and its director."""
    pcn = PCNFactory()
    practice = MembershipFactory(pcn=pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=practice, start_date=dt.date(2019, 7, 1))
    for number in range(pharmacists):
        PostFactory(
            pcn=pcn,
            role=RoleFactory(code="clinical_pharmacist"),
            registration_number=f"20600{number:02d}",
            employing_practice=practice,
            start_date=dt.date(2019, 7, 1),
            hours=Decimal(pharmacist_hours),
        )
    for _ in range(link_workers):
        PostFactory(pcn=pcn, employing_practice=practice, start_date=dt.date(2019, 7, 1))
    return pcn, ClinicalDirectorUserFactory(pcn=pcn)


def _submitted(pcn, director, month: dt.date) -> Claim:
    claim = services.claim_create(pcn=pcn, month=month, by=director)
    for line in claim.lines.all():
        services.claim_line_update(line=line, by=director, **COSTS)
    return services.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=director
    )


def _messages(claim: Claim) -> list[str]:
    return [w["message"] for w in claim.warnings]


# 2019/20: one of each --------------------------------------------------------------------------


def test_two_pharmacists_in_2019_20_are_a_warning_not_a_refusal():
    # Two half-time pharmacists: 1.0 WTE, but two people where the DES funded one.
    pcn, director = _pcn_2019(pharmacists=2, link_workers=1)

    claim = _submitted(pcn, director, OCTOBER_2019)

    assert claim.status == Claim.Status.SUBMITTED
    assert claim.lines.filter(reimbursable__isnull=False).count() == 3
    assert any(
        m.startswith(
            "In 2019/20 the scheme reimbursed one clinical pharmacist per PCN; this claim has 2 "
            "for October 2019 (1.00 WTE)."
        )
        for m in _messages(claim)
    )
    assert not any("link worker per PCN" in m for m in _messages(claim))


def test_two_link_workers_in_2019_20_are_a_warning():
    pcn, director = _pcn_2019(pharmacists=0, link_workers=2)

    claim = _submitted(pcn, director, OCTOBER_2019)

    assert claim.status == Claim.Status.SUBMITTED
    assert any(
        "one social prescribing link worker per PCN; this claim has 2 for October 2019 "
        "(2.00 WTE)" in m
        for m in _messages(claim)
    )


def test_one_of_each_in_2019_20_raises_no_warning():
    pcn, director = _pcn_2019(pharmacists=1, link_workers=1, pharmacist_hours="37.5")

    claim = _submitted(pcn, director, OCTOBER_2019)

    assert _messages(claim) == []  # nor one of an ARR sum, which 2019/20 did not have


def test_from_april_2020_two_pharmacists_raise_no_such_warning():
    pcn, director = _pcn_2019(pharmacists=2, link_workers=2)

    claim = _submitted(pcn, director, dt.date(2020, 4, 1))

    assert not any("In 2019/20" in m for m in _messages(claim))


def test_a_reviewer_can_still_approve_the_second_pharmacist():
    pcn, director = _pcn_2019(pharmacists=2, link_workers=0)
    claim = _submitted(pcn, director, OCTOBER_2019)
    reviewer = CommissionerStaffFactory(commissioner=pcn.commissioner)
    for line in claim.lines.all():
        services.claim_line_approve(line=line, by=reviewer)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


# Mental health practitioners: a percentage per band --------------------------------------------


@pytest.fixture
def mhp():
    """Mental health practitioners with one maximum for every band (none is published: a test
    figure) and the seeded any-band percentages (50% from April 2021, 100% from April 2024),
    plus a band 7 row of 50% from April 2026."""
    role = RoleFactory(code="mental_health_practitioner")
    RateFactory(role=role, effective_from=dt.date(2021, 4, 1), annual_max=Decimal("48000.00"))
    ReimbursementPercentageFactory(
        role=role, afc_band="7", effective_from=dt.date(2026, 4, 1), percentage=Decimal("50")
    )
    return role


def _line(month: dt.date, band: str):
    return reimbursable_amount(
        role="mental_health_practitioner",
        month=month,
        hours=Decimal("37.5"),
        salary=Decimal("3000.00"),
        employer_ni=Decimal("350.00"),
        employer_pension=Decimal("430.00"),
        afc_band=band,
    )


def test_a_band_specific_percentage_applies_to_that_band_only(mhp):
    may_2026 = dt.date(2026, 5, 1)
    book = RateBook()

    assert book.percentage(mhp, may_2026, "7") == Decimal("0.5")
    assert book.percentage(mhp, may_2026, "6") == Decimal("1")
    assert book.percentage(mhp, may_2026, "") == Decimal("1")
    # Through the money rule: half the £3,780.00 cost for band 7, all of it for band 6.
    assert (_line(may_2026, "7").rate, _line(may_2026, "7").reimbursable) == (
        Decimal("0.5"),
        Decimal("1890.00"),
    )
    assert _line(may_2026, "6").reimbursable == Decimal("3780.00")


def test_a_band_row_applies_only_from_its_date(mhp):
    assert _line(dt.date(2025, 5, 1), "7").rate == Decimal("1")
    assert _line(dt.date(2022, 5, 1), "7").rate == Decimal("0.5")  # the any-band 50% of 2021


def test_a_later_any_band_row_replaces_a_band_row(mhp):
    ReimbursementPercentageFactory(
        role=mhp, effective_from=dt.date(2027, 4, 1), percentage=Decimal("100")
    )
    assert _line(dt.date(2027, 5, 1), "7").rate == Decimal("1")
