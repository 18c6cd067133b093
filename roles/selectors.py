"""Reads for the roles app: staff in post, WTE warnings, and a PCN's ARRS entitlement.

Set-based: a page of posts, or a PCN's forecast, costs a fixed number of queries.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from networks.models import PCN, Commissioner
from networks.selectors import populations_on
from pcn_admin import access
from reimbursement.calculations import RateBook, maximum_claim

from .models import EntitlementRate, Post, PostHours, Unit

PENNY = Decimal("0.01")
ZERO = Decimal("0")
NO_MONEY = Decimal("0.00")


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def with_hours(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a list of posts shows: role, PCN, employer and the hours history."""
    return posts.select_related("role", "pcn", "employing_practice").prefetch_related(
        Prefetch("hours", queryset=PostHours.objects.order_by("-effective_from"))
    )


def posts_for_list(user) -> QuerySet[Post]:
    return with_hours(access.visible_posts(user)).order_by(
        "pcn__code", "role__name", "person_name", "pk"
    )


def hours_on(post: Post, date: dt.date) -> Decimal | None:
    """The contracted hours (sessions for GPs) in force on `date`; uses prefetched hours."""
    rows = sorted(post.hours.all(), key=lambda row: row.effective_from, reverse=True)
    for row in rows:
        if row.effective_from <= date:
            return row.hours
    # Before the first recorded change: the first hours are the ones it started with.
    return rows[-1].hours if rows else None


def current_hours(post: Post) -> Decimal | None:
    return hours_on(post, max(timezone.localdate(), post.start_date))


def wte_in_month(post: Post, month: dt.date) -> Decimal:
    first, _ = month_bounds(month)
    hours = hours_on(post, max(first, post.start_date)) or ZERO
    return hours / post.role.full_time


def person_key(post: Post) -> str:
    """One person across posts: their registration number when recorded, else their name."""
    if post.registration_number.strip():
        return "reg:" + "".join(post.registration_number.split()).upper()
    return "name:" + " ".join(post.person_name.split()).casefold()


@dataclass
class PersonOverOneWTE:
    key: str
    name: str
    registration_number: str
    total_wte: Decimal
    posts: list[Post] = field(default_factory=list)

    @property
    def pcn_codes(self) -> list[str]:
        return sorted({post.pcn.code for post in self.posts})


def _overlapping(month: dt.date) -> QuerySet[Post]:
    first, last = month_bounds(month)
    return Post.objects.filter(start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )


def people_over_one_wte(
    commissioner: Commissioner | None, month: dt.date
) -> list[PersonOverOneWTE]:
    """People in the commissioner's PCNs whose posts that month add up to more than 1.0 WTE,
    counting their posts in any PCN (a warning for the commissioner, not an error).
    None: every commissioner (superusers)."""
    in_area = _overlapping(month)
    if commissioner is not None:
        in_area = in_area.filter(pcn__commissioner=commissioner)
    area = list(in_area.values_list("registration_number", "person_name"))
    regs = {reg.strip() for reg, _ in area if reg.strip()}
    names = {name for reg, name in area if not reg.strip()}
    candidates = with_hours(
        _overlapping(month).filter(Q(registration_number__in=regs) | Q(person_name__in=names))
    )
    people: dict[str, PersonOverOneWTE] = {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for post in candidates:
        key = person_key(post)
        totals[key] += wte_in_month(post, month)
        person = people.setdefault(
            key, PersonOverOneWTE(key, post.person_name, post.registration_number, ZERO)
        )
        person.posts.append(post)
    over = []
    for key, person in people.items():
        person.total_wte = totals[key]
        if person.total_wte > 1:
            over.append(person)
    return sorted(over, key=lambda p: p.name.casefold())


# Entitlement ------------------------------------------------------------------------------


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


def _months(first: dt.date, last: dt.date):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _forecast(pcn: PCN, start: dt.date, end: dt.date, gp_pot: tuple[dt.date, dt.date] | None):
    """Claimable current posts at their monthly maximum, month by month from `start`."""
    book = RateBook()
    posts = with_hours(
        Post.objects.filter(pcn=pcn, start_date__lte=end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )
    )
    total, gp_total, gaps = NO_MONEY, NO_MONEY, {}
    for post in posts:
        if not post.is_claimable:
            continue
        for month in _months(start, end):
            first, last = month_bounds(month)
            if post.start_date > last or (post.end_date and post.end_date < first):
                continue
            hours = hours_on(post, max(first, post.start_date))
            amount_kw = {"sessions" if post.role.unit == Unit.SESSIONS else "hours": hours}
            try:
                line = maximum_claim(
                    role=post.role.code,
                    month=month,
                    start=post.start_date,
                    end=post.end_date,
                    region=post.region,
                    afc_band=post.afc_band,
                    rates=book,
                    **amount_kw,
                )
            except ValidationError as error:
                gaps.setdefault(
                    post.pk,
                    ForecastGap(post.pk, post.person_name, post.role.name, error.messages[0]),
                )
                continue
            in_gp_pot = (
                gp_pot and post.role.unit == Unit.SESSIONS and gp_pot[0] <= month <= gp_pot[1]
            )
            if in_gp_pot:
                gp_total += line.reimbursable
            else:
                total += line.reimbursable
    return total, gp_total, list(gaps.values())


def pcn_entitlement(*, pcn: PCN, year: int, today: dt.date | None = None) -> Entitlement:
    """The PCN's Additional Roles Reimbursement Sum for a financial year, with its inputs.

    Raises ValidationError when no £ per weighted patient is configured for the year.
    """
    today = today or timezone.localdate()
    rate = EntitlementRate.objects.filter(year=year).first()
    label = f"{year}/{(year + 1) % 100:02d}"
    if rate is None:
        raise ValidationError(
            f"No ARR sum rate (£ per weighted patient) is configured for {label}. "
            "Ask your commissioner to add it."
        )
    population_date = dt.date(year, 1, 1)
    population = populations_on([pcn.pk], on=population_date)[pcn.pk]
    # Weighted list sizes are stored to 2 dp; SQLite can hand back extra trailing zeros.
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
    arr_sum = (rate.per_weighted_patient * weighted).quantize(PENNY, ROUND_HALF_UP)

    year_start, year_end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    # Claims are monthly in arrears: the current month is still to be claimed.
    forecast_from = max(year_start, today.replace(day=1))
    gp_window = (rate.gp_pot_from, rate.gp_pot_to) if rate.gp_per_weighted_patient else None
    if forecast_from <= year_end:
        forecast, gp_forecast, gaps = _forecast(pcn, forecast_from, year_end, gp_window)
    else:
        forecast, gp_forecast, gaps, forecast_from = NO_MONEY, NO_MONEY, [], None

    gp_pot = None
    if gp_window:
        gp_sum = (rate.gp_per_weighted_patient * weighted).quantize(PENNY, ROUND_HALF_UP)
        gp_pot = {
            "per_weighted_patient": rate.gp_per_weighted_patient,
            "from": rate.gp_pot_from,
            "to": rate.gp_pot_to,
            "sum": gp_sum,
            "forecast": gp_forecast,
            "unclaimed": gp_sum - gp_forecast,
            "over_committed": gp_forecast > gp_sum,
        }
    # Imported here: reimbursement builds on roles, not the other way round.
    from reimbursement.selectors import approved_in_year

    spend = approved_in_year(pcn.pk, year)
    unclaimed = arr_sum - spend - forecast
    return Entitlement(
        pcn=pcn,
        year=year,
        label=label,
        population_date=population_date,
        per_weighted_patient=rate.per_weighted_patient,
        practices=practices,
        members_without_figure=[m.practice_code for m in population.members_without_weighted],
        weighted_population=weighted,
        arr_sum=arr_sum,
        spend_to_date=spend,
        spend_note="Approved claim lines for months in the year; submitted claims awaiting "
        "review are not counted until approved.",
        forecast=forecast,
        forecast_from=forecast_from,
        forecast_note=(
            "Assumes every claimable post in post from the forecast month to 31 March costs its "
            "full monthly maximum at its current hours, with no sub-contract fee. Posts with no "
            "configured rate are listed in forecast_gaps and left out."
        ),
        forecast_gaps=gaps,
        unclaimed=unclaimed,
        over_committed=(spend + forecast) > arr_sum,
        gp_pot=gp_pot,
    )
