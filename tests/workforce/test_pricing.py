"""A plan is priced with the one money rule: each planned post at its monthly maximum
(reimbursement.calculations.maximum_claim) for each month in the year, each month rounded to
the penny, against the PCN's ARR sum (calculations.arr_sum). A what-if change prices the plan
with the change, to the penny, and saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcn_admin.dates import month_bounds
from reimbursement.calculations import RateBook, arr_sum, maximum_claim
from roles.models import EntitlementRate, Provenance
from tests.roles.factories import RoleFactory
from workforce import selectors
from workforce.models import PlannedPost

from .conftest import WEIGHTED
from .factories import PlannedPostFactory, WorkforcePlanFactory

pytestmark = pytest.mark.django_db


def months(first: dt.date, last: dt.date):
    month = first
    while month <= last:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def money_rule_total(posts, year: int) -> Decimal:
    """What the money rule says the posts cost in the year: maximum_claim month by month."""
    book = RateBook()
    total = Decimal("0.00")
    for planned in posts:
        last_month = planned.end_month or dt.date(year + 1, 3, 1)
        unit = "sessions" if planned.role.unit == "sessions" else "hours"
        for month in months(planned.start_month, last_month):
            line = maximum_claim(
                role=planned.role.code,
                month=month,
                start=planned.start_month,
                end=month_bounds(planned.end_month)[1] if planned.end_month else None,
                region=planned.region,
                afc_band=planned.afc_band,
                rates=book,
                **{unit: planned.hours},
            )
            total += line.reimbursable
    return total


def entitlement_2025() -> Decimal:
    rate = EntitlementRate.objects.get(year=2025)
    return arr_sum(rate.per_weighted_patient, sum(WEIGHTED, Decimal("0")))


def test_a_plan_costs_what_the_money_rule_says_and_leaves_the_rest_of_the_arr_sum(world):
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
    PlannedPostFactory(plan=plan)  # a pharmacist all year
    PlannedPostFactory(
        plan=plan,
        role=RoleFactory(code="care_coordinator"),
        hours=Decimal("22.5"),
        start_month=dt.date(2025, 9, 1),
        end_month=dt.date(2026, 1, 1),
    )
    posts = selectors.planned_posts(plan)

    price = selectors.plan_price(plan, posts)

    assert price.total == money_rule_total(posts, 2025)
    assert price.total > 0
    assert price.arr_sum == entitlement_2025()
    assert price.headroom == entitlement_2025() - price.total
    assert sum(cost.total for cost in price.by_post.values()) == price.total


def test_a_pharmacist_for_a_whole_year_costs_twelve_monthly_maxima(
    world, figures_before_pay_awards
):
    # arrs.md's worked figure: £66,972 a year in 2025/26 (as published), a twelfth a month.
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
    PlannedPostFactory(plan=plan)

    price = selectors.plan_price(plan, selectors.planned_posts(plan))

    assert price.total == Decimal("5581.00") * 12
    assert price.derived == []


def test_a_what_if_reprices_the_plan_to_the_penny_and_saves_nothing(world):
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
    PlannedPostFactory(plan=plan)
    posts = selectors.planned_posts(plan)
    change = PlannedPost(
        plan=plan,
        role=RoleFactory(code="pharmacy_technician"),
        hours=Decimal("30"),
        afc_band="5",
        region="national",
        start_month=dt.date(2025, 11, 1),
    )

    trial = selectors.what_if(plan, posts, change)

    assert trial.before.total == money_rule_total(posts, 2025)
    assert trial.after.total == money_rule_total([*posts, change], 2025)
    assert trial.change_price.total == money_rule_total([change], 2025)
    assert trial.total_change == trial.change_price.total
    assert trial.after.headroom == entitlement_2025() - trial.after.total
    assert trial.before.headroom - trial.after.headroom == trial.change_price.total
    assert PlannedPost.objects.filter(plan=plan).count() == 1


def test_changing_a_posts_hours_and_start_month_reprices_it_in_place(world):
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
    planned = PlannedPostFactory(plan=plan)
    posts = selectors.planned_posts(plan)
    changed = PlannedPost.objects.get(pk=planned.pk)
    changed.hours = Decimal("18.75")
    changed.start_month = dt.date(2025, 7, 1)

    trial = selectors.what_if(plan, posts, changed)

    assert trial.after.total == money_rule_total([changed], 2025)
    assert list(trial.after.by_post) == [planned.pk]  # replaced, not added
    assert PlannedPost.objects.get(pk=planned.pk).hours == Decimal("37.50")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    hours=st.decimals(min_value="0.25", max_value="37.5", places=2),
    start=st.integers(min_value=0, max_value=11),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=11)),
    role=st.sampled_from(
        ["clinical_pharmacist", "social_prescribing_link_worker", "care_coordinator", "paramedic"]
    ),
)
def test_any_what_if_equals_the_money_rule_to_the_penny(world, hours, start, length, role):
    plan = _plan_for(world)
    posts = selectors.planned_posts(plan)
    year_months = list(months(dt.date(2025, 4, 1), dt.date(2026, 3, 1)))
    first = year_months[start]
    last = None if length is None else year_months[min(start + length, 11)]
    change = PlannedPost(
        plan=plan,
        role=RoleFactory(code=role),
        hours=hours,
        start_month=first,
        end_month=last,
    )

    trial = selectors.what_if(plan, posts, change)

    assert trial.after.total == money_rule_total([*posts, change], 2025)
    assert trial.after.headroom == entitlement_2025() - trial.after.total


def _plan_for(world):  # one plan for every example, made by the first
    plan = WorkforcePlanFactory._meta.model.objects.filter(pcn=world.pcn, year=2025).first()
    if plan is None:
        plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
        PlannedPostFactory(plan=plan, hours=Decimal("20"))
    return plan


def test_a_year_with_no_arr_sum_rate_prices_the_plan_but_the_entitlement_is_not_known(world):
    year = 2026  # no ARR sum rate is published for 2026/27
    assert not EntitlementRate.objects.filter(year=year).exists()
    plan = WorkforcePlanFactory(pcn=world.pcn, year=year)
    PlannedPostFactory(plan=plan)
    posts = selectors.planned_posts(plan)

    price = selectors.plan_price(plan, posts)

    assert price.total == money_rule_total(posts, year)
    assert price.entitlement is None
    assert price.arr_sum is None and price.headroom is None


def test_derived_maxima_are_named(world):
    # The migrations derive 2025/26 maxima from the pay award: the plan says it uses them.
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
    PlannedPostFactory(plan=plan)

    price = selectors.plan_price(plan, selectors.planned_posts(plan))

    assert price.derived
    assert all(rate.provenance != Provenance.PUBLISHED for rate in price.derived)


def test_a_post_with_no_configured_maximum_is_listed_and_left_out(world):
    role = RoleFactory(code="workforce_test_role", first_reimbursable=dt.date(2020, 4, 1))
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
    PlannedPostFactory(plan=plan)
    PlannedPostFactory(plan=plan, role=role)
    posts = selectors.planned_posts(plan)

    price = selectors.plan_price(plan, posts)

    assert price.total == money_rule_total(posts[:1], 2025)
    assert [gap.role for gap in price.gaps] == [role.name]
