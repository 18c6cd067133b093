"""Income by payment stream on the dashboards: the PCN's month by month over the year, and the
commissioner's totals by stream across its PCNs, each a chart with its accessible table and
CSV, from figures reimbursement.income has already read (nothing here runs a query).

Batched amounts are shown by the month of the batch that pays them (a late amount is in the
batch of the month it was paid), with the batch's status; a month no batch has been built for
shows what the rate-based streams are expected to pay, marked as expected.
"""

from decimal import Decimal

from reimbursement.income import ARRS, EXPECTED, YearIncome

from .charts import BLUE, DARK_GREY, GREEN, PINK, PURPLE, RED, Chart, dataset, money_cell, text_cell
from .years import YearSelection

ZERO = Decimal("0.00")
# One colour per stream, each at least 3:1 against white (WCAG 1.4.11): the NHS's blue, green,
# purple, pink, dark grey, dark blue, red, dark pink and dark green, then round again.
PALETTE = (BLUE, GREEN, PURPLE, PINK, DARK_GREY, "#003087", RED, "#7c2855", "#00401e")
EXPECTED_LABEL = "Expected from the rates, not yet batched"


def _colours(income: YearIncome) -> dict[str, str]:
    return {
        stream.code: PALETTE[index % len(PALETTE)] for index, stream in enumerate(income.streams)
    }


def _notes(income: YearIncome, year: YearSelection) -> list[str]:
    notes = [
        "Amounts are shown in the month of the batch that pays them: an amount for an earlier "
        "month, approved late, is in the batch it was paid in. A draft batch may still change. "
        "ARRS is the approved claim lines in the batches.",
        "For a month with no batch yet, the rate-based streams (core PCN funding, clinical "
        "director, network participation) are worked out as expected from the year's rates "
        f"and the list sizes on 1 January {year.year}; declared streams (such as the Investment "
        "and Impact Fund) and ARRS are only known once approved.",
    ]
    if income.unrated:
        notes.append(
            f"No rate is recorded for some or all of {year.label} for: "
            + "; ".join(u.text for u in income.unrated)
            + ". Nothing is worked out for those months: if a rate has been published, a "
            "national administrator adds it in the administration (payment streams' rates)."
        )
    if income.gaps:
        reasons = sorted({gap.reason for gap in income.gaps})
        notes.append("Left out of what is expected: " + " ".join(reasons))
    return notes


def pcn_income_chart(year: YearSelection, income: YearIncome, pcn_id: int) -> Chart:
    """The PCN's year, a row per month: each stream's amount, the month's total and whether it
    is paid, finalised, in a draft batch or only expected."""
    months = income.pcn_months(pcn_id)
    streams = income.streams_with_amounts([pcn_id])
    colours = _colours(income)
    rows = []
    for month in months:
        label = f"{month.month:%B %Y}" + (" (expected)" if month.is_expected else "")
        rows.append(
            [
                text_cell(label),
                text_cell(month.status_text),
                *(money_cell(month.amounts.get(stream.code, ZERO)) for stream in streams),
                money_cell(month.total),
            ]
        )
    batched = [m for m in months if not m.is_expected]
    expected = [m for m in months if m.is_expected]
    total_batched = sum((m.total for m in batched), ZERO)
    total_expected = sum((m.total for m in expected), ZERO)
    footer = [
        text_cell("Total"),
        text_cell(""),
        *(money_cell(sum((m.amounts.get(s.code, ZERO) for m in months), ZERO)) for s in streams),
        money_cell(total_batched + total_expected),
    ]
    datasets = [
        dataset(
            stream.name,
            [ZERO if m.is_expected else m.amounts.get(stream.code, ZERO) for m in months],
            colours[stream.code],
        )
        for stream in streams
    ]
    if expected:
        datasets.append(
            dataset(
                EXPECTED_LABEL, [m.total if m.is_expected else ZERO for m in months], "", light=True
            )
        )
    anything = total_batched or total_expected
    return Chart(
        slug="income",
        title=f"Income by payment stream, {year.label}",
        summary=(
            f"Stacked bars of each month's income by payment stream: £{total_batched:,.2f} in "
            f"batches, and £{total_expected:,.2f} expected for months not yet batched, shown "
            "as a light grey bar."
        ),
        columns=[
            "Month",
            "Status",
            *(f"{stream.name} (£)" for stream in streams),
            "Total (£)",
        ],
        rows=rows if anything else [],
        footer=footer,
        labels=[f"{m.month:%b %Y}" for m in months],
        datasets=datasets,
        stacked=True,
        is_money=True,
        value_title="£ a month",
        notes=_notes(income, year),
        empty_message=f"Nothing has been batched or is expected for {year.label}.",
    )


def commissioner_income_chart(year: YearSelection, income: YearIncome) -> Chart:
    """Each stream's year across the commissioner's PCNs: batched (of which paid), and
    expected for months not yet batched."""
    totals = [t for t in income.stream_totals() if t.stream.code == ARRS or t.batched or t.expected]
    rows = [
        [
            text_cell(t.stream.name),
            money_cell(t.batched),
            money_cell(t.paid),
            money_cell(t.expected),
            money_cell(t.total),
        ]
        for t in totals
    ]
    anything = any(t.batched or t.expected for t in totals)
    return Chart(
        slug="income",
        title=f"Income by payment stream across the PCNs, {year.label}",
        summary="Bars of each payment stream's year across the PCNs: what is in batches, and "
        "what is expected for months not yet batched, in light grey.",
        columns=["Payment stream", "In batches", "Of which paid", "Expected", "Total"],
        rows=rows if anything else [],
        footer=[
            text_cell("All streams"),
            *(
                money_cell(sum((getattr(t, name) for t in totals), ZERO))
                for name in ("batched", "paid", "expected", "total")
            ),
        ],
        labels=[t.stream.name for t in totals],
        datasets=[
            dataset("In batches", [t.batched for t in totals], BLUE),
            dataset(EXPECTED_LABEL, [t.expected for t in totals], "", light=True),
        ],
        horizontal=True,
        stacked=True,
        is_money=True,
        value_title="£ in the year",
        notes=_notes(income, year),
        empty_message=f"Nothing has been batched or is expected for {year.label}.",
    )


__all__ = ["EXPECTED", "commissioner_income_chart", "pcn_income_chart"]
