"""The payroll upload in Chromium, as the demo's practice manager uses it: signed in through the
real form, they upload the month's payroll CSV for the demo PCN's draft claim, choose who the
one row PCN Admin could not match is, confirm, and see the draft filled. A 1,280px window."""

import io

import pytest
from django.core.management import call_command

from pcn_admin.demo import DEMO_PASSWORD
from reimbursement.models import Claim, PayrollUpload
from reimbursement.seed_payroll import DEMO_MONTH

pytestmark = pytest.mark.browser

HEADER = "Name,Registration number,Month,Salary,Employer NI,Employer pension,Sub-contract fee"


@pytest.fixture
def demo(live_site):
    call_command("seed_demo", stdout=io.StringIO())
    from pcn_admin.models import User

    manager = User.objects.get(username="demo-practice")
    claim = Claim.objects.get(
        pcn__code="U05512", month=DEMO_MONTH, kind=Claim.Kind.NORMAL, status="draft"
    )
    return manager, claim


def _payroll(claim) -> tuple[bytes, str, str]:
    """September's payroll with everyone's salary raised to £3,210.55, the first person named
    by an initial only (so not matched), and their full name and role for the select."""
    lines = list(claim.lines.select_related("post__role").order_by("post__person_name"))
    rows = [HEADER]
    for index, line in enumerate(lines):
        forenames, _, surname = line.post.person_name.rpartition(" ")
        name = f"{forenames[0]} {surname}" if index == 0 else line.post.person_name
        rows.append(f"{name},,{DEMO_MONTH:%Y-%m},3210.55,300.00,461.68,")
    first = lines[0].post
    initial = f"{first.person_name.rpartition(' ')[0][0]} {first.person_name.rpartition(' ')[2]}"
    return "\n".join(rows).encode(), initial, f"{first.person_name} ({first.role.name})"


def test_the_practice_manager_uploads_fixes_a_row_and_confirms_the_payroll(
    page, log_in, visit, demo
):
    from playwright.sync_api import expect

    manager, claim = demo
    content, unmatched, chosen = _payroll(claim)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(manager, DEMO_PASSWORD)

    visit(f"/reimbursement/claims/{claim.pk}/edit/")
    page.get_by_role("link", name="Fill in from the payroll file").click()
    expect(
        page.get_by_role("heading", name="Upload the payroll for September 2025")
    ).to_be_visible()
    page.get_by_label("Payroll file").set_input_files(
        files=[{"name": "september-payroll.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", name="Check the payroll for September 2025")).to_be_visible()
    expect(page.get_by_text(f"Row 2 ({unmatched}): No one in post this month")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.get_by_label(f"Who is row 2 ({unmatched})?").select_option(label=chosen)
    page.get_by_role("button", name="Confirm and fill in the claim").click()

    expect(page.get_by_text("Payroll confirmed:")).to_be_visible()
    lines = claim.lines.count()
    salaries = page.locator("input[name$='-salary']")
    expect(salaries).to_have_count(lines)
    for index in range(lines):
        expect(salaries.nth(index)).to_have_value("3210.55")
    expect(page.get_by_test_id("payroll-tag")).to_have_count(lines)
    upload = PayrollUpload.objects.filter(claim=claim).latest("pk")
    assert upload.status == PayrollUpload.Status.CONFIRMED
    assert upload.lines_filled == lines
