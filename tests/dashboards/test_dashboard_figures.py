"""The dashboards' set-based money reads give exactly the per-PCN figures: approved spend as
approved_in_year, the shared forecast as the rule post by post, and the pages as
pcn_entitlement (which is the set-based entitlement for one PCN)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards import reads as dashboards
from pcn_admin.dates import month_bounds
from reimbursement.calculations import RateBook, maximum_claim
from reimbursement.entitlement import entitlements_for, forecasts_by_pcn, pcn_entitlement
from reimbursement.models import Claim, ClaimLine
from reimbursement.selectors import approved_by_month, approved_in_year, approved_in_year_by_pcn
from roles.models import Post
from roles.selectors import hours_on, with_hours
from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    PCNFactory,
)
from tests.reimbursement.factories import ClaimFactory, ClaimLineFactory
from tests.roles.factories import PostFactory, PostHoursFactory, RoleFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _approved(claim, post, amount, **extra):
    return ClaimLineFactory(
        claim=claim,
        post=post,
        status=ClaimLine.Status.APPROVED,
        approved_at=timezone.now(),
        reimbursable=Decimal(amount),
        **extra,
    )


def _pcn(commissioner, *, weighted=("9000.25", "6000"), missing_figure=False):
    pcn = PCNFactory(commissioner=commissioner)
    members = [MembershipFactory(pcn=pcn).practice for _ in weighted]
    for practice, figure in zip(members, weighted, strict=True):
        ListSizeFactory(practice=practice, date=D(2019, 12, 1), weighted_patients=Decimal(figure))
    if missing_figure:
        MembershipFactory(pcn=pcn)
    return pcn, members[0]


@pytest.fixture
def pcns():
    """Three PCNs of one commissioner, between them every case the money rules have."""
    commissioner = CommissionerFactory()
    busy, employer = _pcn(commissioner, missing_figure=True)
    link_worker = PostFactory(pcn=busy, employing_practice=employer, start_date=D(2024, 4, 1))
    pharmacist = PostFactory(
        pcn=busy,
        role=RoleFactory(code="clinical_pharmacist"),
        registration_number="2012345",
        employing_practice=employer,
        start_date=D(2026, 2, 16),  # part of the first forecast month
        hours="30",
    )
    PostHoursFactory(post=pharmacist, effective_from=D(2026, 3, 1), hours=Decimal("18.75"))
    PostFactory(  # leaves part way through March
        pcn=busy, employing_practice=employer, start_date=D(2025, 5, 1), end_date=D(2026, 3, 10)
    )
    PostFactory(  # baseline: never claimable
        pcn=busy, employing_practice=employer, start_date=D(2018, 1, 1), in_post_at_baseline=True
    )
    PostFactory(  # no configured rate: a gap, not a guess
        pcn=busy,
        role=RoleFactory(code="dietitian"),
        registration_number="DT01234",
        employing_practice=employer,
        start_date=D(2024, 4, 1),
    )
    april = ClaimFactory(pcn=busy, month=D(2025, 4, 1), status=Claim.Status.APPROVED)
    original = _approved(april, link_worker, "3612.67")
    adjustment = ClaimFactory(
        pcn=busy,
        month=D(2025, 4, 1),
        kind=Claim.Kind.ADJUSTMENT,
        original=april,
        status=Claim.Status.APPROVED,
    )
    _approved(adjustment, link_worker, "3700.00", original_line=original)  # counts 87.33
    june = ClaimFactory(pcn=busy, month=D(2025, 6, 1), status=Claim.Status.PARTLY_APPROVED)
    _approved(june, link_worker, "3612.67")
    ClaimLineFactory(claim=june, post=pharmacist, reimbursable=Decimal("500"))  # pending
    ClaimLineFactory(
        claim=ClaimFactory(pcn=busy, month=D(2025, 7, 1), status=Claim.Status.REJECTED),
        post=link_worker,
        status=ClaimLine.Status.REJECTED,
        decision_reason="Not in post",
        reimbursable=Decimal("700"),
    )
    _approved(ClaimFactory(pcn=busy, month=D(2026, 4, 1)), link_worker, "999.99")  # next year

    quiet, _ = _pcn(commissioner, weighted=("4000",))
    small, small_employer = _pcn(commissioner, weighted=("100",))
    PostFactory(pcn=small, employing_practice=small_employer, start_date=D(2025, 4, 1))
    return [busy, quiet, small]


def test_a_year_without_a_rate_is_refused_as_pcn_entitlement_refuses_it(pcns):
    with pytest.raises(ValidationError, match="2021/22. Ask your commissioner"):
        entitlements_for(pcns=pcns, year=2021)


def test_approved_spend_for_many_pcns_equals_approved_in_year_for_each(pcns):
    for year in (2024, 2025, 2026):
        together = approved_in_year_by_pcn(pcn_ids=[p.pk for p in pcns], year=year)
        assert together == {p.pk: approved_in_year(p.pk, year) for p in pcns}
    by_month = approved_by_month(pcn_ids=[pcns[0].pk], year=2025)[pcns[0].pk]
    assert by_month == {D(2025, 4, 1): Decimal("3700.00"), D(2025, 6, 1): Decimal("3612.67")}


def test_the_pcn_dashboard_shows_pcn_entitlements_figures(pcns):
    today = D(2026, 2, 10)
    year = dashboards.select_year(requested="2025", today=today)
    for pcn in pcns:
        board = dashboards.pcn_dashboard(pcn=pcn, year=year, today=today)
        expected = pcn_entitlement(pcn=pcn, year=2025, today=today)
        assert board.entitlement == expected
        assert board.spend == approved_in_year(pcn.pk, 2025)
        spend = board.charts["spend"]
        assert spend.footer[2].value == expected.forecast  # the months add up to the forecast
        assert spend.footer[1].value == expected.spend_to_date


def test_the_commissioner_dashboard_shows_pcn_entitlements_figures(pcns):
    today = D(2026, 2, 10)
    year = dashboards.select_year(requested="2025", today=today)
    board = dashboards.commissioner_dashboard(
        commissioner=pcns[0].commissioner, year=year, today=today
    )
    assert [row.pcn for row in board.rows] == sorted(pcns, key=lambda p: p.code)
    for row in board.rows:
        expected = pcn_entitlement(pcn=row.pcn, year=2025, today=today)
        assert (row.entitlement, row.claimed, row.forecast, row.unclaimed) == (
            expected.arr_sum,
            expected.spend_to_date,
            expected.forecast,
            expected.unclaimed,
        )
        assert row.over_committed == expected.over_committed
    small = next(row for row in board.rows if row.pcn == pcns[2])
    assert small.over_committed  # £2,663.10 of sum against a full-time link worker


# The forecast's shared work (one line per role, month, hours, region and band, with dates
# clipped to the month) against the rule applied post by post, month by month.


def _reference_forecast(posts, start, end):
    book, total = RateBook(), Decimal("0.00")
    month = start
    while month <= end:
        first, last = month_bounds(month)
        for post in posts:
            if not post.is_claimable or post.start_date > last:
                continue
            if post.end_date and post.end_date < first:
                continue
            hours = hours_on(post, max(first, post.start_date))
            try:
                total += maximum_claim(
                    role=post.role.code,
                    month=month,
                    start=post.start_date,
                    end=post.end_date,
                    region=post.region,
                    afc_band=post.afc_band,
                    rates=book,
                    hours=hours,
                ).reimbursable
            except ValidationError:
                pass
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return total


posts_strategy = st.lists(
    st.tuples(
        st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 3, 31)),  # start
        st.one_of(st.none(), st.integers(min_value=0, max_value=400)),  # days to the end
        st.sampled_from(["37.5", "30", "18.75", "7.5"]),
        st.sampled_from(["social_prescribing_link_worker", "clinical_pharmacist"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=posts_strategy)
def test_the_shared_forecast_equals_the_rule_post_by_post(specs):
    pcn, employer = _pcn(CommissionerFactory(), weighted=("1000",))
    for index, (start, days, hours, role) in enumerate(specs):
        PostFactory(
            pcn=pcn,
            role=RoleFactory(code=role),
            registration_number=f"R{index:06d}" if role == "clinical_pharmacist" else "",
            employing_practice=employer,
            start_date=start,
            end_date=None if days is None else start + dt.timedelta(days=days),
            hours=hours,
        )
    start, end = D(2025, 4, 1), D(2026, 3, 31)
    forecast = forecasts_by_pcn(pcn_ids=[pcn.pk], start=start, end=end, gp_pot=None)[pcn.pk]
    # The reference reads the posts as models, as the post-by-post rule does.
    posts = list(
        with_hours(Post.objects.filter(pcn=pcn, start_date__lte=end)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )
    )
    assert forecast.total == _reference_forecast(posts, start, end)
    assert sum(forecast.by_month.values(), Decimal("0.00")) == forecast.total


def test_people_over_one_wte_read_as_rows_equal_the_post_by_post_reading():
    from roles.selectors import people_over_one_wte, people_over_one_wte_totals

    month = D(2026, 3, 1)
    home, away = CommissionerFactory(), CommissionerFactory()
    here, here_employer = _pcn(home, weighted=("1000",))
    there, there_employer = _pcn(away, weighted=("1000",))
    pharmacist = RoleFactory(code="clinical_pharmacist")

    def post(pcn, employer, name, hours, registration="", start=None, role=None):
        return PostFactory(
            pcn=pcn,
            role=role or pharmacist,
            person_name=name,
            registration_number=registration,
            employing_practice=employer,
            start_date=start or D(2025, 4, 1),
            hours=hours,
        )

    post(here, here_employer, "Sam Twice", "37.5", "2099999")
    post(there, there_employer, "Sam Twice", "20", "2099999")
    link_worker = RoleFactory(code="social_prescribing_link_worker")
    post(here, here_employer, "Alex Noreg", "37.5", role=link_worker)
    post(there, there_employer, "Alex Noreg", "18.75", role=link_worker)
    post(here, here_employer, "Under One", "20", "2011111")
    post(there, there_employer, "Under One", "10", "2011111")
    changer = post(here, here_employer, "Cat Changer", "37.5", "2022222")
    PostHoursFactory(post=changer, effective_from=month, hours=Decimal("7.5"))
    post(there, there_employer, "Cat Changer", "37.5", "2022222", start=D(2026, 3, 16))
    post(there, there_employer, "Elsewhere Only", "37.5", "2033333")
    post(there, there_employer, "Elsewhere Only", "37.5", "2033333")

    for commissioner in (home, away, None):
        by_posts = [
            (p.name, p.total_wte, p.pcn_codes) for p in people_over_one_wte(commissioner, month)
        ]
        by_rows = [
            (p.name, p.total_wte, p.pcn_codes)
            for p in people_over_one_wte_totals(commissioner, month)
        ]
        assert by_rows == by_posts
    names = [p.name for p in people_over_one_wte_totals(home, month)]
    assert names == ["Alex Noreg", "Cat Changer", "Sam Twice"]
