"""A PCN's Additional Roles Reimbursement Sum, its inputs, and the forecast against it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reimbursement.entitlement import pcn_entitlement
from tests.networks.factories import ListSizeFactory, MembershipFactory, PCNFactory
from tests.reimbursement.factories import ClaimLineFactory
from tests.roles.factories import PostFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcn():
    pcn = PCNFactory(code="U10001")
    first = MembershipFactory(pcn=pcn, practice__code="A00001").practice
    second = MembershipFactory(pcn=pcn, practice__code="A00002").practice
    MembershipFactory(pcn=pcn, practice__code="A00003")  # no weighted figure at all
    ListSizeFactory(practice=first, date=dt.date(2023, 10, 1), weighted_patients=Decimal("9000"))
    ListSizeFactory(practice=first, date=dt.date(2024, 1, 1), weighted_patients=Decimal("10000.50"))
    ListSizeFactory(practice=first, date=dt.date(2024, 2, 1), weighted_patients=Decimal("99999"))
    ListSizeFactory(practice=second, date=dt.date(2023, 7, 1), weighted_patients=Decimal("5000"))
    return pcn


def test_the_sum_uses_each_members_latest_weighted_figure_on_or_before_1_january(pcn):
    result = pcn_entitlement(pcn=pcn, year=2024, today=dt.date(2025, 6, 1))
    assert result.population_date == dt.date(2024, 1, 1)
    assert result.weighted_population == Decimal("15000.50")
    assert {p.code: p.weighted_patients for p in result.practices} == {
        "A00001": Decimal("10000.50"),
        "A00002": Decimal("5000.00"),
        "A00003": None,
    }
    assert result.members_without_figure == ["A00003"]
    assert result.arr_sum == Decimal("343421.45")  # 22.894 x 15,000.50 = 343,421.447


def test_a_practice_that_joined_after_1_january_is_not_counted(pcn):
    late = MembershipFactory(pcn=pcn, start_date=dt.date(2024, 2, 1)).practice
    ListSizeFactory(practice=late, date=dt.date(2023, 12, 1), weighted_patients=Decimal("7000"))
    result = pcn_entitlement(pcn=pcn, year=2024, today=dt.date(2025, 6, 1))
    assert late.code not in [p.code for p in result.practices]


def test_a_year_without_a_configured_rate_is_refused_with_what_to_do(pcn):
    with pytest.raises(ValidationError, match="2021/22. Ask your commissioner"):
        pcn_entitlement(pcn=pcn, year=2021)


def _line(pcn, month, status, amount):
    approved = status == "approved"
    return ClaimLineFactory(
        claim__pcn=pcn,
        claim__month=month,
        status=status,
        reimbursable=Decimal(amount),
        approved_at=timezone.now() if approved else None,
        decision_reason="Not in post that month" if status == "rejected" else "",
    )


def test_spend_to_date_is_the_approved_claim_lines_of_the_year(pcn):
    _line(pcn, dt.date(2024, 4, 1), "approved", "1000.10")
    _line(pcn, dt.date(2025, 3, 1), "approved", "2000.20")
    _line(pcn, dt.date(2024, 6, 1), "pending", "500.00")  # awaiting review: not yet spend
    _line(pcn, dt.date(2024, 7, 1), "rejected", "700.00")
    _line(pcn, dt.date(2025, 4, 1), "approved", "900.00")  # the next financial year
    result = pcn_entitlement(pcn=pcn, year=2024, today=dt.date(2025, 6, 1))
    assert result.spend_to_date == Decimal("3000.30")
    assert result.unclaimed == result.arr_sum - Decimal("3000.30")
    assert "Approved claim lines" in result.spend_note


def test_spend_is_zero_with_no_approved_claims(pcn):
    result = pcn_entitlement(pcn=pcn, year=2024, today=dt.date(2025, 6, 1))
    assert result.spend_to_date == 0
    assert result.forecast == 0  # the year is over: nothing left to forecast
    assert result.forecast_from is None


def test_the_forecast_counts_current_posts_at_their_monthly_maximum_to_31_march(pcn):
    PostFactory(pcn=pcn, start_date=dt.date(2024, 4, 1))  # link worker, full time
    PostFactory(pcn=pcn, start_date=dt.date(2018, 1, 1), in_post_at_baseline=True)
    result = pcn_entitlement(pcn=pcn, year=2025, today=dt.date(2026, 2, 10))
    # February and March 2026 at 44,940 / 12 each (43,352 raised by the 2025/26 award of 3.6%:
    # (43,352 + 750) x 1.036 - 750); the baseline post is not claimable.
    assert result.forecast_from == dt.date(2026, 2, 1)
    assert result.forecast == Decimal("7490.00")
    assert result.unclaimed == result.arr_sum - result.forecast
    assert not result.over_committed


def test_posts_without_a_configured_rate_are_listed_not_guessed(pcn):
    PostFactory(
        pcn=pcn,
        role=RoleFactory(code="gp_assistant"),
        start_date=dt.date(2024, 4, 1),
    )
    result = pcn_entitlement(pcn=pcn, year=2025, today=dt.date(2026, 3, 1))
    assert result.forecast == 0
    assert [gap.role for gap in result.forecast_gaps] == ["GP assistant"]
    assert "No ARRS maximum is configured" in result.forecast_gaps[0].reason


def test_forecast_beyond_the_sum_is_flagged_as_over_committed():
    small = PCNFactory()
    member = MembershipFactory(pcn=small).practice
    ListSizeFactory(practice=member, date=dt.date(2025, 1, 1), weighted_patients=Decimal("100"))
    PostFactory(pcn=small, employing_practice=member, start_date=dt.date(2025, 4, 1))
    result = pcn_entitlement(pcn=small, year=2025, today=dt.date(2025, 4, 15))
    assert result.arr_sum == Decimal("2663.10")
    assert result.over_committed
    assert result.unclaimed < 0


def test_the_2024_gp_pot_is_separate(pcn):
    result = pcn_entitlement(pcn=pcn, year=2024, today=dt.date(2025, 6, 1))
    assert result.gp_pot["sum"] == Decimal("19545.65")  # 1.303 x 15,000.50 = 19,545.65
    assert result.gp_pot["from"] == dt.date(2024, 10, 1)


def test_gp_posts_count_against_the_2024_gp_pot_not_the_main_sum(pcn):
    PostFactory(
        pcn=pcn,
        role=RoleFactory(code="gp"),
        registration_number="7123456",
        cct_date=dt.date(2024, 8, 1),
        start_date=dt.date(2024, 10, 1),
        hours="9",
    )
    result = pcn_entitlement(pcn=pcn, year=2024, today=dt.date(2025, 3, 5))
    assert result.forecast == 0
    assert result.gp_pot["forecast"] == Decimal("7705.17")  # 92,462 / 12 for March 2025
