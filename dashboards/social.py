"""The social prescribing charts of the PCN dashboard: counts only, never an identity."""

import datetime as dt

from referrals import selectors as referral_selectors
from referrals.models import ONS4_FIELDS

from .charts import BLUE, GREEN, GREY, ZERO, Chart, change_cell, count_cell, dataset, text_cell
from .years import YearSelection, year_months

TOP_ORGANISATIONS = 10
CASELOAD_GUIDE = referral_selectors.CASELOAD_GUIDE


def referrals_by_month_chart(year: YearSelection, counts: dict[dt.date, int]) -> Chart:
    months = year_months(year.year)
    return Chart(
        slug="referrals-by-month",
        title=f"Referrals received by month, {year.label}",
        summary=f"Bars of referrals received each month: {sum(counts.values()):,} in all.",
        columns=["Month", "Referrals"],
        rows=[[text_cell(f"{m:%B %Y}"), count_cell(counts.get(m, 0))] for m in months]
        if counts
        else [],
        footer=[text_cell("Total"), count_cell(sum(counts.values()))],
        labels=[f"{m:%b %Y}" for m in months],
        datasets=[dataset("Referrals", [counts.get(m, 0) for m in months], BLUE)],
        value_title="Referrals",
        whole_numbers=True,
        empty_message=f"No referrals received in {year.label}.",
    )


def counts_chart(slug, title, heading, counts, year: YearSelection, note: str = "") -> Chart:
    return Chart(
        slug=slug,
        title=f"{title}, {year.label}",
        summary=f"Bars of referrals by {heading.lower()}, most first.",
        columns=[heading, "Referrals"],
        rows=[[text_cell(name), count_cell(n)] for name, n in counts],
        labels=[name for name, _ in counts],
        datasets=[dataset("Referrals", [n for _, n in counts], BLUE)],
        horizontal=True,
        value_title="Referrals",
        whole_numbers=True,
        notes=[note] if note else [],
        empty_message=f"No referrals received in {year.label}.",
    )


def caseloads_chart(caseloads: list[dict]) -> Chart:
    low, high = CASELOAD_GUIDE
    return Chart(
        slug="caseloads",
        title="Caseload per link worker",
        summary="Bars of each link worker's open referrals today, with the people referred "
        "to them in the past twelve months.",
        columns=["Link worker", "Open now", "Referred in past 12 months"],
        rows=[
            [text_cell(row["name"]), count_cell(row["open_now"]), count_cell(row["past_year"])]
            for row in caseloads
        ],
        labels=[row["name"] for row in caseloads],
        datasets=[
            dataset("Open referrals today", [row["open_now"] for row in caseloads], BLUE),
            dataset(
                "Referred in the past 12 months", [row["past_year"] for row in caseloads], GREY
            ),
        ],
        horizontal=True,
        value_title="People",
        whole_numbers=True,
        notes=[
            f"A full-time link worker typically supports {low} to {high} people a year "
            "(NHS England guidance)."
        ],
        empty_message="No referrals yet.",
    )


ONS4_LABELS = {
    "life_satisfaction": "Life satisfaction",
    "worthwhile": "Things done are worthwhile",
    "happy": "Happy yesterday",
    "anxious": "Anxious yesterday",
}


def outcomes_chart(year: YearSelection, summary: referral_selectors.OutcomeSummary) -> Chart:
    change = summary.wellbeing_change
    rows = (
        [[text_cell(ONS4_LABELS[item]), change_cell(change.get(item))] for item in ONS4_FIELDS]
        if summary.wellbeing_people
        else []
    )
    notes = [
        f"Average change from each person's first baseline to their latest follow-up, on the "
        f"0 to 10 ONS4 scales, for the {summary.wellbeing_people} "
        f"{'person' if summary.wellbeing_people == 1 else 'people'} referred in {year.label} "
        "with both. A fall in anxiety is an improvement."
    ]
    if summary.gp_people:
        notes.append(
            f"GP appointments in six months, average per person: {summary.gp_before_mean} "
            f"before referral and {summary.gp_after_mean} after ({summary.gp_people} "
            f"{'person' if summary.gp_people == 1 else 'people'})."
        )
    return Chart(
        slug="outcomes",
        title=f"Change in wellbeing (ONS4), referrals of {year.label}",
        summary="Bars of the average change in each ONS4 wellbeing score; above zero is a rise.",
        columns=["Measure", "Average change"],
        rows=rows,
        labels=[ONS4_LABELS[item] for item in ONS4_FIELDS],
        datasets=[
            dataset("Average change", [change.get(item, ZERO) for item in ONS4_FIELDS], BLUE)
        ],
        value_title="Change in score (0 to 10 scale)",
        notes=notes,
        empty_message="No one referred this year has both a baseline and a follow-up "
        "wellbeing measurement yet.",
    )


def organisations_chart(year: YearSelection, organisations: list) -> Chart:
    return Chart(
        slug="organisations",
        title=f"Organisations people were most connected to, {year.label}",
        summary="Bars of the people each organisation accepted, most first.",
        columns=["Organisation", "People connected"],
        rows=[[text_cell(name), count_cell(n)] for name, n in organisations],
        labels=[name for name, _ in organisations],
        datasets=[dataset("People connected", [n for _, n in organisations], GREEN)],
        horizontal=True,
        value_title="People",
        whole_numbers=True,
        notes=[
            f"People referred in {year.label} whose onward referral the organisation "
            f"accepted; the top {TOP_ORGANISATIONS}."
        ],
        empty_message=f"No onward referrals accepted yet for people referred in {year.label}.",
    )
