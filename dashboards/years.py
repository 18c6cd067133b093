"""Which financial year a dashboard shows: the one asked for, else the current one. A year
with no ARR sum rate is still shown, its entitlement as unknown, saying so; it is never
swapped for an earlier year that has a rate."""

import datetime as dt
from dataclasses import dataclass

from django.utils.text import capfirst

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


def where_rates_are_added() -> str:
    """Where in the administration the ARR sum rates are kept, named as the admin names it
    (from the model, so the words follow the menu if it is renamed)."""
    meta = EntitlementRate._meta
    return (
        "Commissioner staff add it in the administration, under "
        f"{meta.app_config.verbose_name} › {capfirst(meta.verbose_name_plural)}."
    )


def no_rate_notice(year: int) -> str:
    """What a dashboard says of a year with no ARR sum rate (2026/27: none is published)."""
    if year == FIRST_SCHEME_YEAR:
        return (
            f"{year_label(year)} had no ARR sum: the scheme reimbursed one clinical pharmacist "
            "and one social prescribing link worker per PCN, so there is no entitlement to show."
        )
    return (
        f"No ARR sum rate has been published for {year_label(year)}: the entitlement is "
        "unknown, so the forecast against it and the projected unclaimed amount cannot be "
        f"worked out. Claims can still be submitted and reviewed. {where_rates_are_added()}"
    )


def select_year(*, requested: str | None, today: dt.date) -> YearSelection:
    """The financial year asked for, or by default the current one, whether or not it has an
    ARR sum rate: without one, its entitlement is shown as unknown and the notice says so
    (never an earlier year's figures in its place). One query."""
    rates = {rate.year: rate for rate in EntitlementRate.objects.all()}
    current = financial_year(today)
    first = min([FIRST_SCHEME_YEAR, *rates])
    last = max([current, *rates])
    choices = [YearChoice(y, year_label(y), y in rates) for y in range(last, first - 1, -1)]
    notice = ""
    year = current
    if requested:
        try:
            asked = int(requested)
        except ValueError:
            asked = None
        if asked is not None and first <= asked <= last:
            year = asked
        else:
            notice = f"There is no financial year “{requested}” to show. "
    if year not in rates:
        notice += no_rate_notice(year)
    return YearSelection(year, rates.get(year), notice.strip(), choices)


def reference_month(year: YearSelection, today: dt.date) -> dt.date:
    """The month staff in post are counted in: this month, or the year's last month for a
    past year (its first for a future one)."""
    this_month = today.replace(day=1)
    return min(max(this_month, year.start), year.end.replace(day=1))
