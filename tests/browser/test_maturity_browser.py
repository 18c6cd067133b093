"""PCN development in Chromium at 1,280 px, signed in through the real form: the clinical
director completes the open round's self-assessment (a draft first, then submitted), and the
PCN's dashboard leads to its progress page, which shows the movement between the two rounds in
the chart's text, the table and the CSV."""

import datetime as dt

import pytest

from maturity import services
from maturity.models import Assessment
from tests.maturity.factories import matrix_2019
from tests.networks.factories import CommissionerFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.browser

BASELINE = ["Foundation", "Step 1", "Foundation", "Step 1", "Step 2"]
NOW = ["Step 1", "Step 1", "Step 2", "Step 1", "Step 1"]  # up 1, same, up 2, same, down 1


def _world():
    commissioner = CommissionerFactory(code="Q9M", name="NHS Testshire Sub-ICB Location")
    pcn = PCNFactory(code="U99101", name="Coquet Valley PCN", commissioner=commissioner)
    staff = CommissionerStaffFactory(commissioner=commissioner)
    director = ClinicalDirectorUserFactory(pcn=pcn, first_name="Asha", last_name="Rahman")
    version = matrix_2019()
    stages = {s.name: s for s in version.stages.all()}
    baseline = services.round_open(
        commissioner=commissioner,
        name="Baseline, November 2019",
        date=dt.date(2019, 11, 29),
        matrix_version=version,
        pcns=[pcn],
        by=staff,
    )
    services.assessment_save(
        assessment=baseline.assessments.get(pcn=pcn),
        ratings={
            d.pk: services.RatingInput(stage=stages[name])
            for d, name in zip(version.domains.order_by("position"), BASELINE, strict=True)
        },
        by=director,
        submit=True,
    )
    services.round_close(assessment_round=baseline, by=staff)
    review = services.round_open(
        commissioner=commissioner,
        name="Review, March 2020",
        date=dt.date(2020, 3, 31),
        matrix_version=version,
        pcns=[pcn],
        by=staff,
    )
    return pcn, director, review.assessments.get(pcn=pcn), version


def test_a_director_completes_the_assessment_and_sees_the_movement(page, log_in, visit):
    from playwright.sync_api import expect

    pcn, director, assessment, version = _world()
    domains = list(version.domains.order_by("position"))
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(director)
    visit("/maturity/")
    expect(page.get_by_test_id("matrix-unverified")).to_be_visible()
    page.get_by_role("link", name="Complete the assessment for Review, March 2020").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coquet Valley PCN")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    # A draft with one domain chosen, then submitting with the rest missing is refused.
    first = page.get_by_test_id(f"domain-{domains[0].pk}")
    first.get_by_label("Step 1", exact=True).check()
    first.get_by_label("Evidence").fill("Board agreed a five-year plan in February.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    expect(first.get_by_label("Step 1", exact=True)).to_be_checked()

    page.get_by_role("button", name="Submit the assessment").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("Choose a stage for Integrating care before submitting.")
    expect(first.get_by_label("Evidence")).to_have_value(
        "Board agreed a five-year plan in February."
    )
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT

    for domain, name in zip(domains, NOW, strict=True):
        section = page.get_by_test_id(f"domain-{domain.pk}")
        section.get_by_label(name, exact=True).check()
        section.get_by_label("Next steps").fill(f"Next for {domain.name}.")
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page.get_by_text("assessment submitted")).to_be_visible()
    expect(page.get_by_test_id("assessment-status")).to_have_text("Submitted")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED

    # From the PCN's dashboard to its progress: the movement between the two rounds.
    visit(f"/networks/pcns/{pcn.code}/dashboard/")
    page.get_by_test_id("pcn-development").get_by_role("link", name="Maturity matrix").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coquet Valley PCN")
    table = page.get_by_test_id("progress-table")
    expect(table.get_by_role("row")).to_have_count(6)
    for index, words in enumerate(
        ["Up 1 stage", "No change", "Up 2 stages", "No change", "Down 1 stage"], start=1
    ):
        expect(page.get_by_test_id(f"movement-{index}")).to_have_text(words)
    expect(page.get_by_test_id("progress-row-3")).to_contain_text("Foundation")
    expect(page.get_by_test_id("progress-row-3")).to_contain_text("Step 2")
    charts = page.get_by_test_id("progress-charts").locator("svg[role=img]")
    expect(charts).to_have_count(5)
    expect(page.get_by_test_id("maturity-chart-3")).to_contain_text("Up 2 stages")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    with page.expect_download() as download:
        page.get_by_test_id("progress-csv").click()
    rows = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert rows[3] == "Integrating care,Foundation,Step 2,2"
