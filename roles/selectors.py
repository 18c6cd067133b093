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


def pcn_entitlement(*, pcn: PCN, year: int, today: dt.date | None = None) -> Entitlement:
    """The PCN's Additional Roles Reimbursement Sum for a financial year, with its inputs.

    Raises ValidationError when no £ per weighted patient is configured for the year.
    """
    # One route for one PCN and for many, so the dashboards and this page can never differ.
    return entitlements_for(pcns=[pcn], year=year, today=today)[pcn.pk]


# Set-based reads for the dashboards -------------------------------------------------------
# pcn_entitlement's rules for every PCN on a page at once: a fixed number of queries however
# many PCNs and posts. pcn_entitlement is entitlements_for with one PCN.


@dataclass
class PCNForecast:
    """One PCN's forecast: the main ARR sum's total and month by month, the 2024/25 GP pot's
    total, and the posts left out because no rate is configured."""

    total: Decimal = NO_MONEY
    gp_total: Decimal = NO_MONEY
    by_month: dict[dt.date, Decimal] = field(default_factory=dict)
    gaps: list[ForecastGap] = field(default_factory=list)


@dataclass(slots=True)
class PostRow:
    """A post as the forecast and the staff counts need it, read as plain values rather than
    as a model with its hours prefetched (a commissioner's area is hundreds of posts)."""

    pk: int
    pcn_id: int
    person_name: str
    role_code: str
    role_name: str
    unit: str
    region: str
    afc_band: str
    start_date: dt.date
    end_date: dt.date | None
    is_claimable: bool
    hours: list[tuple[dt.date, Decimal]]  # (effective from, hours), latest first

    def hours_on(self, date: dt.date) -> Decimal | None:
        return _hours_in_force(self.hours, date)

    def wte_in_month(self, month: dt.date) -> Decimal:
        """wte_in_month's figure: the hours on the post's first day in the month, over full
        time."""
        from .models import FULL_TIME

        first, _ = month_bounds(month)
        return (self.hours_on(max(first, self.start_date)) or ZERO) / FULL_TIME[Unit(self.unit)]


def _hours_in_force(rows: list[tuple[dt.date, Decimal]], date: dt.date) -> Decimal | None:
    """hours_on's choice from (effective_from, hours) rows, latest first: the latest change on
    or before the date, else the hours the post started with."""
    for effective_from, hours in rows:
        if effective_from <= date:
            return hours
    return rows[-1][1] if rows else None


POST_ROW_FIELDS = (
    "pk",
    "pcn_id",
    "person_name",
    "role__code",
    "role__name",
    "role__unit",
    "region",
    "afc_band",
    "start_date",
    "end_date",
    "in_post_at_baseline",
    "transferred_from_national_scheme",
    "earlier_post_at_pcn",
)


def post_rows(*, pcn_ids, start: dt.date, end: dt.date) -> list[PostRow]:
    """The PCNs' posts in post at some point from `start` to `end`, in the posts' own order,
    with their hours: two queries."""
    from types import SimpleNamespace

    posts = list(
        Post.objects.filter(pcn_id__in=pcn_ids, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .order_by(*Post._meta.ordering, "pk")
        .values_list(*POST_ROW_FIELDS)
    )
    hours: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for post_id, effective_from, value in (
        PostHours.objects.filter(post_id__in=[row[0] for row in posts])
        .order_by("post_id", "-effective_from")
        .values_list("post_id", "effective_from", "hours")
    ):
        hours[post_id].append((effective_from, value))
    rows = []
    for pk, pcn_id, name, code, role_name, unit, region, band, begins, ends, *flags in posts:
        # The model's own additionality rule, applied to the three flags.
        claimable = Post.is_claimable.fget(
            SimpleNamespace(
                in_post_at_baseline=flags[0],
                transferred_from_national_scheme=flags[1],
                earlier_post_at_pcn=flags[2],
            )
        )
        rows.append(
            PostRow(
                pk,
                pcn_id,
                name,
                code,
                role_name,
                unit,
                region,
                band,
                begins,
                ends,
                claimable,
                hours[pk],
            )
        )
    return rows


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
    # Posts that share a role, month, hours, region and band and are in post all month have
    # the same line: work it out once. Clipping the dates to the month changes nothing in the
    # rule (days in post count only within the month), so the cached line is exact.
    lines: dict[tuple, object] = {}
    for post in posts:
        if not post.is_claimable:
            continue
        forecast = result[post.pcn_id]
        in_gap = False
        for month, first, last in months:
            if post.start_date > last or (post.end_date and post.end_date < first):
                continue
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
            if key not in lines:
                amount_kw = {"sessions" if post.unit == Unit.SESSIONS else "hours": hours}
                try:
                    lines[key] = maximum_claim(
                        role=post.role_code,
                        month=month,
                        start=post.start_date,
                        end=post.end_date,
                        region=post.region,
                        afc_band=post.afc_band,
                        rates=book,
                        **amount_kw,
                    )
                except ValidationError as error:
                    lines[key] = error
            line = lines[key]
            if isinstance(line, ValidationError):
                if not in_gap:
                    in_gap = True
                    forecast.gaps.append(
                        ForecastGap(post.pk, post.person_name, post.role_name, line.messages[0])
                    )
                continue
            in_gp_pot = gp_pot and post.unit == Unit.SESSIONS and gp_pot[0] <= month <= gp_pot[1]
            if in_gp_pot:
                forecast.gp_total += line.reimbursable
            else:
                forecast.total += line.reimbursable
                forecast.by_month[month] = (
                    forecast.by_month.get(month, NO_MONEY) + line.reimbursable
                )
    return result


def posts_overlapping(*, pcn_ids, start: dt.date, end: dt.date) -> QuerySet[Post]:
    """The PCNs' posts in post at some point from `start` to `end`, with their hours."""
    return with_hours(
        Post.objects.filter(pcn_id__in=pcn_ids, start_date__lte=end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )
    )


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


def posts_by_role(posts, *, month: dt.date) -> list[dict]:
    """Staff in post in `month` by ARRS role: how many, their WTE, and the WTE that can be
    claimed (baseline staff and GPs already at the PCN cannot). `posts` from post_rows()."""
    first, last = month_bounds(month)
    roles: dict[str, dict] = {}
    for post in posts:
        if post.start_date > last or (post.end_date and post.end_date < first):
            continue
        row = roles.setdefault(
            post.role_name, {"role": post.role_name, "posts": 0, "wte": ZERO, "claimable": ZERO}
        )
        wte = post.wte_in_month(month)
        row["posts"] += 1
        row["wte"] += wte
        if post.is_claimable:
            row["claimable"] += wte
    return sorted(roles.values(), key=lambda row: (-row["wte"], row["role"]))


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
    arr_sum = (rate.per_weighted_patient * weighted).quantize(PENNY, ROUND_HALF_UP)
    if forecast is None:
        forecast, forecast_from = PCNForecast(), None
    gp_pot = None
    if rate.gp_per_weighted_patient:
        gp_sum = (rate.gp_per_weighted_patient * weighted).quantize(PENNY, ROUND_HALF_UP)
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
        label=f"{year}/{(year + 1) % 100:02d}",
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
    )


def entitlements_for(
    *, pcns, year: int, today: dt.date | None = None, rate: EntitlementRate | None = None
) -> dict[int, Entitlement]:
    """pcn_entitlement for many PCNs in a fixed number of queries (one for the rate unless
    given, one for the populations, five for the forecast, one for the spend).

    Raises ValidationError, as pcn_entitlement does, when the year has no ARR sum rate."""
    from reimbursement.selectors import approved_in_year_by_pcn

    today = today or timezone.localdate()
    pcns = list(pcns)
    ids = [pcn.pk for pcn in pcns]
    rate = rate or EntitlementRate.objects.filter(year=year).first()
    if rate is None:
        label = f"{year}/{(year + 1) % 100:02d}"
        raise ValidationError(
            f"No ARR sum rate (£ per weighted patient) is configured for {label}. "
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


@dataclass
class PersonWTE:
    """One person whose posts in a month add up to more than 1.0 WTE: as people_over_one_wte
    finds them, without loading every post as a model (a commissioner's area nationally)."""

    key: str
    name: str
    registration_number: str
    total_wte: Decimal
    pcn_codes: list[str]


def people_over_one_wte_totals(
    commissioner: Commissioner | None, month: dt.date
) -> list[PersonWTE]:
    """people_over_one_wte's people, totals and PCNs, from plain rows in two queries: the
    hours in force (hours_on's rule) are looked up by the database for each post."""
    from types import SimpleNamespace

    from django.db.models import DateField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce, Greatest

    from .models import FULL_TIME

    first, _ = month_bounds(month)
    in_area = _overlapping(month)
    if commissioner is not None:
        in_area = in_area.filter(pcn__commissioner=commissioner)
    area = list(in_area.values_list("registration_number", "person_name"))
    regs = {reg.strip() for reg, _ in area if reg.strip()}
    names = {name for reg, name in area if not reg.strip()}
    changes = PostHours.objects.filter(post_id=OuterRef("pk"))
    on = Greatest(Value(first), OuterRef("start_date"), output_field=DateField())
    rows = (
        _overlapping(month)
        .filter(Q(registration_number__in=regs) | Q(person_name__in=names))
        .annotate(
            # The latest change on or before the day, else the hours the post started with.
            hours_in_force=Coalesce(
                Subquery(
                    changes.filter(effective_from__lte=on)
                    .order_by("-effective_from")
                    .values("hours")[:1]
                ),
                Subquery(changes.order_by("effective_from").values("hours")[:1]),
            )
        )
        .values_list(
            "person_name", "registration_number", "role__unit", "pcn__code", "hours_in_force"
        )
    )
    people: dict[str, PersonWTE] = {}
    for name, registration, unit, pcn_code, hours in rows:
        key = person_key(SimpleNamespace(registration_number=registration, person_name=name))
        person = people.setdefault(key, PersonWTE(key, name, registration, ZERO, []))
        # SQLite hands a subquery's decimal back through a float: restore the stored 2 places.
        hours = ZERO if hours is None else Decimal(str(hours)).quantize(PENNY)
        person.total_wte += hours / FULL_TIME[Unit(unit)]
        if pcn_code not in person.pcn_codes:
            person.pcn_codes.append(pcn_code)
    over = [person for person in people.values() if person.total_wte > 1]
    for person in over:
        person.pcn_codes.sort()
    return sorted(over, key=lambda p: p.name.casefold())
