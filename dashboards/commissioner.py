"""The commissioner dashboard: every PCN's money and activity, the latest payment batch and
the alerts, in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from networks.models import PCN, Commissioner
from networks.selectors import populations_on
from referrals import selectors as referral_selectors
from referrals.models import REVIEW_INTERVAL_DAYS, Service
from reimbursement import entitlement as arrs_money
from reimbursement import income as stream_income
from reimbursement import selectors as claim_selectors
from roles import selectors as role_selectors
from roles.coverage import Coverage, figures_coverage

from .charts import (
    BLUE,
    DARK_GREY,
    GREY,
    ZERO,
    Cell,
    Chart,
    count_cell,
    dataset,
    long_date,
    money_cell,
    percent,
    percent_cell,
    text_cell,
    wte_cell,
)
from .income import commissioner_income_chart
from .years import YearSelection, reference_month

# A directory entry whose details were last reviewed longer ago than this is stale: the same
# six months after which the directory itself flags an entry for review.
STALE_AFTER_DAYS = REVIEW_INTERVAL_DAYS
# Alert when a PCN is projected to leave more than this share of its ARR sum unclaimed by
# 31 March (approved claims plus the forecast fall this far short).
UNCLAIMED_ALERT_SHARE = Decimal("0.10")
STALE_LIST_LIMIT = 20
OVER_ONE_WTE_LIST_LIMIT = 50


@dataclass
class PCNRow:
    pcn: PCN
    population: int
    entitlement: Decimal | None
    claimed: Decimal
    forecast: Decimal | None
    unclaimed: Decimal | None
    used: Decimal | None  # claimed to date as a percentage of the entitlement
    over_committed: bool
    awaiting_review: int
    referrals: int
    list_dates: list[dt.date] = field(default_factory=list)  # of the entitlement's list sizes
    forecast_derived: list = field(default_factory=list)  # derived maxima its forecast used

    @property
    def cells(self) -> dict[str, Cell]:
        """The row's figures as shown and as downloaded, by column."""
        return {
            "population": count_cell(self.population),
            "entitlement": money_cell(self.entitlement),
            "claimed": money_cell(self.claimed),
            "forecast": money_cell(self.forecast),
            "used": percent_cell(self.used),
            "unclaimed": money_cell(self.unclaimed),
            "awaiting_review": count_cell(self.awaiting_review),
            "referrals": count_cell(self.referrals),
        }

    @property
    def unclaimed_share(self) -> Decimal | None:
        if self.unclaimed is None:
            return None
        return percent(self.unclaimed, self.entitlement)


SORT_KEYS = {
    "code": lambda r: r.pcn.code,
    "name": lambda r: r.pcn.name.casefold(),
    "population": lambda r: r.population,
    "entitlement": lambda r: r.entitlement,
    "claimed": lambda r: r.claimed,
    "forecast": lambda r: r.forecast,
    "used": lambda r: r.used,
    "unclaimed": lambda r: r.unclaimed,
    "review": lambda r: r.awaiting_review,
    "referrals": lambda r: r.referrals,
}


def sort_rows(rows: list[PCNRow], *, key: str, descending: bool) -> list[PCNRow]:
    """Sorted by one column; rows without the figure (no rate configured) always last."""
    get = SORT_KEYS[key]
    known = [r for r in rows if get(r) is not None]
    unknown = [r for r in rows if get(r) is None]
    known.sort(key=lambda r: (get(r), r.pcn.code), reverse=descending)
    return known + unknown


@dataclass
class CommissionerDashboard:
    commissioner: Commissioner
    year: YearSelection
    today: dt.date
    month: dt.date
    rows: list[PCNRow]
    totals: dict
    batch: object
    unclaimed_alerts: list[PCNRow]
    over_committed: list[PCNRow]
    over_one_wte: list
    stale_services: list[Service]
    stale_count: int
    charts: dict[str, Chart]
    forecast_from: dt.date | None = None
    # The national figures' gaps and stale roles (roles.coverage), for the previous and current
    # financial years whatever year the dashboard shows: claims are made for those months.
    coverage: Coverage | None = None

    stale_after_days = STALE_AFTER_DAYS
    unclaimed_alert_percent = int(UNCLAIMED_ALERT_SHARE * 100)

    @property
    def total_cells(self) -> dict[str, Cell]:
        totals = self.totals
        return {
            "population": count_cell(totals["population"]),
            "entitlement": money_cell(totals["entitlement"]),
            "claimed": money_cell(totals["claimed"]),
            "forecast": money_cell(totals["forecast"]),
            "used": percent_cell(totals["used"]),
            "unclaimed": money_cell(totals["unclaimed"]),
            "awaiting_review": count_cell(totals["awaiting_review"]),
            "referrals": count_cell(totals["referrals"]),
        }

    @property
    def lists_warning(self) -> str:
        """Said when PCNs' entitlements use list sizes older than the 1 January before the
        year (the date the sums are worked out on), naming the dates they do use."""
        on = dt.date(self.year.year, 1, 1)
        stale = [r for r in self.rows if r.list_dates and r.list_dates[0] < on]
        if not stale:
            return ""
        known = [r for r in self.rows if r.entitlement is not None]
        dates = sorted({d for r in stale for d in r.list_dates if d < on})
        return (
            f"{len(stale)} of {len(known)} PCNs' entitlements use list sizes of "
            f"{arrs_money.dates_text(dates)}, older than {arrs_money.long_date(on)}, the date "
            f"the {self.year.label} sums are worked out on. Import the weighted list sizes for "
            f"{arrs_money.long_date(on)} (NHS Payments to General Practice) to bring them up "
            "to date."
        )

    @property
    def forecast_derived_note(self) -> str:
        """Said under the PCN table when forecasts rest on maxima derived rather than published
        (roles.models.Provenance); each PCN's dashboard names the figures."""
        using = [r for r in self.rows if r.forecast_derived]
        if not using:
            return ""
        figures = {rate.pk: rate for r in using for rate in r.forecast_derived}
        roles = sorted({f"{rate.role.name} ({rate.provenance_text})" for rate in figures.values()})
        pcns = f"{len(using)} PCN{'s' if len(using) != 1 else ''}"
        return (
            f"The forecasts of {pcns} ({', '.join(r.pcn.code for r in using)}) use maxima "
            f"derived rather than published by NHS England: {'; '.join(roles)}. Each PCN's "
            "dashboard names the figures."
        )

    @property
    def alert_count(self) -> int:
        return (
            bool(self.unclaimed_alerts)
            + bool(self.over_committed)
            + bool(self.over_one_wte)
            + bool(self.stale_count)
            + bool(self.coverage and (self.coverage.gap_count or self.coverage.warning_count))
        )


COMMISSIONER_CHARTS = ("pcns", "over-one-wte", "stale-directory", "income")


def commissioner_dashboard(
    *,
    commissioner: Commissioner,
    year: YearSelection,
    today: dt.date | None = None,
    sort: str = "code",
    descending: bool = False,
) -> CommissionerDashboard:
    """Every PCN of the commissioner open in the year, with its money and activity, the
    latest batch and the alerts, in a fixed number of queries (about twenty)."""
    today = today or timezone.localdate()
    month = reference_month(year, today)
    window = arrs_money.forecast_window(year=year.year, today=today)
    pcns = _open_pcns(commissioner, year)
    rows = _pcn_rows(pcns, year=year, today=today)
    totals = _totals(rows)
    known = [r for r in rows if r.entitlement is not None]
    over_one_wte = role_selectors.people_over_one_wte_totals(commissioner, month)
    stale_services, stale_count = _stale_services(today)
    sorted_rows = sort_rows(rows, key=sort, descending=descending)
    charts = [
        _pcns_chart(year, sorted_rows, totals),
        _over_one_wte_chart(month, over_one_wte),
        _stale_chart(stale_services, today, stale_count),
        # Every stream's year across the PCNs (reimbursement.income; dashboards/income.py).
        commissioner_income_chart(year, stream_income.year_income(pcns=pcns, year=year.year)),
    ]
    return CommissionerDashboard(
        commissioner=commissioner,
        year=year,
        today=today,
        month=month,
        rows=sorted_rows,
        totals=totals,
        batch=claim_selectors.latest_batch(commissioner_id=commissioner.pk),
        unclaimed_alerts=_unclaimed_alerts(known),
        over_committed=[r for r in known if r.over_committed],
        over_one_wte=over_one_wte,
        stale_services=stale_services,
        stale_count=stale_count,
        charts={chart.slug: chart for chart in charts},
        forecast_from=window[0] if window and year.rate is not None else None,
        coverage=figures_coverage(today=today),
    )


def _open_pcns(commissioner: Commissioner, year: YearSelection) -> list[PCN]:
    """The commissioner's PCNs open on any day of the year, by code."""
    return list(
        PCN.objects.filter(commissioner=commissioner, open_date__lte=year.end)
        .filter(Q(close_date__isnull=True) | Q(close_date__gte=year.start))
        .order_by("code")
    )


def _pcn_rows(pcns: list[PCN], *, year: YearSelection, today: dt.date) -> list[PCNRow]:
    """One row per PCN, each figure read for all the PCNs at once."""
    ids = [pcn.pk for pcn in pcns]
    populations = populations_on(ids, on=today)
    entitlements, spend = _money_by_pcn(pcns, year=year, today=today)
    awaiting = claim_selectors.claims_awaiting_review_by_pcn(pcn_ids=ids)
    referrals = referral_selectors.referral_counts_by_pcn(
        pcn_ids=ids, since=year.start, until=year.end
    )
    return [
        _pcn_row(
            pcn,
            population=populations[pcn.pk].registered,
            entitlement=entitlements.get(pcn.pk),
            claimed=spend[pcn.pk],
            awaiting_review=awaiting.get(pcn.pk, 0),
            referrals=referrals.get(pcn.pk, 0),
        )
        for pcn in pcns
    ]


def _money_by_pcn(
    pcns: list[PCN], *, year: YearSelection, today: dt.date
) -> tuple[dict[int, arrs_money.Entitlement], dict[int, Decimal]]:
    """Each PCN's entitlement and approved spend. Without an ARR sum rate there is no
    entitlement, but the approved spend is still shown."""
    if year.rate is None:
        ids = [pcn.pk for pcn in pcns]
        return {}, claim_selectors.approved_in_year_by_pcn(pcn_ids=ids, year=year.year)
    entitlements = arrs_money.entitlements_for(
        pcns=pcns, year=year.year, today=today, rate=year.rate
    )
    return entitlements, {pk: e.spend_to_date for pk, e in entitlements.items()}


def _pcn_row(
    pcn: PCN,
    *,
    population: int,
    entitlement: arrs_money.Entitlement | None,
    claimed: Decimal,
    awaiting_review: int,
    referrals: int,
) -> PCNRow:
    return PCNRow(
        pcn=pcn,
        population=population,
        entitlement=entitlement.arr_sum if entitlement else None,
        claimed=claimed,
        forecast=entitlement.forecast if entitlement else None,
        unclaimed=entitlement.unclaimed if entitlement else None,
        used=percent(claimed, entitlement.arr_sum) if entitlement else None,
        over_committed=entitlement.over_committed if entitlement else False,
        awaiting_review=awaiting_review,
        referrals=referrals,
        list_dates=entitlement.list_dates if entitlement else [],
        forecast_derived=entitlement.forecast_derived if entitlement else [],
    )


def _totals(rows: list[PCNRow]) -> dict:
    """The footer. The money columns are None, shown as "Not known", when no PCN has an
    entitlement (no ARR sum rate for the year), rather than a misleading £0.00."""
    known = [r for r in rows if r.entitlement is not None]
    totals = {
        "population": sum(r.population for r in rows),
        "entitlement": sum((r.entitlement for r in known), Decimal("0.00")) if known else None,
        "claimed": sum((r.claimed for r in rows), Decimal("0.00")),
        "forecast": sum((r.forecast for r in known), Decimal("0.00")) if known else None,
        "unclaimed": sum((r.unclaimed for r in known), Decimal("0.00")) if known else None,
        "awaiting_review": sum(r.awaiting_review for r in rows),
        "referrals": sum(r.referrals for r in rows),
    }
    totals["used"] = (
        percent(sum((r.claimed for r in known), ZERO), totals["entitlement"]) if known else None
    )
    return totals


def _unclaimed_alerts(known: list[PCNRow]) -> list[PCNRow]:
    """PCNs projected to leave more than UNCLAIMED_ALERT_SHARE of their ARR sum unclaimed,
    the most first."""
    return sorted(
        (r for r in known if r.entitlement and r.unclaimed > r.entitlement * UNCLAIMED_ALERT_SHARE),
        key=lambda r: -r.unclaimed,
    )


def _stale_services(today: dt.date) -> tuple[list[Service], int]:
    """The directory entries reviewed longest ago (at most STALE_LIST_LIMIT) and how many are
    stale in all."""
    stale_before = today - dt.timedelta(days=STALE_AFTER_DAYS)
    return referral_selectors.stale_services(before=stale_before, limit=STALE_LIST_LIMIT)


def _pcns_chart(year: YearSelection, rows: list[PCNRow], totals: dict) -> Chart:
    table = [
        [
            text_cell(r.pcn.code),
            text_cell(r.pcn.name),
            count_cell(r.population),
            money_cell(r.entitlement),
            money_cell(r.claimed),
            money_cell(r.forecast),
            percent_cell(r.used),
            money_cell(r.unclaimed),
            count_cell(r.awaiting_review),
            count_cell(r.referrals),
        ]
        for r in rows
    ]
    known = [r for r in rows if r.entitlement is not None]
    return Chart(
        slug="pcns",
        title=f"Entitlement used by PCN, {year.label}",
        summary="Stacked bars per PCN: approved claims to date, the forecast to 31 March, and "
        "what is left of the ARR sum.",
        columns=[
            "PCN code",
            "PCN name",
            "Registered population",
            "Entitlement (ARR sum)",
            "Claimed to date",
            "Forecast to 31 March",
            "Used",
            "Projected unclaimed",
            "Claims awaiting review",
            "Referrals",
        ],
        rows=table,
        footer=[
            text_cell("All PCNs"),
            text_cell(""),
            count_cell(totals["population"]),
            money_cell(totals["entitlement"]),
            money_cell(totals["claimed"]),
            money_cell(totals["forecast"]),
            percent_cell(totals["used"]),
            money_cell(totals["unclaimed"]),
            count_cell(totals["awaiting_review"]),
            count_cell(totals["referrals"]),
        ],
        labels=[r.pcn.code for r in known],
        datasets=[
            dataset("Claimed to date", [r.claimed for r in known], BLUE),
            dataset("Forecast to 31 March", [r.forecast for r in known], DARK_GREY),
            dataset(
                "Projected unclaimed", [max(r.unclaimed, ZERO) for r in known], GREY, light=True
            ),
        ],
        horizontal=True,
        stacked=True,
        is_money=True,
        value_title="£",
        empty_message="This commissioner has no PCNs open in the year.",
    )


def _over_one_wte_chart(month: dt.date, people: list) -> Chart:
    return Chart(
        slug="over-one-wte",
        title=f"People over 1.0 WTE, {month:%B %Y}",
        summary="",
        columns=["Person", "Total WTE", "PCNs"],
        notes=[
            "Staff in your PCNs whose ARRS posts, in any PCN, add up to more than one "
            f"whole-time equivalent in {month:%B %Y}: check no one is claimed twice. One person "
            "is matched across posts by professional registration number, or by name where "
            "there is none."
        ],
        rows=[
            [
                text_cell(person.name),
                wte_cell(person.total_wte),
                text_cell(", ".join(person.pcn_codes)),
            ]
            for person in people
        ],
        display_limit=OVER_ONE_WTE_LIST_LIMIT,
        empty_message=f"No one in your PCNs' posts adds up to more than 1.0 WTE in {month:%B %Y}.",
    )


def _stale_chart(services: list[Service], today: dt.date, count: int) -> Chart:
    notes = [
        f"A directory entry is stale when its details were last reviewed more than "
        f"{STALE_AFTER_DAYS} days (six months) ago: link workers may be sending people to a "
        "service that has changed. The directory serves every area."
    ]
    if count > len(services):
        notes.append(f"The {len(services)} reviewed longest ago, of {count}, are listed.")
    return Chart(
        notes=notes,
        slug="stale-directory",
        title="Stale directory entries",
        summary="",
        columns=["Service", "Organisation", "Last reviewed", "Days since review"],
        rows=[
            [
                text_cell(service.name),
                text_cell(service.organisation.name),
                text_cell(long_date(service.last_reviewed)),
                count_cell((today - service.last_reviewed).days),
            ]
            for service in services
        ],
        empty_message="Every directory entry has been reviewed in the past "
        f"{STALE_AFTER_DAYS} days.",
    )
