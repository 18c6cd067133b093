"""Calendar helpers every app shares: a month's first and last days, the financial year, and
working days (weekdays that are not England and Wales bank holidays).

On the ground floor: imports nothing of the project, so any app may use it.
"""

import calendar
import datetime as dt


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last days of the month `month` falls in."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def financial_year(day: dt.date) -> int:
    """The year a financial year starts in: April 2025 to March 2026 is 2025."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    """How the NHS writes a financial year: 2025/26."""
    return f"{year}/{(year + 1) % 100:02d}"


# Working days -------------------------------------------------------------------------------
# England and Wales bank holidays (gov.uk/bank-holidays): the fixed rules, with a substitute
# weekday when Christmas, Boxing Day or New Year's Day falls at a weekend, and the one-off
# changes of recent years by proclamation.
_MOVED_BANK_HOLIDAYS = {
    dt.date(2020, 5, 4): dt.date(2020, 5, 8),  # early May, moved for VE Day's 75th anniversary
    dt.date(2022, 5, 30): dt.date(2022, 6, 2),  # spring, moved for the Platinum Jubilee
}
_EXTRA_BANK_HOLIDAYS = {
    dt.date(2022, 6, 3),  # Platinum Jubilee
    dt.date(2022, 9, 19),  # the State Funeral of Queen Elizabeth II
    dt.date(2023, 5, 8),  # the Coronation of King Charles III
}


def _easter_sunday(year: int) -> dt.date:
    """Easter Day in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * el) // 433
    month = (h + el - 7 * m + 90) // 25
    return dt.date(year, month, (h + el - 7 * m + 33 * month + 19) % 32)


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=-day.weekday() % 7)


def bank_holidays(year: int) -> set[dt.date]:
    """England and Wales bank holidays in `year`."""
    easter = _easter_sunday(year)
    new_year = dt.date(year, 1, 1)
    if new_year.weekday() >= 5:
        new_year = _monday_on_or_after(new_year)
    christmas, boxing_day = dt.date(year, 12, 25), dt.date(year, 12, 26)
    if christmas.weekday() >= 5:  # Saturday: Monday and Tuesday; Sunday: Tuesday
        boxing_day = _monday_on_or_after(christmas) + dt.timedelta(days=1)
        christmas = _monday_on_or_after(christmas)
    elif boxing_day.weekday() >= 5:
        boxing_day = _monday_on_or_after(boxing_day)
    days = {
        new_year,
        easter - dt.timedelta(days=2),  # Good Friday
        easter + dt.timedelta(days=1),  # Easter Monday
        _monday_on_or_after(dt.date(year, 5, 1)),  # early May
        _monday_on_or_after(dt.date(year, 5, 25)),  # spring: the last Monday in May
        _monday_on_or_after(dt.date(year, 8, 25)),  # summer: the last Monday in August
        christmas,
        boxing_day,
    }
    days = {_MOVED_BANK_HOLIDAYS.get(day, day) for day in days}
    return days | {day for day in _EXTRA_BANK_HOLIDAYS if day.year == year}


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The date `count` working days before `day`: between it and `day` (that date excluded,
    `day` included when it is a working day) lie exactly `count` working days."""
    for _ in range(count):
        day -= dt.timedelta(days=1)
        while not is_working_day(day):
            day -= dt.timedelta(days=1)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start`, up to and including `end` (0 when `end` is not later)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += is_working_day(day)
    return days
