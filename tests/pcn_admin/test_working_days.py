"""Working days: weekdays that are not England and Wales bank holidays (pcn_admin/dates.py),
which the new-referrals queue counts a referral's wait in."""

import datetime as dt

from pcn_admin.dates import bank_holidays, working_days_before, working_days_between


def test_bank_holidays_are_england_and_wales_including_substitutes_and_one_offs():
    assert bank_holidays(2026) == {
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 3),  # Good Friday
        dt.date(2026, 4, 6),  # Easter Monday
        dt.date(2026, 5, 4),
        dt.date(2026, 5, 25),
        dt.date(2026, 8, 31),
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 28),  # Boxing Day falls on a Saturday
    }
    assert {dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19)} <= bank_holidays(2022)
    assert dt.date(2022, 5, 30) not in bank_holidays(2022)  # moved for the Jubilee
    assert {dt.date(2021, 12, 27), dt.date(2021, 12, 28)} <= bank_holidays(2021)


def test_working_days_skip_weekends_and_bank_holidays():
    thursday = dt.date(2026, 11, 26)
    assert working_days_before(thursday, 3) == dt.date(2026, 11, 23)  # Monday
    assert working_days_between(dt.date(2026, 11, 20), thursday) == 4  # Friday to Thursday
    # Easter 2026: Thursday 2 April to Tuesday 7 April is one working day (the Tuesday).
    assert working_days_between(dt.date(2026, 4, 2), dt.date(2026, 4, 7)) == 1
