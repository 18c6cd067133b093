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
is a figure. A month with no configured rate is refused, never guessed. Each line names the
provenance of the maximum it used (published, or derived: arrs.md), and, for an inner or outer
London post priced on a London-wide or national figure, which region's figure that was.

Pay awards (uplifted_maximum) follow the on-cost formula of arrs.md: the salary is taken out of
the base maximum with the formula of the base's date, raised by the award, and priced with the
formula of the award's date, rounded half up to the pound.

Beside the line rule live the other money rules: why a line cannot be claimed
(line_problems), a claim line's figures (breakdown_for), what an adjustment asks for
(adjustment_due, and amount_due, its database form for set-based work), the ARR sum
(arr_sum) and a Network Contract DES stream's monthly amount (stream_month_amount).
Services and reads call these; none of them writes.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case, DecimalField, F, Value, When
from django.db.models.functions import Coalesce

from pcn_admin.dates import month_bounds
from roles.models import (
    FULL_TIME,
    REGION_FALLBACK,
    Provenance,
    ProvenanceLabels,
    Rate,
    Region,
    ReimbursementPercentage,
    Role,
    Unit,
)

from .models import ClaimLine

PENNY = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
MONTHS_IN_YEAR = Decimal("12")


@dataclass(frozen=True)
class Breakdown(ProvenanceLabels):
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
    provenance: str = Provenance.PUBLISHED  # of the maximum used (roles.models.Provenance)
    rate_region: str = Region.NATIONAL  # whose figure: the post's region, or London, or national
    rate_id: int | None = None  # the Rate row used, kept on the claim line

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
        for rate in Rate.objects.current().select_related("role").order_by("-effective_from"):
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
        """The maximum in force on `on` for this role, from the post's region or, failing that,
        the region it falls back to (REGION_FALLBACK). Among the figures of the latest date, the
        post's band chooses only where there are figures for more than one band."""
        for candidate in REGION_FALLBACK.get(region, (region,)):
            in_force = [
                r for r in self.rates.get((role.code, candidate), []) if r.effective_from <= on
            ]
            if in_force:
                return self._by_band(role, on, in_force, afc_band)
        region_label = dict(Rate._meta.get_field("region").choices)[region]
        raise ValidationError(
            f"No ARRS maximum is configured for {role.name} ({region_label}) in "
            f"{month_label(on)}, so it cannot be claimed yet. Your commissioner can see this gap "
            "on the figures coverage page; national figures are added by national administrators."
        )

    @staticmethod
    def _by_band(role: Role, on: dt.date, in_force: list[Rate], afc_band: str) -> Rate:
        latest = in_force[0].effective_from
        same_date = [r for r in in_force if r.effective_from == latest]
        if len(same_date) == 1:
            return same_date[0]
        for row in same_date:
            if row.afc_band == afc_band:
                return row
        bands = ", ".join(sorted(r.afc_band for r in same_date))
        given = f" (the post says band {afc_band})" if afc_band else ""
        raise ValidationError(
            f"The maximum for {role.name} in {month_label(on)} depends on the Agenda for Change "
            f"band ({bands}){given}. Record the post's band as one of these."
        )

    def percentage(self, role: Role, on: dt.date, afc_band: str = "") -> Decimal:
        """The share in force on `on`: a row for the post's band wins over an any-band row of
        the same or an earlier date only while it is the latest for that band."""
        rows = [r for r in self.percentages.get(role.code, []) if r.effective_from <= on]
        banded = [r for r in rows if afc_band and r.afc_band == afc_band]
        general = [r for r in rows if not r.afc_band]
        candidates = [group[0] for group in (banded, general) if group]
        if candidates:
            row = max(candidates, key=lambda r: (r.effective_from, bool(r.afc_band)))
            return row.percentage / Decimal("100")
        raise ValidationError(
            f"No reimbursement percentage is configured for {role.name} in {month_label(on)}. "
            "Ask your commissioner to add the rate for that month."
        )


def _claim_month(month: dt.date) -> tuple[dt.date, dt.date, int]:
    """The claim month's first and last days and its length in calendar days."""
    first = month.replace(day=1)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    return first, first.replace(day=days_in_month), days_in_month


def _check_reimbursable(role: Role, first: dt.date) -> None:
    """Refuse a month before the role joined the scheme, rather than fail later on a rate."""
    if role.first_reimbursable > first:
        raise ValidationError(
            f"{role.name} posts are reimbursable from "
            f"{role.first_reimbursable:%B %Y}, so {month_label(first)} cannot be claimed. "
            "Check the month, or ask your commissioner to add the rate if it has changed."
        )


def _money(value, name: str) -> Decimal:
    value = Decimal(value)
    if value < 0:
        raise ValidationError(
            f"The {name} cannot be negative. Claim a correction as a separate adjustment."
        )
    return value


def _cost(salary, employer_ni, employer_pension) -> Decimal:
    """Step 1: salary, employer NI and employer pension for the month, as paid."""
    return (
        _money(salary, "salary")
        + _money(employer_ni, "employer NI")
        + _money(employer_pension, "employer pension")
    )


def _wte(role: Role, *, hours: Decimal | None, sessions: Decimal | None) -> Decimal:
    """Step 2: contracted hours over 37.5 (GPs: sessions over 9), at most 1. The time must be
    given in the role's own unit only, so a GP's sessions are never read as hours."""
    unit = Unit(role.unit)
    amount = sessions if unit == Unit.SESSIONS else hours
    other = hours if unit == Unit.SESSIONS else sessions
    wanted = "sessions" if unit == Unit.SESSIONS else "hours"
    if amount is None or other is not None:
        raise ValidationError(
            f"{role.name} time is recorded in {wanted} a week. Give the {wanted} only."
        )
    amount = Decimal(amount)
    if amount < 0:
        raise ValidationError(f"The contracted {wanted} cannot be negative.")
    return min(amount / FULL_TIME[unit], ONE)


def _days_in_post(first: dt.date, last: dt.date, start: dt.date | None, end: dt.date | None):
    """Step 3's days in post: calendar days of the month from the start date to the leaving
    date, both counted."""
    if start and end and end < start:
        raise ValidationError("The post's end date is before its start date. Check both dates.")
    begins = max(first, start) if start else first
    ends = min(last, end) if end else last
    return max((ends - begins).days + 1, 0)


def _fraction(days_in_post: int, days_in_month: int) -> Decimal:
    """Step 3: the share of the calendar month in post (start and leaving dates included)."""
    return Decimal(days_in_post) / Decimal(days_in_month)


def _cap(annual_max: Decimal, wte: Decimal, fraction: Decimal) -> Decimal:
    """Step 4: the month's maximum. Left unrounded (step 7 rounds once); the order of the
    operations is kept as written so the Decimal result never shifts by a digit."""
    return annual_max / MONTHS_IN_YEAR * wte * fraction


def _within_cap(cost: Decimal, rate: Decimal, cap: Decimal) -> Decimal:
    """Step 5: the role's percentage of the cost, at most the cap."""
    return min(cost * rate, cap)


def _fee(
    role: Role, subcontract_fee: Decimal, wte: Decimal, fraction: Decimal
) -> tuple[Decimal, Decimal]:
    """Step 6: the sub-contracted provider's fee and its maximum, pro-rated like the cap
    (decision 0002). Returns (fee_max, fee); a fee for a role without one is refused."""
    fee = _money(subcontract_fee, "sub-contract fee")
    if role.subcontract_fee_monthly_max is None:
        if fee:
            raise ValidationError(
                f"A sub-contracted provider's fee cannot be claimed for {role.name}. "
                "Remove the fee."
            )
        fee_max = ZERO
    else:
        fee_max = role.subcontract_fee_monthly_max * wte * fraction
    return fee_max, min(fee, fee_max)


def _forecast_cost(cap: Decimal, rate: Decimal) -> Decimal:
    """Step 1 for a forecast: assume the post costs exactly its monthly maximum."""
    return cap / rate if rate else ZERO


def _round_once(amount: Decimal) -> Decimal:
    """Step 7: to pence, half up, once, at the very end."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


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
    """The rule's steps in order (see the module docstring). The checks run in this order, so
    a line with several problems always reports the same one first. `cost` None is a forecast."""
    book = rates or RateBook()
    role_obj = book.role(role)
    first, last, days_in_month = _claim_month(month)
    _check_reimbursable(role_obj, first)
    wte = _wte(role_obj, hours=hours, sessions=sessions)
    days_in_post = _days_in_post(first, last, start, end)
    fraction = _fraction(days_in_post, days_in_month)
    rate_row = book.rate(role_obj, region, first, afc_band or "")
    share = book.percentage(role_obj, first, afc_band or "")
    cap = _cap(rate_row.annual_max, wte, fraction)
    fee_max, fee = _fee(role_obj, subcontract_fee, wte, fraction)
    if cost is None:
        cost = _forecast_cost(cap, share)
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
        reimbursable=_round_once(_within_cap(cost, share, cap) + fee),
        provenance=rate_row.provenance,
        rate_region=rate_row.region,
        rate_id=rate_row.pk,
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
    return _breakdown(
        role=role,
        month=month,
        hours=hours,
        sessions=sessions,
        cost=_cost(salary, employer_ni, employer_pension),
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


def arr_sum(per_weighted_patient: Decimal, weighted_population: Decimal) -> Decimal:
    """A PCN's Additional Roles Reimbursement Sum: £ per weighted patient x its weighted
    population on 1 January before the year, rounded to the penny once, after multiplying
    (Network Contract DES, Annex B)."""
    return (per_weighted_patient * weighted_population).quantize(PENNY, ROUND_HALF_UP)


def month_of_year(month: dt.date) -> int:
    """April is month 1 of the financial year, March month 12."""
    return (month.month - 4) % 12 + 1


def stream_month_amount(per_patient: Decimal, population: Decimal, month: dt.date) -> Decimal:
    """A rate-based Network Contract DES stream's amount for one month (pcn-funding.md): the
    annual rate x the population on 1 January before the year, paid in twelfths.

    The pennies: month k pays round(A x k/12) - round(A x (k-1)/12), A being the annual amount
    unrounded. Each month is within a penny of A/12, and a year's twelve months add up to
    exactly round(A): the year is rounded once and the months share its pennies, so
    nothing is lost or paid twice over the year (docs/decisions/0014-payment-streams.md)."""
    annual = per_patient * population
    k = month_of_year(month)
    return _round_once(annual * k / 12) - _round_once(annual * (k - 1) / 12)


def difference_from_reported(app: Decimal, reported: Decimal) -> tuple[Decimal, Decimal | None]:
    """The reconciliation's difference: what the app paid (or would have paid) less what NHS
    England reported, in pounds (both already in pence, so exact), and as a per cent of what
    was reported, rounded once to one place. No per cent of nothing: None when nothing was
    reported but the app paid something (0 when both are nothing)."""
    difference = app - reported
    if not reported:
        return difference, (ZERO if not difference else None)
    return difference, (difference * 100 / abs(reported)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


ZERO_MONEY = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def line_problems(line: ClaimLine, month: dt.date) -> list[str]:
    """Why the line cannot be claimed as it stands (checked again on submission, as the post
    may have changed since the draft was started)."""
    post = line.post
    first, last = month_bounds(month)
    problems = []
    if post.pcn_id != line.claim.pcn_id:
        problems.append(
            f"{post.person_name}'s post belongs to another PCN. Remove the line by refreshing "
            "the lines from the posts."
        )
    if post.start_date > last or (post.end_date and post.end_date < first):
        problems.append(
            f"{post.person_name} was not in post in {month_label(month)} (in post "
            f"{post.start_date:%d/%m/%Y} to "
            f"{post.end_date.strftime('%d/%m/%Y') if post.end_date else 'now'}). Check the "
            "post's dates, then refresh the lines."
        )
    if post.in_post_at_baseline and not post.transferred_from_national_scheme:
        problems.append(
            f"{post.person_name} was in post on 31 March 2019 and is part of the PCN's baseline, "
            "which cannot be claimed. Refresh the lines to remove them."
        )
    if post.earlier_post_at_pcn:
        problems.append(
            f"{post.person_name} was in post at the PCN before 1 October 2024, so cannot be "
            "claimed as a newly qualified GP. Refresh the lines to remove them."
        )
    return problems


# 2019/20 (arrs.md): the scheme reimbursed one clinical pharmacist and one social prescribing
# link worker per PCN, and no ARR sum. More is not refused (the commissioner may have agreed
# it) but the reviewer is warned. The year is closed, so the rule is not editable data.
ONE_EACH_ROLES = ("clinical_pharmacist", "social_prescribing_link_worker")
ONE_EACH_FROM, ONE_EACH_TO = dt.date(2019, 7, 1), dt.date(2020, 3, 31)


def one_each_warnings(lines: list[ClaimLine], month: dt.date) -> list[str]:
    """2019/20's limit: a warning for each of its roles claimed for more than one member of
    staff, or more than 1.0 WTE, in the month. Rejected lines do not count."""
    if not ONE_EACH_FROM <= month <= ONE_EACH_TO:
        return []
    by_role: dict[str, list[ClaimLine]] = {}
    for line in lines:
        if line.status != ClaimLine.Status.REJECTED and line.post.role.code in ONE_EACH_ROLES:
            by_role.setdefault(line.post.role.code, []).append(line)
    warnings = []
    for code in ONE_EACH_ROLES:
        claimed = by_role.get(code, [])
        wte = sum((line.wte or ZERO for line in claimed), ZERO)
        if len(claimed) > 1 or wte > ONE:
            name = claimed[0].post.role.name.lower()
            warnings.append(
                f"In 2019/20 the scheme reimbursed one {name} per PCN; this claim has "
                f"{len(claimed)} for {month_label(month)} ({wte.quantize(PENNY)} WTE). "
                "Approve more than one only if the commissioner agreed it."
            )
    return warnings


def breakdown_for(
    line: ClaimLine,
    *,
    month: dt.date,
    salary: Decimal,
    employer_ni: Decimal,
    employer_pension: Decimal,
    subcontract_fee: Decimal = ZERO,
    rates: RateBook | None = None,
) -> Breakdown:
    """The line's figures from the one money rule (reimbursement.calculations)."""
    post = line.post
    if line.hours is None:
        raise ValidationError(
            f"No contracted hours are recorded for {post.person_name} in {month_label(month)}. "
            "Add them on the post's page, then refresh the lines."
        )
    unit = "sessions" if post.role.unit == Unit.SESSIONS else "hours"
    return reimbursable_amount(
        role=post.role.code,
        month=month,
        salary=salary,
        employer_ni=employer_ni,
        employer_pension=employer_pension,
        start=post.start_date,
        end=post.end_date,
        region=post.region,
        subcontract_fee=subcontract_fee or ZERO,
        afc_band=post.afc_band,
        rates=rates,
        **{unit: line.hours},
    )


def amount_due() -> Case:
    """adjustment_due as a database expression, for set-based work (payment batches): the
    line's reimbursable amount, less the original line's when this line corrects an approved
    one. A test holds the two to the same answers."""
    return Case(
        When(
            original_line__status=ClaimLine.Status.APPROVED,
            then=Coalesce(F("reimbursable"), ZERO_MONEY)
            - Coalesce(F("original_line__reimbursable"), ZERO_MONEY),
        ),
        default=Coalesce(F("reimbursable"), ZERO_MONEY),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def adjustment_due(line: ClaimLine) -> Decimal:
    """An adjustment line asks for its corrected amount less what the original line was
    approved for; an ordinary line for its amount."""
    amount = line.reimbursable or ZERO
    original = line.original_line
    if original is not None and original.status == ClaimLine.Status.APPROVED:
        amount -= original.reimbursable or ZERO
    return amount


# arrs.md: a maximum M is salary S plus 14.38% employer pension plus employer NI. Up to 2024/25
# NI was 13.8% above £9,100 (M = 1.2818 S - 1,255.80); from 2025/26 it is 15% above £5,000
# (M = 1.2938 S - 750). Each pair applies from its date; these are the formula's coefficients,
# not reimbursement figures (those are dated rows in the roles app).
ON_COSTS = (
    (dt.date(2025, 4, 1), Decimal("1.2938"), Decimal("750")),
    (dt.date(2019, 4, 1), Decimal("1.2818"), Decimal("1255.80")),
)
POUND = Decimal("1")


def _on_costs(on: dt.date) -> tuple[Decimal, Decimal]:
    for start, multiplier, offset in ON_COSTS:
        if on >= start:
            return multiplier, offset
    return ON_COSTS[-1][1], ON_COSTS[-1][2]


def salary_within(maximum: Decimal, on: dt.date) -> Decimal:
    """The salary a maximum in force on `on` was built from (unrounded)."""
    multiplier, offset = _on_costs(on)
    return (maximum + offset) / multiplier


def uplifted_maximum(
    base: Decimal, *, base_from: dt.date, award: Decimal, award_from: dt.date
) -> Decimal:
    """A maximum after a pay award of `award` (0.036 for 3.6%) from `award_from`: the base's
    salary (with the on-costs of the base's date) raised by the award and priced with the
    on-costs of the award's date, rounded half up to the pound. From 2025/26 this is
    (M + 750) x (1 + award) - 750."""
    multiplier, offset = _on_costs(award_from)
    raised = salary_within(base, base_from) * (ONE + award)
    return (raised * multiplier - offset).quantize(POUND, rounding=ROUND_HALF_UP)
