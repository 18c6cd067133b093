"""A PCN's populations are sums over its members on a date, with warnings outside the band."""

import datetime as dt
from decimal import Decimal

import pytest

from networks import selectors
from tests.networks.factories import ListSizeFactory, MembershipFactory, PCNFactory

pytestmark = pytest.mark.django_db


def test_population_sums_each_members_latest_list_size_on_the_date():
    pcn = PCNFactory()
    first = MembershipFactory(pcn=pcn).practice
    second = MembershipFactory(pcn=pcn).practice
    ListSizeFactory(
        practice=first,
        date=dt.date(2023, 1, 1),
        registered_patients=9_000,
        weighted_patients=Decimal("9100.50"),
    )
    ListSizeFactory(
        practice=first,
        date=dt.date(2024, 1, 1),
        registered_patients=10_000,
        weighted_patients=Decimal("10200.25"),
    )
    ListSizeFactory(
        practice=first, date=dt.date(2025, 1, 1), registered_patients=99_999, weighted_patients=None
    )
    ListSizeFactory(
        practice=second,
        date=dt.date(2023, 6, 1),
        registered_patients=21_000,
        weighted_patients=Decimal("20000.10"),
    )

    population = selectors.populations_on([pcn.pk], on=dt.date(2024, 6, 30))[pcn.pk]

    assert population.registered == 31_000
    assert population.weighted == Decimal("30200.35")
    assert {m.registered_date for m in population.members} == {
        dt.date(2024, 1, 1),
        dt.date(2023, 6, 1),
    }


def test_members_who_left_before_the_date_do_not_count():
    pcn = PCNFactory()
    stayed = MembershipFactory(pcn=pcn).practice
    left = MembershipFactory(pcn=pcn, end_date=dt.date(2022, 3, 31)).practice
    ListSizeFactory(practice=stayed, registered_patients=12_000, date=dt.date(2022, 1, 1))
    ListSizeFactory(practice=left, registered_patients=40_000, date=dt.date(2022, 1, 1))

    before = selectors.populations_on([pcn.pk], on=dt.date(2022, 3, 31))[pcn.pk]
    after = selectors.populations_on([pcn.pk], on=dt.date(2022, 4, 1))[pcn.pk]

    assert before.registered == 52_000
    assert after.registered == 12_000


def test_a_member_with_no_list_size_is_named_and_counts_as_nothing():
    pcn = PCNFactory()
    practice = MembershipFactory(pcn=pcn).practice
    population = selectors.populations_on([pcn.pk], on=dt.date(2024, 1, 1))[pcn.pk]
    assert population.registered == 0
    assert [m.practice_code for m in population.members_without_weighted] == [practice.code]


def test_small_pcn_without_waiver_is_warned_but_a_recorded_waiver_clears_it():
    pcn = PCNFactory()
    practice = MembershipFactory(pcn=pcn).practice
    ListSizeFactory(practice=practice, registered_patients=18_500, date=dt.date(2024, 1, 1))
    population = selectors.populations_on([pcn.pk], on=dt.date(2024, 2, 1))[pcn.pk]

    warnings = selectors.population_warnings(pcn, population)
    assert any("below 30,000" in w for w in warnings)

    pcn.population_waiver_date = dt.date(2023, 4, 1)
    assert not any("below 30,000" in w for w in selectors.population_warnings(pcn, population))


def test_large_pcn_is_allowed_with_a_warning():
    pcn = PCNFactory()
    practice = MembershipFactory(pcn=pcn).practice
    ListSizeFactory(practice=practice, registered_patients=61_000, date=dt.date(2024, 1, 1))
    population = selectors.populations_on([pcn.pk], on=dt.date(2024, 2, 1))[pcn.pk]
    assert any("above 50,000" in w for w in selectors.population_warnings(pcn, population))
