"""The claim form's live breakdown in Chromium: as the costs are typed, the line names the
maximum that priced it and marks a derived one (static/js/claim-breakdown.js)."""

import datetime as dt
from decimal import Decimal

import pytest

from reimbursement import services
from roles.models import Provenance
from tests.networks.factories import MembershipFactory, NominatedPayeeFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.roles.factories import PostFactory, RateFactory, RoleFactory

pytestmark = pytest.mark.browser

JUNE = dt.date(2025, 6, 1)
BASIS = "2025/26 AfC pay award of 3.6% applied to £66,972"


def test_the_live_breakdown_names_a_derived_maximum_as_costs_are_typed(page, log_in, visit):
    from playwright.sync_api import expect

    pcn = PCNFactory()
    practice = MembershipFactory(pcn=pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=practice, start_date=dt.date(2019, 7, 1))
    pharmacist = RoleFactory(code="clinical_pharmacist")
    PostFactory(pcn=pcn, role=pharmacist, person_name="Priya Shah", employing_practice=practice)
    RateFactory(
        role=pharmacist,
        afc_band="7-8a",
        effective_from=JUNE,
        annual_max=Decimal("69410"),
        provenance=Provenance.DERIVED_UPLIFT,
        basis=BASIS,
    )
    director = ClinicalDirectorUserFactory(pcn=pcn)
    claim = services.claim_create(pcn=pcn, month=JUNE, by=director)
    log_in(director)
    visit(f"/reimbursement/claims/{claim.pk}/edit/")

    page.get_by_label("Salary for Priya Shah").fill("3500.00")
    page.get_by_label("Employer NI for Priya Shah").fill("465.80")
    page.get_by_label("Employer pension for Priya Shah").fill("500.00")

    cell = page.locator("[data-breakdown]").first
    expect(cell).to_contain_text("Reimbursable £")
    mark = cell.locator('[data-testid="rate-provenance"]')
    expect(mark).to_contain_text("Maximum £69,410 a year from 1 June 2025 – derived by a pay award")
    expect(mark).to_have_attribute("data-provenance", "derived-uplift")
    expect(mark).to_have_attribute("title", BASIS)
    expect(mark.locator(".nhsuk-tag--yellow")).to_have_text("derived by a pay award")
