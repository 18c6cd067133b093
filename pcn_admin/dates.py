"""Calendar helpers every app shares: a month's first and last days, and the financial year.

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
