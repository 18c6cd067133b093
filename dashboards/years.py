"""Which financial year a dashboard shows: the one asked for, else the current one, else the
latest with an ARR sum rate, saying so."""

import datetime as dt
from dataclasses import dataclass

from pcn_admin.dates import financial_year, year_label
from roles.models import EntitlementRate

# The first financial year of the Additional Roles Reimbursement Scheme (2019/20).
FIRST_SCHEME_YEAR = 2019


def year_months(year: int) -> list[dt.date]:
    return [dt.date(year + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


@dataclass
class YearChoice:
    year: int
    label: str
    has_rate: bool


@dataclass
class YearSelection:
    year: int
    rate: EntitlementRate | None
    notice: str
    choices: list[YearChoice]

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year + 1, 3, 31)


def select_year(*, requested: str | None, today: dt.date) -> YearSelection:
    """The financial year asked for, or by default the current one; when the current year has
    no ARR sum rate configured, the latest year that has one, saying so. One query."""
    rates = {rate.year: rate for rate in EntitlementRate.objects.all()}
    current = financial_year(today)
    first = min([FIRST_SCHEME_YEAR, *rates])
    last = max([current, *rates])
    choices = [YearChoice(y, year_label(y), y in rates) for y in range(last, first - 1, -1)]
    notice = ""
    if requested:
        try:
            year = int(requested)
        except ValueError:
            year = None
        if year is not None and first <= year <= last:
            if year not in rates:
                notice = (
                    f"No ARR sum rate is configured for {year_label(year)}, so the entitlement, "
                    "forecast and amount heading unclaimed cannot be worked out. Commissioner "
                    "staff add the rate in the administration (ARR sum rates)."
                )
            return YearSelection(year, rates.get(year), notice, choices)
        notice = f"There is no financial year “{requested}” to show. "
    if current in rates or not rates:
        year = current
        if not rates:
            notice += f"No ARR sum rate is configured for any year; showing {year_label(year)}."
    else:
        earlier = [y for y in rates if y <= current]
        year = max(earlier) if earlier else max(rates)
        notice += (
            f"No ARR sum rate is configured for {year_label(current)}; showing {year_label(year)}."
        )
    return YearSelection(year, rates.get(year), notice.strip(), choices)


def reference_month(year: YearSelection, today: dt.date) -> dt.date:
    """The month staff in post are counted in: this month, or the year's last month for a
    past year (its first for a future one)."""
    this_month = today.replace(day=1)
    return min(max(this_month, year.start), year.end.replace(day=1))
