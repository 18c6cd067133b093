"""A commissioner's claim window: the deadline it gives each month, and days refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from claim_cycle import services
from claim_cycle.models import ClaimWindow
from tests.claim_cycle.factories import ClaimWindowFactory
from tests.networks.factories import CommissionerFactory
from tests.pcn_admin.factories import CommissionerStaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("claim_month", "deadline"),
    [
        (dt.date(2025, 6, 1), dt.date(2025, 7, 3)),  # Tue 1, Wed 2, Thu 3 July
        (dt.date(2025, 4, 1), dt.date(2025, 5, 6)),  # Monday 5 May is the early May holiday
        (dt.date(2025, 12, 1), dt.date(2026, 1, 6)),  # New Year's Day, then Fri 2, Mon 5, Tue 6
        (dt.date(2026, 3, 1), dt.date(2026, 4, 7)),  # Good Friday 3 and Easter Monday 6 April
        (dt.date(2025, 5, 1), dt.date(2025, 6, 4)),  # Sunday 1 June: Mon 2, Tue 3, Wed 4
    ],
)
def test_the_third_working_day_skips_weekends_and_bank_holidays(claim_month, deadline):
    window = ClaimWindowFactory(rule=ClaimWindow.Rule.WORKING_DAY, day=3)

    assert window.deadline_for(claim_month) == deadline


def test_a_fixed_date_is_kept_even_at_a_weekend():
    window = ClaimWindowFactory(rule=ClaimWindow.Rule.FIXED_DAY, day=28)

    assert window.deadline_for(dt.date(2026, 1, 1)) == dt.date(2026, 2, 28)  # a Saturday
    assert window.deadline_for(dt.date(2025, 6, 1)) == dt.date(2025, 7, 28)


def test_practices_are_reminded_from_three_working_days_before_the_deadline():
    window = ClaimWindowFactory(day=3, reminder_working_days=3)

    # Deadline Thursday 3 July 2025: Monday 30 June, Tuesday and Wednesday, then the day itself.
    assert window.reminders_from(dt.date(2025, 6, 1)) == dt.date(2025, 6, 30)


def test_the_rule_reads_as_people_say_it():
    assert (
        ClaimWindowFactory(day=3).describe()
        == "the 3rd working day of the month after the claim month"
    )
    assert (
        ClaimWindowFactory(rule=ClaimWindow.Rule.FIXED_DAY, day=21).describe()
        == "the 21st of the month after the claim month"
    )


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (
            31,
            "There is no 31st in February, April, June, September and November, so a "
            "deadline on the 31st would fall on a day that does not exist.",
        ),
        (30, "There is no 30th in February, so a deadline on the 30th would fall on a day"),
        (29, "There is no 29th in February (except in a leap year), so a deadline"),
        (32, "No month has a 32nd day."),
    ],
)
def test_a_fixed_date_missing_from_some_months_is_refused(day, message):
    window = ClaimWindow(commissioner=CommissionerFactory(), rule="fixed_day", day=day)

    with pytest.raises(ValidationError) as error:
        window.full_clean()

    (text,) = error.value.message_dict["day"]
    assert message in text
    assert "Choose a date from the 1st to the 28th, or a working day" in text or day == 32


def test_the_28th_is_the_latest_fixed_date():
    ClaimWindow(commissioner=CommissionerFactory(), rule="fixed_day", day=28).full_clean()


@pytest.mark.parametrize("day", [0, 16])
def test_a_working_day_past_the_15th_or_of_zero_is_refused(day):
    window = ClaimWindow(commissioner=CommissionerFactory(), rule="working_day", day=day)

    with pytest.raises(ValidationError) as error:
        window.full_clean()

    assert "Choose a working day from 1 to 15" in error.value.message_dict["day"][0]


def test_setting_a_window_refuses_a_missing_day_and_saves_nothing():
    commissioner = CommissionerFactory()
    staff = CommissionerStaffFactory(commissioner=commissioner)

    with pytest.raises(ValidationError):
        services.claim_window_set(commissioner=commissioner, rule="fixed_day", day=31, by=staff)

    assert not ClaimWindow.objects.filter(commissioner=commissioner).exists()


def test_setting_a_window_again_changes_it_and_keeps_its_history():
    commissioner = CommissionerFactory()
    staff = CommissionerStaffFactory(commissioner=commissioner)
    services.claim_window_set(commissioner=commissioner, rule="working_day", day=3, by=staff)

    window = services.claim_window_set(
        commissioner=commissioner, rule="fixed_day", day=10, reminder_working_days=5, by=staff
    )

    assert ClaimWindow.objects.get() == window
    assert (window.rule, window.day, window.reminder_working_days) == ("fixed_day", 10, 5)
    assert window.history.count() == 2
    assert window.history.first().history_user == staff
