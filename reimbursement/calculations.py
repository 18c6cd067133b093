"""The money rule: what a PCN may claim for one member of staff for one calendar month.

This is the only place the rule lives (arrs.md, "How a monthly claim line is computed"):

1. cost = salary + employer NI + employer pension for the month, as paid.
2. wte = contracted hours / 37.5 (GPs: sessions / 9), at most 1.
3. fraction = days in post in the month / days in the month (calendar days; the start and
   leaving dates count as days in post).
4. cap = annual maximum / 12 * wte * fraction, using the rate in force on the 1st of the month.
5. reimbursable = min(cost * rate, cap), rate being the role's percentage on the 1st (70%, 50%
   or 100%).
6. Link workers supplied under a sub-contract: add the provider's fee, at most the role's
   monthly maximum (£200) per WTE, outside the cap. The fee maximum is pro-rated by days in
   post like the cap: a provider who supplied someone for ten days of a month has not supplied
   a month (docs/decisions/0002-rates-and-percentages.md).
7. Round to pence once, at the end, half up. Every intermediate figure stays unrounded on the
   Breakdown so a reviewer can see how the total was reached.

Rates, percentages and the fee maximum are read from the database (roles app); nothing here
is a figure. A month with no configured rate is refused, never guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from roles.models import FULL_TIME, Rate, ReimbursementPercentage, Role, Unit

PENNY = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
MONTHS_IN_YEAR = Decimal("12")


@dataclass(frozen=True)
class Breakdown:
    role: str
    month: dt.date  # the 1st of the claim month
    cost: Decimal
    wte: Decimal
    days_in_post: int
    days_in_month: int
    fraction: Decimal
    annual_max: Decimal
    rate_effective_from: dt.date
    rate: Decimal  # the share of cost, as a fraction: 0.7, 0.5 or 1
    cap: Decimal
    fee_max: Decimal
    fee: Decimal
    reimbursable: Decimal  # pounds, to the penny

    @property
    def limited_by_cap(self) -> bool:
        return self.cost * self.rate > self.cap


def month_label(month: dt.date) -> str:
    return f"{month:%B %Y}"


class RateBook:
    """The reference data, loaded in three queries, so a forecast over many posts and months
    costs the same as one line."""

    def __init__(self) -> None:
        self.roles = {role.code: role for role in Role.objects.all()}
        self.rates: dict[tuple[str, str], list[Rate]] = {}
        for rate in Rate.objects.select_related("role").order_by("-effective_from"):
            self.rates.setdefault((rate.role.code, rate.region), []).append(rate)
        self.percentages: dict[str, list[ReimbursementPercentage]] = {}
        for row in ReimbursementPercentage.objects.select_related("role").order_by(
            "-effective_from"
        ):
            self.percentages.setdefault(row.role.code, []).append(row)

    def role(self, code: str) -> Role:
        try:
            return self.roles[code]
        except KeyError:
            raise ValidationError(
                f"There is no ARRS role with the code “{code}”. Choose one of the listed roles."
            ) from None

    def rate(self, role: Role, region: str, on: dt.date, afc_band: str = "") -> Rate:
        """The maximum in force on `on` for this role and region; a band-specific row wins over
        an any-band row of the same date."""
        in_force = [r for r in self.rates.get((role.code, region), []) if r.effective_from <= on]
        if in_force:
            latest = in_force[0].effective_from
            same_date = [r for r in in_force if r.effective_from == latest]
            for row in same_date:
                if afc_band and row.afc_band == afc_band:
                    return row
            for row in same_date:
                if not row.afc_band:
                    return row
            if not afc_band:
                bands = ", ".join(sorted(r.afc_band for r in same_date))
                raise ValidationError(
                    f"The maximum for {role.name} in {month_label(on)} depends on the Agenda for "
                    f"Change band ({bands}). Record the post's band."
                )
        region_label = dict(Rate._meta.get_field("region").choices)[region]
        band = f", band {afc_band}" if afc_band else ""
        raise ValidationError(
            f"No ARRS maximum rate is configured for {role.name} ({region_label}{band}) in "
            f"{month_label(on)}. Ask your commissioner to add the rate for that month."
        )

    def percentage(self, role: Role, on: dt.date) -> Decimal:
        for row in self.percentages.get(role.code, []):
            if row.effective_from <= on:
                return row.percentage / Decimal("100")
        raise ValidationError(
            f"No reimbursement percentage is configured for {role.name} in {month_label(on)}. "
            "Ask your commissioner to add the rate for that month."
        )


def _days_in_post(first: dt.date, last: dt.date, start: dt.date | None, end: dt.date | None):
    if start and end and end < start:
        raise ValidationError("The post's end date is before its start date. Check both dates.")
    begins = max(first, start) if start else first
    ends = min(last, end) if end else last
    return max((ends - begins).days + 1, 0)


def _money(value, name: str) -> Decimal:
    value = Decimal(value)
    if value < 0:
        raise ValidationError(
            f"The {name} cannot be negative. Claim a correction as a separate adjustment."
        )
    return value


def _breakdown(
    *,
    role: str,
    month: dt.date,
    hours: Decimal | None,
    sessions: Decimal | None,
    cost: Decimal | None,
    start: dt.date | None,
    end: dt.date | None,
    region: str,
    subcontract_fee: Decimal,
    afc_band: str,
    rates: RateBook | None,
) -> Breakdown:
    book = rates or RateBook()
    role_obj = book.role(role)
    first = month.replace(day=1)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    last = first.replace(day=days_in_month)
    if role_obj.first_reimbursable > first:
        raise ValidationError(
            f"{role_obj.name} posts are reimbursable from "
            f"{role_obj.first_reimbursable:%B %Y}, so {month_label(first)} cannot be claimed. "
            "Check the month, or ask your commissioner to add the rate if it has changed."
        )

    unit = Unit(role_obj.unit)
    amount = sessions if unit == Unit.SESSIONS else hours
    other = hours if unit == Unit.SESSIONS else sessions
    wanted = "sessions" if unit == Unit.SESSIONS else "hours"
    if amount is None or other is not None:
        raise ValidationError(
            f"{role_obj.name} time is recorded in {wanted} a week. Give the {wanted} only."
        )
    amount = Decimal(amount)
    if amount < 0:
        raise ValidationError(f"The contracted {wanted} cannot be negative.")
    wte = min(amount / FULL_TIME[unit], ONE)

    days_in_post = _days_in_post(first, last, start, end)
    fraction = Decimal(days_in_post) / Decimal(days_in_month)

    rate_row = book.rate(role_obj, region, first, afc_band or "")
    share = book.percentage(role_obj, first)
    cap = rate_row.annual_max / MONTHS_IN_YEAR * wte * fraction

    fee = _money(subcontract_fee, "sub-contract fee")
    if role_obj.subcontract_fee_monthly_max is None:
        if fee:
            raise ValidationError(
                f"A sub-contracted provider's fee cannot be claimed for {role_obj.name}. "
                "Remove the fee."
            )
        fee_max = ZERO
    else:
        fee_max = role_obj.subcontract_fee_monthly_max * wte * fraction
    fee = min(fee, fee_max)

    if cost is None:  # a forecast: assume the post costs its full monthly maximum
        cost = cap / share if share else ZERO
    reimbursable = (min(cost * share, cap) + fee).quantize(PENNY, rounding=ROUND_HALF_UP)
    return Breakdown(
        role=role_obj.code,
        month=first,
        cost=cost,
        wte=wte,
        days_in_post=days_in_post,
        days_in_month=days_in_month,
        fraction=fraction,
        annual_max=rate_row.annual_max,
        rate_effective_from=rate_row.effective_from,
        rate=share,
        cap=cap,
        fee_max=fee_max,
        fee=fee,
        reimbursable=reimbursable,
    )


def reimbursable_amount(
    *,
    role: str,
    month: dt.date,
    hours: Decimal | None = None,
    sessions: Decimal | None = None,
    salary: Decimal,
    employer_ni: Decimal,
    employer_pension: Decimal,
    start: dt.date | None = None,
    end: dt.date | None = None,
    region: str = "national",
    subcontract_fee: Decimal = Decimal("0"),
    afc_band: str = "",
    rates: RateBook | None = None,
) -> Breakdown:
    """One claim line: the amount a PCN may claim for one member of staff for one month.

    Raises ValidationError (naming the role and month) when no rate or percentage is configured
    or the role was not yet reimbursable. Pass `rates` to reuse one RateBook across many lines.
    """
    cost = (
        _money(salary, "salary")
        + _money(employer_ni, "employer NI")
        + _money(employer_pension, "employer pension")
    )
    return _breakdown(
        role=role,
        month=month,
        hours=hours,
        sessions=sessions,
        cost=cost,
        start=start,
        end=end,
        region=region,
        subcontract_fee=subcontract_fee,
        afc_band=afc_band,
        rates=rates,
    )


def maximum_claim(
    *,
    role: str,
    month: dt.date,
    hours: Decimal | None = None,
    sessions: Decimal | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    region: str = "national",
    afc_band: str = "",
    rates: RateBook | None = None,
) -> Breakdown:
    """For forecasts: the line if the post cost exactly its monthly maximum (so the claim is
    the cap; no sub-contract fee, which is not known in advance)."""
    return _breakdown(
        role=role,
        month=month,
        hours=hours,
        sessions=sessions,
        cost=None,
        start=start,
        end=end,
        region=region,
        subcontract_fee=ZERO,
        afc_band=afc_band,
        rates=rates,
    )
