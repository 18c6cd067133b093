"""The PCN dashboard: its population and network, ARRS staff, spend against the entitlement,
claims and social prescribing, in a fixed number of queries."""

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
from referrals.models import Referral
from reimbursement import selectors as claim_selectors
from reimbursement.calculations import RateBook
from roles import selectors as role_selectors

from . import social
from .charts import (
    BLUE,
    DARK_GREY,
    GREEN,
    GREY,
    PENNY,
    PINK,
    PURPLE,
    RED,
    ZERO,
    Cell,
    Chart,
    count_cell,
    dataset,
    long_date,
    money,
    money_cell,
    text_cell,
    wte_cell,
)
from .years import YearSelection, reference_month, year_months


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
    entitlement: role_selectors.Entitlement | None
    spend: Decimal
    awaiting_review: int
    wte: Decimal
    referrals: int
    outcomes: referral_selectors.OutcomeSummary
    charts: dict[str, Chart]

    population_minimum = POPULATION_MINIMUM
    population_maximum = POPULATION_MAXIMUM

    @property
    def population_text(self) -> str:
        return f"{self.population.registered:,}"

    @property
    def band_text(self) -> str:
        return f"{POPULATION_MINIMUM:,}–{POPULATION_MAXIMUM:,}"

    @property
    def entitlement_text(self) -> str:
        return money(self.entitlement.arr_sum) if self.entitlement else "Not configured"

    @property
    def spend_text(self) -> str:
        return money(self.spend)

    @property
    def forecast_text(self) -> str:
        return money(self.entitlement.forecast) if self.entitlement else "Not known"

    @property
    def unclaimed_text(self) -> str:
        """Heading unclaimed; when over-committed, by how much (shown without a sign)."""
        if not self.entitlement:
            return "Not known"
        return money(abs(self.entitlement.unclaimed))

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
)


def pcn_dashboard(*, pcn: PCN, year: YearSelection, today: dt.date | None = None) -> PCNDashboard:
    """Everything the PCN dashboard shows, in a fixed number of queries (about twenty)."""
    today = today or timezone.localdate()
    month = reference_month(year, today)
    population = populations_on([pcn.pk], on=today)[pcn.pk]
    agreement = (
        NetworkAgreement.objects.filter(pcn=pcn).annotate(core_count=Count("core_members")).first()
    )
    payee = NominatedPayee.objects.current().filter(pcn=pcn).select_related("practice").first()
    director = ClinicalDirector.objects.current().filter(pcn=pcn).first()

    # Posts in post at any time in the year serve both the staff chart and the forecast.
    posts = role_selectors.post_rows(pcn_ids=[pcn.pk], start=year.start, end=year.end)
    by_role = role_selectors.posts_by_role(posts, month=month)
    spend_by_month = claim_selectors.approved_by_month(pcn_ids=[pcn.pk], year=year.year).get(
        pcn.pk, {}
    )
    spend = sum(spend_by_month.values(), Decimal("0.00"))
    entitlement = None
    if year.rate is not None:
        window = role_selectors.forecast_window(year=year.year, today=today)
        forecast = None
        if window:
            rate = year.rate
            gp_window = (rate.gp_pot_from, rate.gp_pot_to) if rate.gp_per_weighted_patient else None
            forecast = role_selectors.forecast_posts(
                posts, start=window[0], end=window[1], gp_pot=gp_window, book=RateBook()
            ).get(pcn.pk, role_selectors.PCNForecast())
        entitlement = role_selectors.entitlement_from(
            pcn=pcn,
            rate=year.rate,
            population=populations_on([pcn.pk], on=dt.date(year.year, 1, 1))[pcn.pk],
            spend=spend,
            forecast=forecast,
            forecast_from=window[0] if window else None,
        )
        forecast_by_month = forecast.by_month if forecast else {}
    else:
        forecast_by_month = {}

    claims = list(claim_selectors.claims_in_year(pcn_id=pcn.pk, year=year.year))
    awaiting = claim_selectors.claims_awaiting_review_by_pcn(pcn_ids=[pcn.pk]).get(pcn.pk, 0)

    all_referrals = Referral.objects.filter(pcn=pcn)
    in_year = all_referrals.filter(received_on__gte=year.start, received_on__lte=year.end)
    referrals_by_month = referral_selectors.counts_by_month(in_year)
    outcomes = referral_selectors.outcome_summary(in_year)

    charts = [
        _practices_chart(population),
        _posts_chart(by_role, month),
        _spend_chart(year, entitlement, spend_by_month, forecast_by_month),
        _claims_chart(year, claims),
        social.referrals_by_month_chart(year, referrals_by_month),
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
        social.caseloads_chart(
            referral_selectors.caseloads_by_link_worker(all_referrals, today=today)
        ),
        social.outcomes_chart(year, outcomes),
        social.organisations_chart(
            year,
            referral_selectors.organisations_connected(in_year, limit=social.TOP_ORGANISATIONS),
        ),
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
        entitlement=entitlement,
        spend=spend,
        awaiting_review=awaiting,
        wte=sum((row["wte"] for row in by_role), ZERO),
        referrals=sum(referrals_by_month.values()),
        outcomes=outcomes,
        charts={chart.slug: chart for chart in charts},
    )


def _practices_chart(population: Population) -> Chart:
    members = population.members
    rows = [
        [
            text_cell(f"{m.practice_code} {m.practice_name}"),
            count_cell(m.registered),
            text_cell(long_date(m.registered_date) if m.registered_date else "No figure"),
        ]
        for m in members
    ]
    registered = population.registered
    return Chart(
        slug="practices",
        title="Registered population by member practice",
        summary=(
            f"A bar of the {len(members)} member practices' {registered:,} registered patients "
            f"against the expected {POPULATION_MINIMUM:,} to {POPULATION_MAXIMUM:,}."
        ),
        columns=["Practice", "Registered patients", "Figure dated"],
        rows=rows,
        footer=[text_cell("Total"), count_cell(registered), text_cell("")] if rows else None,
        labels=["All member practices"],
        datasets=[
            dataset(
                "Registered patients",
                [registered],
                GREEN if POPULATION_MINIMUM <= registered <= POPULATION_MAXIMUM else PINK,
            )
        ],
        horizontal=True,
        value_title="Registered patients",
        whole_numbers=True,
        legend=False,
        band={
            "from": POPULATION_MINIMUM,
            "to": POPULATION_MAXIMUM,
            "label": f"Expected size {POPULATION_MINIMUM:,} to {POPULATION_MAXIMUM:,}",
            "max": max(60_000, int(registered * 1.1)),
        },
        empty_message="This PCN has no member practices today.",
    )


def _posts_chart(by_role: list[dict], month: dt.date) -> Chart:
    rows = [
        [
            text_cell(row["role"]),
            count_cell(row["posts"]),
            wte_cell(row["wte"]),
            wte_cell(row["claimable"]),
        ]
        for row in by_role
    ]
    total_wte = sum((row["wte"] for row in by_role), ZERO)
    return Chart(
        slug="posts",
        title=f"ARRS staff in post by role, {month:%B %Y}",
        summary=f"Bars of whole-time equivalent (WTE) staff in post by role, {total_wte:.2f} "
        "WTE in all.",
        columns=["Role", "Staff in post", "WTE", "Claimable WTE"],
        rows=rows,
        footer=[
            text_cell("Total"),
            count_cell(sum(row["posts"] for row in by_role)),
            wte_cell(total_wte),
            wte_cell(sum((row["claimable"] for row in by_role), ZERO)),
        ]
        if rows
        else None,
        labels=[row["role"] for row in by_role],
        datasets=[
            dataset("Claimable WTE", [row["claimable"] for row in by_role], BLUE),
            dataset(
                "Not claimable (baseline) WTE",
                [row["wte"] - row["claimable"] for row in by_role],
                GREY,
            ),
        ],
        horizontal=True,
        stacked=True,
        value_title="WTE",
        notes=[
            "WTE is contracted hours over 37.5 (GPs: sessions over 9). Staff in post on "
            "31 March 2019 (the baseline) cannot be claimed."
        ],
        empty_message=f"No ARRS staff in post in {month:%B %Y}.",
    )


def _spend_chart(
    year: YearSelection,
    entitlement: role_selectors.Entitlement | None,
    spend_by_month: dict[dt.date, Decimal],
    forecast_by_month: dict[dt.date, Decimal],
) -> Chart:
    months = year_months(year.year)
    rows, approved_line, projected_line = [], [], []
    running_approved = running_total = Decimal("0.00")
    for month in months:
        approved = spend_by_month.get(month, Decimal("0.00"))
        forecast = forecast_by_month.get(month)
        running_approved += approved
        running_total += approved + (forecast or ZERO)
        approved_line.append(running_approved)
        projected_line.append(running_total)
        rows.append(
            [
                text_cell(f"{month:%B %Y}"),
                money_cell(approved),
                money_cell(forecast) if forecast is not None else Cell("", "", True),
                money_cell(running_total),
            ]
        )
    datasets = [
        dataset("Approved claims, to date", approved_line, BLUE),
        dataset("Approved plus forecast", projected_line, DARK_GREY, dashed=True),
    ]
    notes = []
    if entitlement is not None:
        datasets.append(
            dataset(
                f"ARR sum {money(entitlement.arr_sum)}",
                [entitlement.arr_sum] * len(months),
                RED,
                flat=True,
            )
        )
        notes = [
            entitlement.spend_note,
            # The API's note names its field; on the page the gaps are listed under the chart.
            entitlement.forecast_note.replace("listed in forecast_gaps", "listed below"),
            entitlement.rounding_note,
        ]
    else:
        notes = [role_selectors.SPEND_NOTE]
    total_forecast = sum(forecast_by_month.values(), Decimal("0.00"))
    return Chart(
        slug="spend",
        title=f"Spend in {year.label} against the entitlement",
        summary=(
            "Lines of approved claims and of approved claims plus the forecast, added up "
            "month by month from April"
            + (f", against the ARR sum of {money(entitlement.arr_sum)}." if entitlement else ".")
        ),
        columns=["Month", "Approved claims", "Forecast", "Approved and forecast, cumulative"],
        rows=rows,
        footer=[
            text_cell("Total"),
            money_cell(sum(spend_by_month.values(), Decimal("0.00"))),
            money_cell(total_forecast),
            money_cell(running_total),
        ],
        kind="line",
        labels=[f"{m:%b %Y}" for m in months],
        datasets=datasets,
        is_money=True,
        value_title="£, cumulative",
        notes=notes,
    )


CLAIM_STAGES = (
    ("approved", "Approved", BLUE),
    ("in_review", "Awaiting review", GREY),
    ("unsubmitted", "Not yet submitted", PURPLE),
    ("rejected", "Rejected", RED),
)


def _claim_stages(claim) -> dict[str, Decimal]:
    """A claim's stored line amounts by where they stand: a pending line is awaiting review on
    a submitted claim, and not yet submitted on a draft or returned one."""
    pending = claim.pending or Decimal("0.00")
    editable = claim.status in claim.EDITABLE
    return {
        "approved": claim.approved or Decimal("0.00"),
        "in_review": Decimal("0.00") if editable else pending,
        "unsubmitted": pending if editable else Decimal("0.00"),
        "rejected": claim.rejected or Decimal("0.00"),
    }


def _claims_chart(year: YearSelection, claims: list) -> Chart:
    by_month: dict[dt.date, list] = {}
    for claim in claims:
        by_month.setdefault(claim.month, []).append(claim)
    rows = []
    months = year_months(year.year)
    sums: dict[str, list[Decimal]] = {key: [] for key, _, _ in CLAIM_STAGES}
    for month in months:
        month_claims = by_month.get(month, [])
        totals = dict.fromkeys(sums, Decimal("0.00"))
        if not month_claims:
            rows.append(
                [text_cell(f"{month:%B %Y}"), text_cell("No claim"), count_cell(0)]
                + [Cell("", "", True)] * len(CLAIM_STAGES)
            )
        for claim in month_claims:
            stages = _claim_stages(claim)
            label = f"{month:%B %Y}"
            if claim.kind == claim.Kind.ADJUSTMENT:
                # An adjustment holds the corrected full figures, not the difference: drawn
                # on top of its month it would count the month twice.
                label += " (adjustment)"
            else:
                for key in totals:
                    totals[key] += stages[key]
            rows.append(
                [
                    text_cell(label),
                    text_cell(claim.get_status_display()),
                    count_cell(claim.line_count),
                    *(money_cell(stages[key]) for key, _, _ in CLAIM_STAGES),
                ]
            )
        for key in sums:
            sums[key].append(totals[key])
    return Chart(
        slug="claims",
        title=f"Claims by month, {year.label}",
        summary="Stacked bars of each month's claim by where its lines stand: approved, "
        "awaiting review, not yet submitted and rejected.",
        columns=["Month", "Claim status", "Staff lines", *(label for _, label, _ in CLAIM_STAGES)],
        rows=rows if claims else [],
        labels=[f"{m:%b %Y}" for m in months],
        datasets=[dataset(label, sums[key], color) for key, label, color in CLAIM_STAGES],
        stacked=True,
        is_money=True,
        value_title="£ claimed",
        notes=[
            "Only approved lines count as spend. An adjustment claim holds the corrected full "
            "figures for its month and asks for the difference from the original; it is listed "
            "in the table but not drawn."
        ],
        empty_message=f"No claims for months in {year.label} yet.",
    )
