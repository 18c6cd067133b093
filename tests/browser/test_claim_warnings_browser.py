"""The claim form's live breakdown in Chromium: a salary of £0 with on-costs brings up the
NHS.UK warning callout as it is typed, and the draft still saves (static/js/claim-breakdown.js)."""

import datetime as dt

import pytest

from reimbursement import services
from reimbursement.models import ClaimLine
from tests.networks.factories import MembershipFactory, NominatedPayeeFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.roles.factories import PostFactory, RoleFactory

pytestmark = pytest.mark.browser

JUNE = dt.date(2025, 6, 1)


def test_on_costs_on_a_salary_of_nothing_warn_as_typed_and_the_draft_saves(page, log_in, visit):
    from playwright.sync_api import expect

    pcn = PCNFactory()
    practice = MembershipFactory(pcn=pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=practice, start_date=dt.date(2019, 7, 1))
    pharmacist = RoleFactory(code="clinical_pharmacist")
    PostFactory(pcn=pcn, role=pharmacist, person_name="Priya Shah", employing_practice=practice)
    director = ClinicalDirectorUserFactory(pcn=pcn)
    claim = services.claim_create(pcn=pcn, month=JUNE, by=director)
    log_in(director)
    visit(f"/reimbursement/claims/{claim.pk}/edit/")

    page.get_by_label("Salary for Priya Shah").fill("0")
    page.get_by_label("Employer NI for Priya Shah").fill("120.00")
    page.get_by_label("Employer pension for Priya Shah").fill("80.00")

    callout = page.locator("[data-breakdown] [data-testid='warning-callout']").first
    expect(callout).to_be_visible()
    expect(callout).to_have_class("nhsuk-card nhsuk-card--warning")
    expect(callout).to_contain_text("The salary is £0 but employer NI and pension come to £200.00")

    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.locator("[data-testid='warning-callout']").first).to_contain_text(
        "The salary is £0"
    )
    assert ClaimLine.objects.get(claim=claim).employer_ni == 120
