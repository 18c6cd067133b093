"""A clinical director's workforce plan in Chromium at 1,280 px, signed in through the real
form: they try adding a post, see the plan's priced total and headroom against the entitlement
change (to the penny, against the money rule) with nothing saved, save it to the plan, and
submit the plan."""

import datetime as dt
from decimal import Decimal

import pytest

from reimbursement.calculations import arr_sum
from roles.models import EntitlementRate, Role
from tests.networks.factories import ListSizeFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.workforce.factories import PlannedPostFactory, WorkforcePlanFactory
from tests.workforce.test_pricing import money_rule_total
from workforce.models import PlannedPost, WorkforcePlan

pytestmark = pytest.mark.browser

WIDTH = 1280
WEIGHTED = (Decimal("11250.40"), Decimal("9876.55"))


def _figure(page, testid: str) -> Decimal:
    return Decimal(page.get_by_test_id(testid).get_attribute("data-value"))


def test_a_director_tries_a_change_sees_the_total_and_headroom_move_then_saves_and_submits(
    page, log_in, visit
):
    from playwright.sync_api import expect

    pcn = PCNFactory(name="Allendale Plan PCN")
    for weighted in WEIGHTED:
        practice = MembershipFactory(pcn=pcn).practice
        ListSizeFactory(practice=practice, date=dt.date(2025, 1, 1), weighted_patients=weighted)
    director = ClinicalDirectorUserFactory(pcn=pcn)
    plan = WorkforcePlanFactory(pcn=pcn, year=2025, created_by=director)
    PlannedPostFactory(plan=plan)  # a clinical pharmacist all year
    rate = EntitlementRate.objects.get(year=2025)
    entitlement = arr_sum(rate.per_weighted_patient, sum(WEIGHTED, Decimal("0")))
    saved_total = money_rule_total(list(plan.posts.select_related("role")), 2025)

    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(director)
    visit(f"/workforce/plans/{plan.pk}/")

    assert _figure(page, "planned-total") == saved_total
    assert _figure(page, "entitlement") == entitlement
    assert _figure(page, "headroom") == entitlement - saved_total

    # Try a pharmacy technician, 30 hours from November 2025.
    form = page.get_by_test_id("change-form")
    form.get_by_label("Role").select_option(label="Pharmacy technician")
    form.get_by_label("Hours a week (sessions for GPs)").fill("30")
    form.get_by_label("Agenda for Change band").fill("5")
    form.get_by_label("Start month").fill("2025-11")
    form.get_by_role("button", name="Try this change").click()

    change = PlannedPost(
        plan=plan,
        role=Role.objects.get(code="pharmacy_technician"),
        hours=Decimal("30"),
        afc_band="5",
        start_month=dt.date(2025, 11, 1),
    )
    changed_total = money_rule_total([*plan.posts.select_related("role"), change], 2025)
    expect(page.get_by_test_id("what-if")).to_be_visible()
    assert _figure(page, "whatif-before-total") == saved_total
    assert _figure(page, "whatif-after-total") == changed_total
    assert _figure(page, "whatif-post-cost") == changed_total - saved_total
    assert _figure(page, "whatif-after-headroom") == entitlement - changed_total
    assert _figure(page, "whatif-after-headroom") < _figure(page, "whatif-before-headroom")
    assert plan.posts.count() == 1  # trying saves nothing
    expect(page.get_by_label("Hours a week (sessions for GPs)")).to_have_value("30")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    page.get_by_role("button", name="Save to plan").click()

    expect(page.get_by_text("Saved to the plan.")).to_be_visible()
    assert plan.posts.count() == 2
    assert _figure(page, "planned-total") == changed_total
    assert _figure(page, "headroom") == entitlement - changed_total
    expect(page.get_by_test_id("planned-post")).to_have_count(2)

    page.get_by_role("button", name="Submit the plan").click()

    expect(page.get_by_test_id("plan-status")).to_have_text("Submitted")
    plan.refresh_from_db()
    assert plan.status == WorkforcePlan.Status.SUBMITTED
    assert plan.submitted_by == director
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
