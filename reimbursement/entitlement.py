"""A PCN's Additional Roles Reimbursement Sum (its ARRS entitlement) for a financial year: the
ARR sum from its weighted population, the approved spend set against it and the forecast of its
posts to 31 March. Money, so it lives here; the arithmetic is calculations.arr_sum and
calculations.maximum_claim, the posts and populations are the lower apps' reads.

The weighted populations are each member's latest list size on or before 1 January before the
year; the entitlement names the dates those figures really have (lists_text) and warns when
they are older than that 1 January (lists_warning). A year with no ARR sum rate (none is
published for 2026/27) has no entitlement: the dashboards show it as unknown, and a claim in
it is accepted with a warning (entitlement_warning), never refused.

One route for one PCN and for many (decision 0006): pcn_entitlement is entitlements_for with a
single PCN, so the dashboards and the entitlement page can never differ.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from networks.models import PCN
from networks.selectors import populations_on
from pcn_admin.dates import financial_year, month_bounds, year_label
from roles.models import EntitlementRate, Rate, Unit
from roles.selectors import PostRow, post_rows

from . import calculations
from .calculations import RateBook, maximum_claim
from .models import Claim, ClaimLine
from .selectors import approved_in_year_by_pcn

PENNY = Decimal("0.01")
ZERO = Decimal("0")
# 2019/20 had no ARR sum (arrs.md): one clinical pharmacist and one link worker per PCN. The
# sums begin with 2020/21.
FIRST_SUM_YEAR = 2020
NO_MONEY = Decimal("0.00")


@dataclass
class PracticeFigure:
    code: str
    name: str
    weighted_patients: Decimal | None
    figure_date: dt.date | None


@dataclass
class ForecastGap:
    post_id: int
    person_name: str
    role: str
    reason: str


@dataclass
class Entitlement:
    pcn: PCN
    year: int
    label: str
    population_date: dt.date
    per_weighted_patient: Decimal
    practices: list[PracticeFigure]
    members_without_figure: list[str]
    weighted_population: Decimal
    arr_sum: Decimal
    spend_to_date: Decimal
    spend_note: str
    forecast: Decimal
    forecast_from: dt.date | None
    forecast_note: str
    forecast_gaps: list[ForecastGap]
    unclaimed: Decimal
    over_committed: bool
    gp_pot: dict | None
    rounding_note: str = (
        "The ARR sum is rounded to the penny once, after multiplying. The forecast is the sum "
        "of monthly lines, each rounded to the penny as a claim line is."
    )
    # The maxima the forecast used that were derived, not published (roles.models.Provenance),
    # by role: the dashboards say so beside the forecast.
    forecast_derived: list[Rate] = field(default_factory=list)

    @property
    def forecast_derived_note(self) -> str:
        if not self.forecast_derived:
            return ""
        figures = "; ".join(
            f"{rate.role.name}: {rate.summary} ({rate.provenance_text})"
            for rate in self.forecast_derived
        )
        return (
            "The forecast uses maxima derived rather than published by NHS England (from a pay "
            f"award, or from a role on the same band): {figures}."
        )

    # The weighted list sizes used: each member's latest on or before population_date, so the
    # words name the dates the figures really have, which may be years older.

    @property
    def list_dates(self) -> list[dt.date]:
        """The distinct dates of the weighted list sizes the sum uses, oldest first."""
        return sorted({p.figure_date for p in self.practices if p.figure_date})

    @property
    def lists_text(self) -> str:
        """The list sizes used, as words: "list sizes dated 1 January 2023", or a range."""
        if not self.list_dates:
            return "no weighted list sizes recorded"
        return f"list sizes dated {dates_text(self.list_dates)}"

    @property
    def lists_stale(self) -> bool:
        return bool(self.list_dates) and self.list_dates[0] < self.population_date

    @property
    def lists_warning(self) -> str:
        """Said when any list size used is older than the 1 January before the year."""
        if not self.lists_stale:
            return ""
        stale = [
            p for p in self.practices if p.figure_date and p.figure_date < self.population_date
        ]
        used = [p for p in self.practices if p.figure_date]
        which = "" if len(stale) == len(used) else f" for {', '.join(p.code for p in stale)}"
        dates = dates_text(sorted({p.figure_date for p in stale}))
        return (
            f"The {self.label} ARR sum uses list sizes of {dates}{which}, older than "
            f"{long_date(self.population_date)}, the date it is worked out on. Import the "
            f"weighted list sizes for {long_date(self.population_date)} (NHS Payments to "
            "General Practice) to bring it up to date."
        )


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def dates_text(dates: list[dt.date]) -> str:
    """Dates as words: one date, or the oldest to the newest."""
    if len(dates) == 1:
        return long_date(dates[0])
    return f"{long_date(dates[0])} to {long_date(dates[-1])}"


def _months(first: dt.date, last: dt.date):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def pcn_entitlement(*, pcn: PCN, year: int, today: dt.date | None = None) -> Entitlement:
    """The PCN's Additional Roles Reimbursement Sum for a financial year, with its inputs.

    Raises ValidationError when no £ per weighted patient is configured for the year.
    """
    # One route for one PCN and for many, so the dashboards and this page can never differ.
    return entitlements_for(pcns=[pcn], year=year, today=today)[pcn.pk]


@dataclass
class PCNForecast:
    """One PCN's forecast: the main ARR sum's total and month by month, the 2024/25 GP pot's
    total, and the posts left out because no rate is configured."""

    total: Decimal = NO_MONEY
    gp_total: Decimal = NO_MONEY
    by_month: dict[dt.date, Decimal] = field(default_factory=dict)
    gaps: list[ForecastGap] = field(default_factory=list)
    derived: dict[int, Rate] = field(default_factory=dict)  # derived maxima used, by id


def forecast_posts(
    posts: list[PostRow],
    *,
    start: dt.date,
    end: dt.date,
    gp_pot: tuple[dt.date, dt.date] | None,
    book: RateBook,
) -> dict[int, PCNForecast]:
    """Each claimable post at its monthly maximum (reimbursement.calculations.maximum_claim)
    for each month from `start` to `end` it is in post, summed by PCN. `posts` come from
    post_rows(); posts outside the window are simply skipped."""
    result: dict[int, PCNForecast] = defaultdict(PCNForecast)
    months = [(month, *month_bounds(month)) for month in _months(start, end)]
    lines = _MonthLines(book)
    for post in posts:
        if post.is_claimable:
            _forecast_post(post, months, result[post.pcn_id], lines=lines, gp_pot=gp_pot)
    return result


def forecast_each_post(
    posts: list[PostRow],
    *,
    start: dt.date,
    end: dt.date,
    gp_pot: tuple[dt.date, dt.date] | None,
    book: RateBook,
) -> dict[int, PCNForecast]:
    """forecast_posts for each post on its own, keyed by the post's pk rather than summed by
    PCN: a workforce plan prices each planned post. The same monthly lines, each rounded to the
    penny as a claim line is, so the posts' totals add up to forecast_posts' total."""
    months = [(month, *month_bounds(month)) for month in _months(start, end)]
    lines = _MonthLines(book)
    result: dict[int, PCNForecast] = {}
    for post in posts:
        result[post.pk] = forecast = PCNForecast()
        if post.is_claimable:
            _forecast_post(post, months, forecast, lines=lines, gp_pot=gp_pot)
    return result


class _MonthLines:
    """Each post's line for a month at its maximum, worked out once per distinct line.

    Posts that share a role, month, hours, region and band and are in post all month have the
    same line. Clipping the dates to the month changes nothing in the rule (days in post count
    only within the month), so the cached line is exact. A month with no rate is remembered
    as its ValidationError."""

    def __init__(self, book: RateBook) -> None:
        self.book = book
        self.lines: dict[tuple, object] = {}
        self.rates = {rate.pk: rate for rows in book.rates.values() for rate in rows}

    def line(self, post: PostRow, month: dt.date, first: dt.date, last: dt.date):
        hours = post.hours_on(max(first, post.start_date))
        key = (
            post.role_code,
            month,
            hours,
            post.region,
            post.afc_band,
            post.start_date if post.start_date > first else None,
            post.end_date if post.end_date and post.end_date < last else None,
        )
        if key not in self.lines:
            self.lines[key] = self._maximum(post, month, hours)
        return self.lines[key]

    def _maximum(self, post: PostRow, month: dt.date, hours):
        amount_kw = {"sessions" if post.unit == Unit.SESSIONS else "hours": hours}
        try:
            return maximum_claim(
                role=post.role_code,
                month=month,
                start=post.start_date,
                end=post.end_date,
                region=post.region,
                afc_band=post.afc_band,
                rates=self.book,
                **amount_kw,
            )
        except ValidationError as error:
            return error


def _forecast_post(
    post: PostRow,
    months: list[tuple[dt.date, dt.date, dt.date]],
    forecast: PCNForecast,
    *,
    lines: _MonthLines,
    gp_pot: tuple[dt.date, dt.date] | None,
) -> None:
    """Add one post's months in post to its PCN's forecast. A post with a month that cannot
    be worked out is listed once as a gap, and such months are left out."""
    in_gap = False
    for month, first, last in months:
        if post.start_date > last or (post.end_date and post.end_date < first):
            continue
        line = lines.line(post, month, first, last)
        if isinstance(line, ValidationError):
            if not in_gap:
                in_gap = True
                forecast.gaps.append(
                    ForecastGap(post.pk, post.person_name, post.role_name, line.messages[0])
                )
            continue
        if line.is_derived:
            forecast.derived[line.rate_id] = lines.rates[line.rate_id]
        _add_month(forecast, post, month, line.reimbursable, gp_pot=gp_pot)


def _add_month(
    forecast: PCNForecast,
    post: PostRow,
    month: dt.date,
    amount: Decimal,
    *,
    gp_pot: tuple[dt.date, dt.date] | None,
) -> None:
    """A GP's sessions in the 2024/25 GP pot's months count against that pot, not the main
    ARR sum, so they stay out of the main total and its months."""
    in_gp_pot = gp_pot and post.unit == Unit.SESSIONS and gp_pot[0] <= month <= gp_pot[1]
    if in_gp_pot:
        forecast.gp_total += amount
    else:
        forecast.total += amount
        forecast.by_month[month] = forecast.by_month.get(month, NO_MONEY) + amount


def forecasts_by_pcn(
    *,
    pcn_ids,
    start: dt.date,
    end: dt.date,
    gp_pot: tuple[dt.date, dt.date] | None,
    book: RateBook | None = None,
) -> dict[int, PCNForecast]:
    """pcn_entitlement's forecast for many PCNs: five queries (three for the rates, two for
    the posts and their hours) whatever their number. Every PCN asked for has an entry."""
    ids = list(pcn_ids)
    posts = post_rows(pcn_ids=ids, start=start, end=end)
    result = forecast_posts(posts, start=start, end=end, gp_pot=gp_pot, book=book or RateBook())
    return {pcn_id: result.get(pcn_id, PCNForecast()) for pcn_id in ids}


def forecast_window(*, year: int, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """pcn_entitlement's forecast period: from this month (claims are monthly in arrears) or
    1 April, to 31 March; None once the year is over."""
    year_start, year_end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    forecast_from = max(year_start, today.replace(day=1))
    return (forecast_from, year_end) if forecast_from <= year_end else None


# The notes an Entitlement carries, for pcn_entitlement and entitlements_for alike.
SPEND_NOTE = (
    "Approved claim lines for months in the year; submitted claims awaiting "
    "review are not counted until approved."
)


FORECAST_NOTE = (
    "Assumes every claimable post in post from the forecast month to 31 March costs its "
    "full monthly maximum at its current hours, with no sub-contract fee. Posts with no "
    "configured rate are listed in forecast_gaps and left out."
)


def entitlement_from(
    *,
    pcn: PCN,
    rate: EntitlementRate,
    population,
    spend: Decimal,
    forecast: PCNForecast | None,
    forecast_from: dt.date | None,
) -> Entitlement:
    """pcn_entitlement's figures from parts already read for many PCNs at once: `population`
    is the PCN's populations_on 1 January of the year, `spend` its approved_in_year, and
    `forecast` None once the year is over. The same arithmetic, rounded the same way."""
    year = rate.year
    practices = [
        PracticeFigure(
            m.practice_code,
            m.practice_name,
            None if m.weighted is None else Decimal(m.weighted).quantize(PENNY),
            m.weighted_date,
        )
        for m in population.members
    ]
    weighted = sum((p.weighted_patients or ZERO for p in practices), ZERO)
    arr_sum = calculations.arr_sum(rate.per_weighted_patient, weighted)
    if forecast is None:
        forecast, forecast_from = PCNForecast(), None
    gp_pot = None
    if rate.gp_per_weighted_patient:
        gp_sum = calculations.arr_sum(rate.gp_per_weighted_patient, weighted)
        gp_pot = {
            "per_weighted_patient": rate.gp_per_weighted_patient,
            "from": rate.gp_pot_from,
            "to": rate.gp_pot_to,
            "sum": gp_sum,
            "forecast": forecast.gp_total,
            "unclaimed": gp_sum - forecast.gp_total,
            "over_committed": forecast.gp_total > gp_sum,
        }
    return Entitlement(
        pcn=pcn,
        year=year,
        label=year_label(year),
        population_date=dt.date(year, 1, 1),
        per_weighted_patient=rate.per_weighted_patient,
        practices=practices,
        members_without_figure=[m.practice_code for m in population.members_without_weighted],
        weighted_population=weighted,
        arr_sum=arr_sum,
        spend_to_date=spend,
        spend_note=SPEND_NOTE,
        forecast=forecast.total,
        forecast_from=forecast_from,
        forecast_note=FORECAST_NOTE,
        forecast_gaps=forecast.gaps,
        unclaimed=arr_sum - spend - forecast.total,
        over_committed=(spend + forecast.total) > arr_sum,
        gp_pot=gp_pot,
        forecast_derived=sorted(
            forecast.derived.values(), key=lambda r: (r.role.name, r.effective_from, r.pk)
        ),
    )


def entitlements_for(
    *, pcns, year: int, today: dt.date | None = None, rate: EntitlementRate | None = None
) -> dict[int, Entitlement]:
    """pcn_entitlement for many PCNs in a fixed number of queries (one for the rate unless
    given, one for the populations, five for the forecast, one for the spend).

    Raises ValidationError, as pcn_entitlement does, when the year has no ARR sum rate."""
    today = today or timezone.localdate()
    pcns = list(pcns)
    ids = [pcn.pk for pcn in pcns]
    rate = rate or EntitlementRate.objects.filter(year=year).first()
    if rate is None:
        raise ValidationError(
            f"No ARR sum rate (£ per weighted patient) is configured for {year_label(year)}. "
            "Ask your commissioner to add it."
        )
    populations = populations_on(ids, on=dt.date(year, 1, 1))
    window = forecast_window(year=year, today=today)
    forecasts: dict[int, PCNForecast] = {}
    if window:
        gp_window = (rate.gp_pot_from, rate.gp_pot_to) if rate.gp_per_weighted_patient else None
        forecasts = forecasts_by_pcn(pcn_ids=ids, start=window[0], end=window[1], gp_pot=gp_window)
    spend = approved_in_year_by_pcn(pcn_ids=ids, year=year)
    return {
        pcn.pk: entitlement_from(
            pcn=pcn,
            rate=rate,
            population=populations[pcn.pk],
            spend=spend[pcn.pk],
            forecast=forecasts.get(pcn.pk) if window else None,
            forecast_from=window[0] if window else None,
        )
        for pcn in pcns
    }


# Workforce plans --------------------------------------------------------------------------

PLAN_NOTE = (
    "Each planned post is priced at its monthly maximum (the money rule's cap for its role, "
    "hours, band and region, as the forecast prices posts) for every month from its start "
    "month to 31 March, or to its last month; each month is rounded to the penny as a claim "
    "line is, and the plan's total is the sum of those months."
)


@dataclass
class PlanPrice:
    """A PCN's planned posts for a financial year priced with the money rule
    (forecast_each_post), against its ARR sum. `entitlement` is None, and the headroom not
    known, for a year with no ARR sum rate; its forecast and spend are not used here."""

    year: int
    by_post: dict[int, PCNForecast]
    total: Decimal  # against the main ARR sum
    gp_total: Decimal  # 2024/25's separate GP pot, where the year has one
    entitlement: Entitlement | None
    derived: list[Rate]
    gaps: list[ForecastGap]
    note: str = PLAN_NOTE

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def arr_sum(self) -> Decimal | None:
        return None if self.entitlement is None else self.entitlement.arr_sum

    @property
    def headroom(self) -> Decimal | None:
        """What the plan leaves of the ARR sum: negative when the plan is over it."""
        return None if self.entitlement is None else self.entitlement.arr_sum - self.total

    @property
    def over(self) -> bool:
        return self.headroom is not None and self.headroom < 0

    def change_from(self, before: "PlanPrice") -> Decimal:
        """How much more (or, negative, less) this plan costs than `before`."""
        return self.total - before.total

    @property
    def gp_sum(self) -> Decimal | None:
        pot = self.entitlement.gp_pot if self.entitlement else None
        return pot["sum"] if pot else None

    @property
    def gp_headroom(self) -> Decimal | None:
        return None if self.gp_sum is None else self.gp_sum - self.gp_total


def plan_prices(
    *, year: int, plans: list[tuple[PCN, list[PostRow]]], book: RateBook | None = None
) -> list[PlanPrice]:
    """Each (PCN, planned posts) priced for the financial year `year`, in the order given, in
    a fixed number of queries whatever the number of plans (the ARR sum rate, the populations,
    and the RateBook's three unless one is given). The posts are PostRow values (roles
    selectors), so a planned post is priced exactly as the forecast prices a post in post."""
    rate = EntitlementRate.objects.filter(year=year).first()
    book = book or RateBook()
    gp_window = (
        (rate.gp_pot_from, rate.gp_pot_to) if rate and rate.gp_per_weighted_patient else None
    )
    populations = {}
    if rate is not None:
        populations = populations_on(sorted({pcn.pk for pcn, _ in plans}), on=dt.date(year, 1, 1))
    prices = []
    for pcn, posts in plans:
        by_post = forecast_each_post(
            posts,
            start=dt.date(year, 4, 1),
            end=dt.date(year + 1, 3, 31),
            gp_pot=gp_window,
            book=book,
        )
        derived: dict[int, Rate] = {}
        for forecast in by_post.values():
            derived.update(forecast.derived)
        entitlement = None
        if rate is not None:
            entitlement = entitlement_from(
                pcn=pcn,
                rate=rate,
                population=populations[pcn.pk],
                spend=NO_MONEY,
                forecast=None,
                forecast_from=None,
            )
        prices.append(
            PlanPrice(
                year=year,
                by_post=by_post,
                total=sum((f.total for f in by_post.values()), NO_MONEY),
                gp_total=sum((f.gp_total for f in by_post.values()), NO_MONEY),
                entitlement=entitlement,
                derived=sorted(derived.values(), key=lambda r: (r.role.name, r.effective_from)),
                gaps=[gap for forecast in by_post.values() for gap in forecast.gaps],
            )
        )
    return prices


# The check on submission ------------------------------------------------------------------


def entitlement_warning(claim: Claim, claim_total: Decimal) -> str:
    """A warning when the PCN's claims this financial year pass its ARR sum, or when the sum
    cannot be worked out (no rate or list sizes): the claim is still accepted either way. A
    year with no ARR sum rate (none published yet) is never a reason to refuse a claim."""
    year = financial_year(claim.month)
    label = year_label(year)
    if year < FIRST_SUM_YEAR:
        return ""  # no sum to pass: calculations.one_each_warnings has 2019/20's one-of-each limit
    if not EntitlementRate.objects.filter(year=year).exists():
        return (
            f"No ARR sum rate has been published for {label}: the PCN's entitlement is "
            "unknown, so this claim could not be checked against it. The claim is accepted; "
            "check the PCN's spend once the rate is known."
        )
    try:
        entitlement = pcn_entitlement(pcn=claim.pcn, year=year)
    except (ValidationError, LookupError, ArithmeticError) as error:
        reason = error.messages[0] if isinstance(error, ValidationError) else str(error)
        return f"The PCN's entitlement for {label} could not be worked out: {reason}"
    if not entitlement.weighted_population:
        return (
            f"The PCN's entitlement for {label} could not be worked out: no weighted list sizes "
            f"are recorded for its practices on 1 January {year}."
        )
    spent = year_claimed(claim, year) + claim_total
    if spent > entitlement.arr_sum:
        return (
            f"With this claim the PCN has claimed £{spent:,} in {label}, more than its "
            f"Additional Roles Reimbursement Sum of £{entitlement.arr_sum:,}. Claims over the "
            "sum cannot be paid: check with your commissioner."
        )
    return ""


def year_claimed(claim: Claim, year: int) -> Decimal:
    """What the PCN's other submitted claims in the year ask for (rejected lines left out;
    an adjustment counts only its difference from the line it corrects)."""
    lines = (
        ClaimLine.objects.filter(
            claim__pcn_id=claim.pcn_id,
            claim__month__gte=dt.date(year, 4, 1),
            claim__month__lte=dt.date(year + 1, 3, 1),
            reimbursable__isnull=False,
        )
        .exclude(claim_id=claim.pk)
        .exclude(claim__status__in=Claim.EDITABLE)
        .exclude(status=ClaimLine.Status.REJECTED)
        .select_related("original_line")
        .only("reimbursable", "original_line__reimbursable", "original_line__status")
    )
    return sum((calculations.adjustment_due(line) for line in lines), ZERO)
