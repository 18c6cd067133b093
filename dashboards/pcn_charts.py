"""The PCN dashboard's own charts (population, staff, spend and claims), built from figures
pcn.py has already read: nothing here runs a query."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from networks.models import POPULATION_MAXIMUM, POPULATION_MINIMUM
from networks.selectors import Population
from reimbursement import entitlement as arrs_money

from .charts import (
    BLUE,
    DARK_GREY,
    GREEN,
    GREY,
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
from .years import YearSelection, year_months

NO_MONEY = Decimal("0.00")


def _blank() -> Cell:
    """An empty figure (a month with no forecast or no claim), still aligned as a number."""
    return Cell("", "", True)


def practices_chart(population: Population) -> Chart:
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


def posts_chart(by_role: list[dict], month: dt.date) -> Chart:
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


# Spend against the entitlement ------------------------------------------------------------


@dataclass
class _CumulativeSpend:
    """The spend chart's table and its two lines, added up month by month from April."""

    rows: list[list[Cell]] = field(default_factory=list)
    approved: list[Decimal] = field(default_factory=list)
    projected: list[Decimal] = field(default_factory=list)
    total: Decimal = NO_MONEY


def _cumulative_spend(
    months: list[dt.date],
    spend_by_month: dict[dt.date, Decimal],
    forecast_by_month: dict[dt.date, Decimal],
) -> _CumulativeSpend:
    spend = _CumulativeSpend()
    running_approved = NO_MONEY
    for month in months:
        approved = spend_by_month.get(month, NO_MONEY)
        forecast = forecast_by_month.get(month)
        running_approved += approved
        spend.total += approved + (forecast or ZERO)
        spend.approved.append(running_approved)
        spend.projected.append(spend.total)
        spend.rows.append(
            [
                text_cell(f"{month:%B %Y}"),
                money_cell(approved),
                money_cell(forecast) if forecast is not None else _blank(),
                money_cell(spend.total),
            ]
        )
    return spend


def _spend_datasets(
    spend: _CumulativeSpend, entitlement: arrs_money.Entitlement | None, months: int
) -> list[dict]:
    datasets = [
        dataset("Approved claims, to date", spend.approved, BLUE),
        dataset("Approved plus forecast", spend.projected, DARK_GREY, dashed=True),
    ]
    if entitlement is not None:
        datasets.append(
            dataset(
                f"ARR sum {money(entitlement.arr_sum)}",
                [entitlement.arr_sum] * months,
                RED,
                flat=True,
            )
        )
    return datasets


def _spend_notes(entitlement: arrs_money.Entitlement | None) -> list[str]:
    if entitlement is None:
        return [arrs_money.SPEND_NOTE]
    notes = [
        entitlement.spend_note,
        # The API's note names its field; on the page the gaps are listed under the chart.
        entitlement.forecast_note.replace("listed in forecast_gaps", "listed below"),
        entitlement.rounding_note,
    ]
    if entitlement.forecast_derived:
        notes.append(entitlement.forecast_derived_note)
    return notes


def spend_chart(
    year: YearSelection,
    entitlement: arrs_money.Entitlement | None,
    spend_by_month: dict[dt.date, Decimal],
    forecast_by_month: dict[dt.date, Decimal],
) -> Chart:
    months = year_months(year.year)
    spend = _cumulative_spend(months, spend_by_month, forecast_by_month)
    return Chart(
        slug="spend",
        title=f"Spend in {year.label} against the entitlement",
        summary=(
            "Lines of approved claims and of approved claims plus the forecast, added up "
            "month by month from April"
            + (f", against the ARR sum of {money(entitlement.arr_sum)}." if entitlement else ".")
        ),
        columns=["Month", "Approved claims", "Forecast", "Approved and forecast, cumulative"],
        rows=spend.rows,
        footer=[
            text_cell("Total"),
            money_cell(sum(spend_by_month.values(), NO_MONEY)),
            money_cell(sum(forecast_by_month.values(), NO_MONEY)),
            money_cell(spend.total),
        ],
        kind="line",
        labels=[f"{m:%b %Y}" for m in months],
        datasets=_spend_datasets(spend, entitlement, len(months)),
        is_money=True,
        value_title="£, cumulative",
        notes=_spend_notes(entitlement),
    )


# Claims by month ----------------------------------------------------------------------------


CLAIM_STAGES = (
    ("approved", "Approved", BLUE),
    ("in_review", "Awaiting review", GREY),
    ("unsubmitted", "Not yet submitted", PURPLE),
    ("rejected", "Rejected", RED),
)


def _claim_stages(claim) -> dict[str, Decimal]:
    """A claim's stored line amounts by where they stand: a pending line is awaiting review on
    a submitted claim, and not yet submitted on a draft or returned one."""
    pending = claim.pending or NO_MONEY
    editable = claim.status in claim.EDITABLE
    return {
        "approved": claim.approved or NO_MONEY,
        "in_review": NO_MONEY if editable else pending,
        "unsubmitted": pending if editable else NO_MONEY,
        "rejected": claim.rejected or NO_MONEY,
    }


def _month_claims(month: dt.date, claims: list) -> tuple[list[list[Cell]], dict[str, Decimal]]:
    """One month's table rows (a row per claim, or "No claim") and the amounts it draws."""
    totals = {key: NO_MONEY for key, _, _ in CLAIM_STAGES}
    if not claims:
        row = [text_cell(f"{month:%B %Y}"), text_cell("No claim"), count_cell(0)]
        return [row + [_blank()] * len(CLAIM_STAGES)], totals
    rows = []
    for claim in claims:
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
                text_cell(claim.status_text),
                count_cell(claim.line_count),
                *(money_cell(stages[key]) for key, _, _ in CLAIM_STAGES),
            ]
        )
    return rows, totals


def claims_chart(year: YearSelection, claims: list) -> Chart:
    by_month: dict[dt.date, list] = {}
    for claim in claims:
        by_month.setdefault(claim.month, []).append(claim)
    rows = []
    months = year_months(year.year)
    sums: dict[str, list[Decimal]] = {key: [] for key, _, _ in CLAIM_STAGES}
    for month in months:
        month_rows, totals = _month_claims(month, by_month.get(month, []))
        rows += month_rows
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
