"""The money of PCN development funding: backfill rounded to pence once, the clinical directors'
share rounded up (it is "at least"), baseline funding's end, and an allocation that reconciles."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from development import calculations
from development.models import Domain

pence = st.integers(min_value=1, max_value=10_000_000).map(lambda p: Decimal(p) / 100)


def test_backfill_is_hours_times_rate_rounded_to_the_penny_once():
    # 3.33 x £33.33 = £110.9889: rounded once, half up, to £110.99.
    assert calculations.backfill_amount(Decimal("3.33"), Decimal("33.33")) == Decimal("110.99")
    # Exactly half a penny goes up.
    assert calculations.backfill_amount(Decimal("0.5"), Decimal("0.01")) == Decimal("0.01")
    assert calculations.backfill_amount(Decimal("3.5"), Decimal("95.00")) == Decimal("332.50")


def test_the_clinical_director_minimum_is_ten_percent_rounded_up_to_the_penny():
    assert calculations.clinical_director_minimum(Decimal("1293000.00"), Decimal("10")) == Decimal(
        "129300.00"
    )
    # 10% of £0.05 is half a penny: "at least" rounds up.
    assert calculations.clinical_director_minimum(Decimal("0.05"), Decimal("10")) == Decimal("0.01")


def test_five_funded_years_from_2019_20_end_on_31_march_2024():
    assert calculations.baseline_funding_end(5) == dt.date(2024, 3, 31)
    assert calculations.baseline_funding_end(1) == dt.date(2020, 3, 31)


def _summary(allocated, committed, spent, cd):
    return calculations.funding_summary(
        allocated=allocated,
        cd_percent=Decimal("10"),
        domains=list(Domain.choices),
        committed_by_domain=committed,
        spent_by_domain=spent,
        cd_committed=cd,
    )


def test_the_warning_stands_while_clinical_director_development_is_under_ten_percent():
    under = _summary(
        Decimal("250000.00"),
        {"leadership": Decimal("24999.99")},
        {},
        Decimal("24999.99"),
    )
    assert under.cd_warning
    assert under.cd_shortfall == Decimal("0.01")
    met = _summary(Decimal("250000.00"), {"leadership": Decimal("25000.00")}, {}, Decimal("25000"))
    assert not met.cd_warning
    assert met.cd_shortfall == 0


@given(
    allocated=pence,
    shares=st.lists(st.tuples(st.sampled_from(Domain.values), pence, st.integers(0, 100))),
)
def test_an_allocation_reconciles_to_the_penny(allocated, shares):
    committed, spent = {}, {}
    for domain, amount, percent_spent in shares:
        committed[domain] = committed.get(domain, Decimal("0")) + amount
        used = (amount * percent_spent / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        spent[domain] = spent.get(domain, Decimal("0")) + used
    summary = _summary(allocated, committed, spent, Decimal("0"))
    assert summary.allocated == summary.committed + summary.remaining
    assert summary.spent <= summary.committed
    assert summary.reconciles
    assert summary.committed == sum(committed.values(), Decimal("0"))
