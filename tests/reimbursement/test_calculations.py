"""The money rule (reimbursement/calculations.py) against the seeded ARRS rates."""

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reimbursement.calculations import RateBook, maximum_claim, reimbursable_amount
from roles.models import Region
from tests.roles.factories import RateFactory, RoleFactory

D = Decimal
PENNY = D("0.01")


# Written against the figures as published (arrs.md's worked check is June 2025 at £66,972);
# the pay awards applied on top of them are tested in test_pay_awards.py.
pytestmark = pytest.mark.usefixtures("figures_before_pay_awards")


def claim(role="clinical_pharmacist", month=dt.date(2025, 6, 1), cost="10000", **kwargs):
    """A line whose cost is all salary; the split of cost into parts does not matter."""
    if "sessions" not in kwargs:
        kwargs.setdefault("hours", D("37.5"))
    return reimbursable_amount(
        role=role,
        month=month,
        salary=D(cost),
        employer_ni=D("0"),
        employer_pension=D("0"),
        **kwargs,
    )


@pytest.fixture(scope="module")
def book(django_db_setup, django_db_blocker):
    """The seeded rates, read once for the property tests (they then touch no database)."""
    with django_db_blocker.unblock():
        return RateBook()


@pytest.mark.django_db
class TestWorkedExamples:
    def test_the_domain_worked_example_clinical_pharmacist_june_2025(self):
        line = reimbursable_amount(
            role="clinical_pharmacist",
            month=dt.date(2025, 6, 17),
            hours=D("30"),
            salary=D("3500.00"),
            employer_ni=D("462.50"),
            employer_pension=D("503.30"),
        )
        assert line.cost == D("4465.80")
        assert line.wte == D("0.8")
        assert line.annual_max == D("66972")
        assert line.cap == D("4464.80")
        assert line.reimbursable == D("4464.80")
        assert line.limited_by_cap
        assert line.month == dt.date(2025, 6, 1)

    def test_a_cost_below_the_cap_is_reimbursed_in_full(self):
        line = claim(cost="3000.00")
        assert line.reimbursable == D("3000.00")
        assert not line.limited_by_cap

    def test_the_breakdown_cannot_be_altered(self):
        line = claim()
        with pytest.raises(dataclasses.FrozenInstanceError):
            line.reimbursable = D("1")

    def test_rounding_happens_once_at_the_end_half_up(self):
        # 1,000.15 x 70% = 700.105: half up gives 700.11 where bankers' rounding gives 700.10.
        line = claim(month=dt.date(2019, 9, 1), cost="1000.15")
        assert line.reimbursable == D("700.11")

    def test_intermediate_figures_are_kept_unrounded(self):
        # 40,159 / 12 x 15 / 29 = 1,730.9913...
        line = claim(
            "social_prescribing_link_worker", dt.date(2024, 2, 1), start=dt.date(2024, 2, 15)
        )
        assert line.cap == D(40159) / 12 * D(15) / D(29)
        assert line.cap != line.cap.quantize(PENNY)
        assert line.reimbursable == D("1730.99")


@pytest.mark.django_db
class TestYearBoundaries:
    def test_clinical_pharmacists_are_reimbursed_at_70_percent_in_2019_20(self):
        line = claim(month=dt.date(2020, 3, 1), cost="4000.00")
        assert line.rate == D("0.7")
        assert line.reimbursable == D("2800.00")

    def test_the_2019_20_clinical_pharmacist_cap_applies_to_the_70_percent(self):
        line = claim(month=dt.date(2019, 9, 1), cost="5000.00")
        assert line.reimbursable == (D(37810) / 12).quantize(PENNY, ROUND_HALF_UP)

    def test_clinical_pharmacists_are_reimbursed_in_full_from_april_2020(self):
        line = claim(month=dt.date(2020, 4, 1), cost="4000.00")
        assert line.rate == 1
        assert line.reimbursable == D("4000.00")

    def test_link_workers_were_reimbursed_in_full_in_2019_20(self):
        line = claim("social_prescribing_link_worker", dt.date(2019, 8, 1), cost="1000.00")
        assert line.reimbursable == D("1000.00")

    def test_the_july_2023_uplift_starts_on_1_july(self):
        june = claim("social_prescribing_link_worker", dt.date(2023, 6, 30))
        july = claim("social_prescribing_link_worker", dt.date(2023, 7, 1))
        assert june.reimbursable == D("3182.25")  # 38,187 / 12
        assert july.reimbursable == D("3346.58")  # 40,159 / 12

    def test_the_october_2024_uplift_starts_on_1_october(self):
        september = claim(month=dt.date(2024, 9, 1))
        october = claim(month=dt.date(2024, 10, 1))
        assert september.reimbursable == D("5195.00")  # 62,340 / 12
        assert october.reimbursable == D("5486.50")  # 65,838 / 12

    def test_a_rate_starting_mid_month_applies_from_the_next_month(self):
        RateFactory(
            role=RoleFactory(code="clinical_pharmacist"),
            effective_from=dt.date(2025, 6, 15),
            annual_max=D("120000"),
        )
        assert claim(month=dt.date(2025, 6, 1)).annual_max == D("66972")
        assert claim(month=dt.date(2025, 7, 1)).annual_max == D("120000")

    def test_london_posts_use_the_london_rate(self):
        line = claim(month=dt.date(2024, 10, 1), region=Region.OUTER_LONDON)
        assert line.annual_max == D("73189")

    def test_mental_health_practitioners_without_a_configured_rate_are_refused(self):
        with pytest.raises(ValidationError) as error:
            claim("mental_health_practitioner", dt.date(2022, 6, 1))
        message = error.value.messages[0]
        assert "Mental health practitioner" in message
        assert "June 2022" in message
        assert "cannot be claimed yet" in message

    def test_mental_health_practitioners_are_claimed_at_50_percent_until_march_2024(self):
        RateFactory(
            role=RoleFactory(code="mental_health_practitioner"),
            effective_from=dt.date(2021, 4, 1),
            annual_max=D("60000"),
            provenance="derived-band",
        )
        assert claim(
            "mental_health_practitioner", dt.date(2024, 3, 1), cost="3000"
        ).reimbursable == (D("1500.00"))
        assert claim(
            "mental_health_practitioner", dt.date(2024, 4, 1), cost="3000"
        ).reimbursable == (D("3000.00"))


@pytest.mark.django_db
class TestPartMonths:
    def test_joining_mid_month_counts_the_start_date_as_a_day_in_post(self):
        line = claim(start=dt.date(2025, 6, 16))
        assert (line.days_in_post, line.days_in_month) == (15, 30)
        assert line.reimbursable == D("2790.50")  # 66,972 / 12 x 15 / 30

    def test_leaving_mid_month_counts_the_leaving_date_as_a_day_in_post(self):
        line = claim(end=dt.date(2025, 6, 10))
        assert line.days_in_post == 10
        assert line.reimbursable == D("1860.33")  # 66,972 / 12 x 10 / 30

    def test_joining_and_leaving_in_the_same_month(self):
        line = claim(start=dt.date(2025, 6, 5), end=dt.date(2025, 6, 14))
        assert line.days_in_post == 10

    def test_february_in_a_leap_year_has_29_days(self):
        line = claim(
            "social_prescribing_link_worker", dt.date(2024, 2, 1), start=dt.date(2024, 2, 15)
        )
        assert (line.days_in_post, line.days_in_month) == (15, 29)

    def test_a_month_outside_the_post_claims_nothing(self):
        line = claim(start=dt.date(2025, 7, 1))
        assert line.days_in_post == 0
        assert line.reimbursable == D("0.00")

    def test_an_end_before_the_start_is_refused(self):
        with pytest.raises(ValidationError, match="end date is before its start date"):
            claim(start=dt.date(2025, 6, 10), end=dt.date(2025, 6, 1))


@pytest.mark.django_db
class TestWTE:
    def test_wte_is_capped_at_one(self):
        line = claim(hours=D("45"))
        assert line.wte == 1
        assert line.reimbursable == D("5581.00")  # 66,972 / 12

    def test_gps_are_measured_in_sessions_nine_to_a_wte(self):
        line = claim("gp", dt.date(2024, 11, 1), sessions=D("6"))
        assert line.wte == D(6) / D(9)
        assert line.reimbursable == D("5136.78")  # 92,462 / 12 x 6 / 9

    def test_gps_given_hours_are_refused(self):
        with pytest.raises(ValidationError, match="sessions a week"):
            claim("gp", dt.date(2024, 11, 1), hours=D("30"))

    def test_a_band_dependent_maximum_uses_the_posts_band(self):
        band_6 = claim("general_practice_nurse", dt.date(2025, 6, 1), afc_band="6")
        assert band_6.annual_max == D("53319")
        with pytest.raises(ValidationError, match="Record the post's band"):
            claim("general_practice_nurse", dt.date(2025, 6, 1))


@pytest.mark.django_db
class TestSubContractFee:
    def test_the_fee_is_added_outside_the_cap(self):
        line = claim(
            "social_prescribing_link_worker",
            dt.date(2023, 8, 1),
            cost="5000",
            subcontract_fee=D("150"),
        )
        assert line.reimbursable == D("3496.58")  # 40,159 / 12 + 150

    def test_the_fee_is_at_most_200_per_wte_per_month(self):
        line = claim(
            "social_prescribing_link_worker",
            dt.date(2023, 8, 1),
            cost="1000",
            hours=D("18.75"),
            subcontract_fee=D("250"),
        )
        assert line.fee == D("100")
        assert line.reimbursable == D("1100.00")

    def test_the_fee_maximum_is_pro_rated_by_days_in_post(self):
        line = claim(
            "social_prescribing_link_worker",
            dt.date(2023, 9, 1),
            cost="0",
            start=dt.date(2023, 9, 16),
            subcontract_fee=D("200"),
        )
        assert line.fee == D("100")

    def test_a_fee_for_a_role_without_one_is_refused(self):
        with pytest.raises(ValidationError, match="cannot be claimed for Clinical pharmacist"):
            claim(subcontract_fee=D("50"))


@pytest.mark.django_db
class TestRefusals:
    def test_a_role_not_yet_reimbursable_is_refused_naming_role_and_month(self):
        with pytest.raises(ValidationError) as error:
            claim("first_contact_physiotherapist", dt.date(2020, 1, 1))
        assert "First contact physiotherapist" in error.value.messages[0]
        assert "January 2020" in error.value.messages[0]

    def test_a_month_without_a_configured_rate_is_refused(self):
        with pytest.raises(ValidationError) as error:
            claim("gp_assistant", dt.date(2023, 6, 1))
        message = error.value.messages[0]
        assert "GP assistant (National)" in message
        assert "June 2023" in message
        assert "cannot be claimed yet" in message
        assert "coverage" in message

    def test_no_national_fallback_for_a_london_post_without_a_london_rate(self):
        with pytest.raises(ValidationError, match=r"\(Inner London\) in June 2025"):
            claim("social_prescribing_link_worker", region=Region.INNER_LONDON)

    def test_an_unknown_role_is_refused(self):
        with pytest.raises(ValidationError, match="no ARRS role"):
            claim("astronaut")

    def test_a_negative_cost_is_refused(self):
        with pytest.raises(ValidationError, match="salary cannot be negative"):
            claim(cost="-1")


@pytest.mark.django_db
def test_a_forecast_line_is_the_monthly_maximum():
    line = maximum_claim(role="clinical_pharmacist", month=dt.date(2025, 6, 1), hours=D("30"))
    assert line.reimbursable == D("4464.80")


# Properties over the seeded rates: link workers and clinical pharmacists, July 2023 onwards.
# Marked django_db so they run with the other database tests, before any transactional test
# has emptied the tables the migrations seeded (pytest-django runs unmarked tests last).
MONTHS = st.dates(dt.date(2023, 7, 1), dt.date(2026, 3, 31))
ROLES = st.sampled_from(["clinical_pharmacist", "social_prescribing_link_worker"])
HOURS = st.decimals(min_value=0, max_value=60, places=2)
COSTS = st.decimals(min_value=0, max_value=20000, places=2)
FEES = st.decimals(min_value=0, max_value=400, places=2)
QUICK = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _line(book, role, month, hours, cost, fee=None, start=None, end=None):
    if fee is None or role != "social_prescribing_link_worker":
        fee = D("0")
    return reimbursable_amount(
        role=role,
        month=month,
        hours=hours,
        salary=cost,
        employer_ni=D("0"),
        employer_pension=D("0"),
        subcontract_fee=fee,
        start=start,
        end=end,
        rates=book,
    )


def _up_to_a_penny(value):
    return value.quantize(PENNY, ROUND_HALF_UP)


@QUICK
@pytest.mark.django_db
@given(role=ROLES, month=MONTHS, hours=HOURS, cost=COSTS, fee=FEES, day=st.integers(1, 28))
def test_never_above_cost_times_rate_nor_the_cap_and_never_negative(
    book, role, month, hours, cost, fee, day
):
    line = _line(book, role, month, hours, cost, fee, start=month.replace(day=day))
    assert line.reimbursable >= 0
    assert line.reimbursable <= _up_to_a_penny(cost * line.rate + line.fee)
    assert line.reimbursable <= _up_to_a_penny(line.cap + line.fee)
    assert line.fee <= fee


@QUICK
@pytest.mark.django_db
@given(role=ROLES, month=MONTHS, a=HOURS, b=HOURS, cost=COSTS, fee=FEES)
def test_more_hours_never_reimburse_less(book, role, month, a, b, cost, fee):
    fewer, more = sorted([a, b])
    assert (
        _line(book, role, month, fewer, cost, fee).reimbursable
        <= _line(book, role, month, more, cost, fee).reimbursable
    )


@QUICK
@pytest.mark.django_db
@given(
    role=ROLES, month=MONTHS, hours=HOURS, cost=COSTS, a=st.integers(1, 28), b=st.integers(1, 28)
)
def test_more_days_in_post_never_reimburse_less(book, role, month, hours, cost, a, b):
    earlier, later = sorted([a, b])
    shorter = _line(book, role, month, hours, cost, D("200"), end=month.replace(day=earlier))
    longer = _line(book, role, month, hours, cost, D("200"), end=month.replace(day=later))
    assert shorter.days_in_post <= longer.days_in_post
    assert shorter.reimbursable <= longer.reimbursable


def _maxima_rows():
    import csv
    from pathlib import Path

    import roles

    path = Path(roles.__file__).resolve().parent / "data" / "maxima.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row",
    _maxima_rows(),
    ids=lambda r: f"{r['role']}-{r['region']}-{r['afc_band']}-{r['effective_from']}",
)
def test_every_published_figure_prices_a_full_month_in_its_first_month_and_names_its_provenance(
    row,
):
    """Each of maxima.csv's 63 rows, in its own first month: a full-time post costing more than
    the cap is paid exactly the cap, and the line says where the figure came from."""
    month = dt.date.fromisoformat(row["effective_from"])
    region = {"london": Region.INNER_LONDON}.get(row["region"], row["region"])
    role = row["role"]
    unit = {"sessions": D("9")} if role == "gp" else {"hours": D("37.5")}
    line = reimbursable_amount(
        role=role,
        month=month,
        salary=D("20000"),
        employer_ni=D("0"),
        employer_pension=D("0"),
        region=region,
        afc_band=row["afc_band"],
        **unit,
    )
    annual = D(row["annual_max"])
    share = D("0.7") if role == "clinical_pharmacist" and month.year == 2019 else D("1")
    assert line.annual_max == annual
    assert line.provenance == row["provenance"]
    expected = min(D("20000") * share, annual / 12).quantize(D("0.01"), ROUND_HALF_UP)
    assert line.reimbursable == expected
