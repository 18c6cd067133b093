"""The PCN dashboard: what needs the clinical director's attention, then its population and
network, ARRS staff, spend against the entitlement, claims and social prescribing, in a fixed
number of queries."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone

from networks.models import (
    PCN,
    POPULATION_MAXIMUM,
    POPULATION_MINIMUM,
    ClinicalDirector,
    NetworkAgreement,
    NominatedPayee,
)
from networks.selectors import Population, population_warnings, populations_on
from referrals import selectors as referral_selectors
from reimbursement import entitlement as arrs_money
from reimbursement import income as stream_income
from reimbursement import selectors as claim_selectors
from reimbursement.calculations import RateBook
from roles import selectors as role_selectors

from . import social
from .charts import PENNY, ZERO, Chart, money
from .commissioner import STALE_AFTER_DAYS, UNCLAIMED_ALERT_SHARE
from .income import pcn_income_chart
from .pcn_charts import claims_chart, posts_chart, practices_chart, spend_chart
from .years import YearSelection, reference_month


@dataclass(frozen=True)
class Attention:
    """A line of the "Needs your attention" panel: what needs doing, and the section of the
    page (its id) that says more."""

    key: str
    text: str
    anchor: str
    value: int | Decimal


@dataclass
class PCNDashboard:
    pcn: PCN
    year: YearSelection
    today: dt.date
    month: dt.date
    population: Population
    warnings: list[str]
    agreement: NetworkAgreement | None
    member_count: int
    payee: NominatedPayee | None
    clinical_director: ClinicalDirector | None
    entitlement: arrs_money.Entitlement | None
    spend: Decimal
    awaiting_review: int
    wte: Decimal
    referrals: int
    outcomes: referral_selectors.OutcomeSummary
    charts: dict[str, Chart]
    # Today's new-referrals queue: waiting for a link worker, and how many too long.
    new_referrals: referral_selectors.QueueCounts = referral_selectors.QueueCounts()
    # For the "Needs your attention" panel: claims returned to the PCN (any month) and
    # directory entries not reviewed for STALE_AFTER_DAYS, as the commissioner's alerts count.
    returned_claims: int = 0
    stale_services: int = 0
    # The PCN's income by payment stream over the year (batched, and expected when not yet).
    income: stream_income.YearIncome | None = None

    population_minimum = POPULATION_MINIMUM
    population_maximum = POPULATION_MAXIMUM
    stale_after_days = STALE_AFTER_DAYS

    @property
    def population_text(self) -> str:
        return f"{self.population.registered:,}"

    @property
    def band_text(self) -> str:
        return f"{POPULATION_MINIMUM:,}–{POPULATION_MAXIMUM:,}"

    @property
    def entitlement_text(self) -> str:
        return money(self.entitlement.arr_sum) if self.entitlement else "Not known"

    @property
    def spend_text(self) -> str:
        return money(self.spend)

    @property
    def forecast_text(self) -> str:
        return money(self.entitlement.forecast) if self.entitlement else "Not known"

    @property
    def unclaimed_text(self) -> str:
        """Projected unclaimed; when over-committed, by how much (shown without a sign)."""
        if not self.entitlement:
            return "Not known"
        return money(abs(self.entitlement.unclaimed))

    @property
    def attention(self) -> list[Attention]:
        """What needs doing, each linking to its section; empty when nothing does. The
        unclaimed entitlement counts when the commissioner's alerts would name this PCN."""
        items = []
        if n := self.returned_claims:
            items.append(
                Attention(
                    "returned",
                    f"{n} claim{'s' if n > 1 else ''} returned by your commissioner to correct "
                    "and submit again",
                    "claims",
                    n,
                )
            )
        entitlement = self.entitlement
        if entitlement and entitlement.over_committed:
            items.append(
                Attention(
                    "unclaimed",
                    f"Claims and forecast are {self.unclaimed_text} over the {self.year.label} "
                    "entitlement",
                    "spend",
                    entitlement.unclaimed,
                )
            )
        elif entitlement and entitlement.unclaimed > entitlement.arr_sum * UNCLAIMED_ALERT_SHARE:
            items.append(
                Attention(
                    "unclaimed",
                    f"{self.unclaimed_text} of the {self.year.label} entitlement is projected "
                    "to go unclaimed by 31 March",
                    "spend",
                    entitlement.unclaimed,
                )
            )
        if n := self.new_referrals.waiting:
            items.append(
                Attention(
                    "unassigned",
                    f"{n} referral{'s' if n > 1 else ''} waiting for a link worker",
                    "new-referrals",
                    n,
                )
            )
        if n := self.stale_services:
            items.append(
                Attention(
                    "stale",
                    f"{n} community directory entr{'ies' if n > 1 else 'y'} not reviewed for "
                    f"more than {self.stale_after_days} days",
                    "directory",
                    n,
                )
            )
        return items

    @property
    def wte_text(self) -> str:
        return f"{self.wte.quantize(PENNY, ROUND_HALF_UP):.2f}"

    @property
    def band_position(self) -> str:
        registered = self.population.registered
        if registered < POPULATION_MINIMUM:
            return "below"
        return "above" if registered > POPULATION_MAXIMUM else "within"


PCN_CHARTS = (
    "practices",
    "posts",
    "spend",
    "claims",
    "referrals-by-month",
    "referral-sources",
    "referral-reasons",
    "caseloads",
    "outcomes",
    "organisations",
    "income",
)


def pcn_dashboard(*, pcn: PCN, year: YearSelection, today: dt.date | None = None) -> PCNDashboard:
    """Everything the PCN dashboard shows, in a fixed number of queries (about twenty)."""
    today = today or timezone.localdate()
    month = reference_month(year, today)
    population = populations_on([pcn.pk], on=today)[pcn.pk]
    agreement, payee, director = _network(pcn)
    arrs = _arrs(pcn=pcn, year=year, today=today, month=month)
    claims = list(claim_selectors.claims_in_year(pcn_id=pcn.pk, year=year.year))
    awaiting = claim_selectors.claims_awaiting_review_by_pcn(pcn_ids=[pcn.pk]).get(pcn.pk, 0)
    activity = _social_prescribing(pcn=pcn, year=year, today=today)
    income = stream_income.year_income(pcns=[pcn], year=year.year)
    charts = [
        practices_chart(population),
        posts_chart(arrs.by_role, month),
        spend_chart(year, arrs.entitlement, arrs.spend_by_month, arrs.forecast_by_month),
        claims_chart(year, claims),
        *activity.charts,
        pcn_income_chart(year, income, pcn.pk),
    ]
    return PCNDashboard(
        pcn=pcn,
        year=year,
        today=today,
        month=month,
        population=population,
        warnings=population_warnings(pcn, population),
        agreement=agreement,
        member_count=len(population.members),
        payee=payee,
        clinical_director=director,
        entitlement=arrs.entitlement,
        spend=arrs.spend,
        awaiting_review=awaiting,
        wte=sum((row["wte"] for row in arrs.by_role), ZERO),
        referrals=activity.referrals,
        outcomes=activity.outcomes,
        charts={chart.slug: chart for chart in charts},
        new_referrals=referral_selectors.new_referral_counts(pcn_id=pcn.pk, today=today),
        returned_claims=claim_selectors.returned_claims_count(pcn_id=pcn.pk),
        stale_services=referral_selectors.stale_service_count(
            before=today - dt.timedelta(days=STALE_AFTER_DAYS)
        ),
        income=income,
    )


def _network(pcn: PCN):
    """The PCN's network agreement (with its count of core members), its nominated payee and
    its clinical director today."""
    agreement = (
        NetworkAgreement.objects.filter(pcn=pcn).annotate(core_count=Count("core_members")).first()
    )
    payee = NominatedPayee.objects.current().filter(pcn=pcn).select_related("practice").first()
    director = ClinicalDirector.objects.current().filter(pcn=pcn).first()
    return agreement, payee, director


# ARRS staff and money -----------------------------------------------------------------------


@dataclass
class _ARRS:
    """The PCN's ARRS staff in the reference month and its money for the year."""

    by_role: list[dict]
    spend_by_month: dict[dt.date, Decimal]
    spend: Decimal
    entitlement: arrs_money.Entitlement | None
    forecast_by_month: dict[dt.date, Decimal]


def _arrs(*, pcn: PCN, year: YearSelection, today: dt.date, month: dt.date) -> _ARRS:
    # Posts in post at any time in the year serve both the staff chart and the forecast.
    posts = role_selectors.post_rows(pcn_ids=[pcn.pk], start=year.start, end=year.end)
    by_role = role_selectors.posts_by_role(posts, month=month)
    spend_by_month = claim_selectors.approved_by_month(pcn_ids=[pcn.pk], year=year.year).get(
        pcn.pk, {}
    )
    spend = sum(spend_by_month.values(), Decimal("0.00"))
    entitlement, forecast = _entitlement(pcn=pcn, year=year, today=today, posts=posts, spend=spend)
    return _ARRS(
        by_role=by_role,
        spend_by_month=spend_by_month,
        spend=spend,
        entitlement=entitlement,
        forecast_by_month=forecast.by_month if forecast else {},
    )


def _entitlement(
    *, pcn: PCN, year: YearSelection, today: dt.date, posts: list, spend: Decimal
) -> tuple[arrs_money.Entitlement | None, arrs_money.PCNForecast | None]:
    """The year's entitlement and the forecast in it: both None when the year has no ARR sum
    rate, and the forecast None once the year is over."""
    if year.rate is None:
        return None, None
    window = arrs_money.forecast_window(year=year.year, today=today)
    forecast = _forecast(pcn=pcn, year=year, posts=posts, window=window) if window else None
    entitlement = arrs_money.entitlement_from(
        pcn=pcn,
        rate=year.rate,
        population=populations_on([pcn.pk], on=dt.date(year.year, 1, 1))[pcn.pk],
        spend=spend,
        forecast=forecast,
        forecast_from=window[0] if window else None,
    )
    return entitlement, forecast


def _forecast(
    *, pcn: PCN, year: YearSelection, posts: list, window: tuple[dt.date, dt.date]
) -> arrs_money.PCNForecast:
    # The posts are already read for the staff chart: forecast from them rather than have
    # forecasts_by_pcn read them again.
    rate = year.rate
    gp_window = (rate.gp_pot_from, rate.gp_pot_to) if rate.gp_per_weighted_patient else None
    return arrs_money.forecast_posts(
        posts, start=window[0], end=window[1], gp_pot=gp_window, book=RateBook()
    ).get(pcn.pk, arrs_money.PCNForecast())


# Social prescribing -------------------------------------------------------------------------


@dataclass
class _SocialPrescribing:
    referrals: int
    outcomes: referral_selectors.OutcomeSummary
    charts: list[Chart]


def _social_prescribing(*, pcn: PCN, year: YearSelection, today: dt.date) -> _SocialPrescribing:
    """The year's referrals and outcomes, with their charts; caseloads are today's, whenever
    the referral arrived."""
    all_referrals = referral_selectors.referrals_of_pcn(pcn)
    in_year = all_referrals.filter(received_on__gte=year.start, received_on__lte=year.end)
    referrals_by_month = referral_selectors.counts_by_month(in_year)
    outcomes = referral_selectors.outcome_summary(in_year)
    charts = [
        social.referrals_by_month_chart(year, referrals_by_month),
        *_referral_count_charts(year, in_year),
        social.caseloads_chart(
            referral_selectors.caseloads_by_link_worker(all_referrals, today=today)
        ),
        social.outcomes_chart(year, outcomes),
        social.organisations_chart(
            year,
            referral_selectors.organisations_connected(in_year, limit=social.TOP_ORGANISATIONS),
        ),
    ]
    return _SocialPrescribing(
        referrals=sum(referrals_by_month.values()), outcomes=outcomes, charts=charts
    )


def _referral_count_charts(year: YearSelection, in_year) -> list[Chart]:
    return [
        social.counts_chart(
            "referral-sources",
            "Where referrals came from",
            "Source",
            referral_selectors.counts_by(in_year, "source__name"),
            year,
        ),
        social.counts_chart(
            "referral-reasons",
            "Why people were referred",
            "Reason",
            referral_selectors.counts_by(in_year, "reasons__name"),
            year,
            note="A referral can give more than one reason, so these add up to more than "
            "the number of referrals.",
        ),
    ]
