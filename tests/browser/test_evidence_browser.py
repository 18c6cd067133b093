"""Claim evidence in Chromium, in a 1,280px window, on the demo's data: the practice manager signs
in through the real form, attaches a payslip (a real small PDF) to a line of the demo PCN's draft
claim, checks it and submits; the commissioner's reviewer opens the payslip from the review page
and gets that PDF; a practice manager of another PCN gets 404 at the file's URL; the audit log
holds the two views, and nothing for the refused one."""

import io

import pytest
from django.core.management import call_command

from evidence.models import Attachment
from evidence.seed import payslip_pdf
from pcn_admin.demo import DEMO_PASSWORD
from pcn_admin.models import User
from referrals.models import AuditEvent
from reimbursement.models import Claim
from tests.networks.factories import PracticeFactory
from tests.pcn_admin.factories import PracticeManagerFactory

pytestmark = pytest.mark.browser

WIDTH = 1280
FILE_NAME = "payslip-september-2025.pdf"


@pytest.fixture
def demo(live_site):
    call_command("seed_demo", stdout=io.StringIO())


def _fits_the_window(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def _open_file(page, link) -> bytes:
    """Click a file's link and return what the browser downloaded."""
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == FILE_NAME
    with open(download.path(), "rb") as downloaded:
        return downloaded.read()


def test_a_payslip_reaches_the_reviewer_and_no_one_else(page, log_in, visit, demo):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": WIDTH, "height": 900})
    manager = User.objects.get(username="demo-practice")
    claim = Claim.objects.get(
        pcn__code=User.objects.get(username="demo-director").pcn.code,
        kind=Claim.Kind.NORMAL,
        status=Claim.Status.DRAFT,
    )
    # A line the demo left without evidence.
    line = (
        claim.lines.filter(attachments__isnull=True, approved_at__isnull=True)
        .select_related("post")
        .order_by("pk")
        .last()
    )
    person = line.post.person_name
    content = payslip_pdf(person, "September 2025")

    # The practice manager attaches the payslip from the claim form.
    log_in(manager, DEMO_PASSWORD)
    visit(f"/reimbursement/claims/{claim.pk}/edit/")
    _fits_the_window(page)
    page.get_by_role("link", name=f"Attach evidence for {person}").click()
    expect(page.get_by_role("heading", name=f"Evidence for {person}")).to_be_visible()
    page.get_by_label("Payslip").check()
    page.get_by_label("File").set_input_files(
        files=[{"name": FILE_NAME, "mimeType": "application/pdf", "buffer": content}]
    )
    page.get_by_role("button", name="Attach the file").click()

    expect(page.get_by_text(f"{FILE_NAME} attached to {person}'s line")).to_be_visible()
    row = page.locator(f"#line-{line.pk}")
    expect(row.get_by_text(FILE_NAME)).to_be_visible()
    _fits_the_window(page)
    # The practice checks what it attached: the same file comes back.
    assert _open_file(page, row.get_by_role("link", name=f"Payslip for {person}")) == content

    page.get_by_label("staff claimed for are additional").check()
    page.get_by_label("salary, employer NI and pension claimed").check()
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Submitted, awaiting review")

    # The reviewer opens it beside the line on the review page.
    page.context.clear_cookies()
    log_in(User.objects.get(username="demo-commissioner"), DEMO_PASSWORD)
    visit(f"/reimbursement/claims/{claim.pk}/")
    _fits_the_window(page)
    review_row = page.locator(f"#line-{line.pk}")
    assert _open_file(page, review_row.get_by_role("link", name=f"Payslip for {person}")) == (
        content
    )

    # Someone from another PCN: the file's URL does not exist for them.
    attachment = Attachment.objects.get(line=line, original_name=FILE_NAME)
    outsider = PracticeManagerFactory(practice=PracticeFactory())
    page.context.clear_cookies()
    log_in(outsider)
    response = visit(f"/evidence/files/{attachment.pk}/")
    assert response.status == 404

    views = AuditEvent.objects.filter(
        model="evidence.Attachment", record_id=str(attachment.pk), action=AuditEvent.Action.VIEW
    )
    assert sorted(views.values_list("username", flat=True)) == [
        "demo-commissioner",
        "demo-practice",
    ]
