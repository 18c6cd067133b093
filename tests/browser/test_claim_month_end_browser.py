"""A month's claim end to end in Chromium, on the demo's data, in a 1,280px window (issue 16's
first "Done when"): the demo PCN's payee practice manager signs in through the real form, opens
September's draft claim, uploads the payroll CSV with one surname misspelt, chooses who that row
is on the preview, confirms and sees the figures filled; attaches a real small PDF payslip to a
line, checks it and submits. The commissioner's reviewer opens the claim from the claims list
and the payslip beside its line, and gets that PDF. Practice managers outside the PCN (one in the
same area, one in another) get "Page not found" at the file's URL. The audit log holds the two
views of the file and nothing else.

tests/browser/test_payroll_browser.py and test_evidence_browser.py test each half on its own;
this one runs them as one month end, with the same set-up (seed_demo, the demo users)."""

import io

import pytest
from django.core.management import call_command

from evidence.models import Attachment
from evidence.seed import payslip_pdf
from pcn_admin.demo import DEMO_PASSWORD
from pcn_admin.models import User
from referrals.models import AuditEvent
from reimbursement.models import Claim, PayrollUpload
from reimbursement.seed_payroll import DEMO_MONTH
from tests.networks.factories import PracticeFactory
from tests.pcn_admin.factories import PracticeManagerFactory

pytestmark = pytest.mark.browser

WIDTH = 1280
MONTH = f"{DEMO_MONTH:%B %Y}"  # September 2025
PAYROLL_FILE = f"payroll-{DEMO_MONTH:%Y-%m}.csv"
PAYSLIP_FILE = f"payslip-{DEMO_MONTH:%Y-%m}.pdf"
HEADER = "Name,Registration number,Month,Salary,Employer NI,Employer pension,Sub-contract fee"
# The month's figures in the file, for everyone: none of them is on the demo's draft already.
SALARY, NI, PENSION = "3210.55", "300.00", "461.68"


@pytest.fixture
def demo(live_site):
    call_command("seed_demo", stdout=io.StringIO())
    manager = User.objects.get(username="demo-practice")
    reviewer = User.objects.get(username="demo-commissioner")
    claim = Claim.objects.select_related("pcn").get(
        pcn=User.objects.get(username="demo-director").pcn,
        month=DEMO_MONTH,
        kind=Claim.Kind.NORMAL,
        status=Claim.Status.DRAFT,
    )
    return manager, reviewer, claim


def _misspelt(name: str) -> str:
    """The name with the surname's last-but-one letter dropped ("Armstrong" -> "Armstrog")."""
    forenames, _, surname = name.rpartition(" ")
    return f"{forenames} {surname[:-2]}{surname[-1]}"


def _payroll(lines, person: str) -> tuple[bytes, int, str]:
    """The payroll bureau's CSV: a row a person on the draft, surname of `person` misspelt.
    Returns the file, that row's number (the header is row 1) and how the file names them."""
    rows = [HEADER]
    for line in lines:
        name = line.post.person_name
        if name == person:
            name = _misspelt(name)
        number = line.post.registration_number
        rows.append(f"{name},{number},{DEMO_MONTH:%Y-%m},{SALARY},{NI},{PENSION},")
    row = 2 + [line.post.person_name for line in lines].index(person)
    return "\n".join(rows).encode(), row, _misspelt(person)


def _fits_the_window(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def _open_file(page, link) -> bytes:
    """Click a file's link and return what the browser downloaded."""
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == PAYSLIP_FILE
    with open(download.path(), "rb") as downloaded:
        return downloaded.read()


def _sign_in_afresh(page, log_in, user, *password):
    """Sign out (a fresh set of cookies) and sign in as `user` through the form."""
    page.context.clear_cookies()
    return log_in(user, *password)


def test_payroll_to_payslip_month_end(page, log_in, visit, demo):
    from playwright.sync_api import expect

    manager, reviewer, claim = demo
    page.set_viewport_size({"width": WIDTH, "height": 900})
    lines = list(claim.lines.select_related("post__role").order_by("post__person_name"))
    # The person whose payroll row is misspelt and whose payslip is attached: employed (not
    # sub-contracted), and with no evidence from the demo yet.
    line = next(
        line
        for line in lines
        if not line.post.subcontractor_name
        and not line.post.registration_number  # so only the name can match the row
        and not line.attachments.exists()
    )
    person = line.post.person_name
    content, row, in_the_file = _payroll(lines, person)
    payslip = payslip_pdf(person, MONTH)
    # Only what happens from here on counts in the audit log (the seed records its own events).
    audit_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # The practice manager opens the month's draft from the claims list.
    log_in(manager, DEMO_PASSWORD)
    visit("/reimbursement/claims/")
    page.locator("tr", has_text=MONTH).filter(has_text="Draft").get_by_role(
        "link", name=MONTH
    ).click()
    page.get_by_role("link", name="Change the claim").click()
    expect(page.get_by_role("heading", name=str(claim))).to_be_visible()
    expect(page.get_by_test_id("claim-status")).to_have_text("Draft")

    # Uploads the payroll: everyone is matched but the misspelt row, which they fix.
    page.get_by_role("link", name="Fill in from the payroll file").click()
    expect(page.get_by_role("heading", name=f"Upload the payroll for {MONTH}")).to_be_visible()
    page.get_by_label("Payroll file").set_input_files(
        files=[{"name": PAYROLL_FILE, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name=f"Check the payroll for {MONTH}")).to_be_visible()
    _fits_the_window(page)
    expect(page.locator("tr[data-matched='no']")).to_have_count(1)
    expect(page.locator("tr[data-matched='yes']")).to_have_count(len(lines) - 1)
    expect(
        page.get_by_text(f"Row {row} ({in_the_file}): No one in post this month has this name.")
    ).to_be_visible()
    page.get_by_label(f"Who is row {row} ({in_the_file})?").select_option(
        label=f"{person} ({line.post.role.name})"
    )
    page.get_by_role("button", name="Confirm and fill in the claim").click()

    # Back on the claim, every line carries the payroll's figures.
    expect(
        page.get_by_text(f"Payroll confirmed: {len(lines)} line(s) filled from {PAYROLL_FILE}.")
    ).to_be_visible()
    for each in lines:
        row_of = page.locator(f"#line-{each.pk}")
        expect(row_of.get_by_test_id("payroll-tag")).to_have_text("From the payroll")
        expect(row_of.get_by_label(f"Salary for {each.post.person_name}")).to_have_value(SALARY)
        expect(row_of.get_by_label(f"Employer NI for {each.post.person_name}")).to_have_value(NI)
        expect(row_of.get_by_label(f"Employer pension for {each.post.person_name}")).to_have_value(
            PENSION
        )
    _fits_the_window(page)

    # Attaches the payslip to the fixed person's line.
    page.get_by_role("link", name=f"Attach evidence for {person}").click()
    expect(page.get_by_role("heading", name=f"Evidence for {person}")).to_be_visible()
    page.get_by_label("Payslip").check()
    page.get_by_label("File").set_input_files(
        files=[{"name": PAYSLIP_FILE, "mimeType": "application/pdf", "buffer": payslip}]
    )
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_text(f"{PAYSLIP_FILE} attached to {person}'s line")).to_be_visible()
    row_of = page.locator(f"#line-{line.pk}")
    expect(row_of.get_by_text(PAYSLIP_FILE)).to_be_visible()
    # The figures confirmed from the payroll are still there after attaching.
    expect(row_of.get_by_label(f"Salary for {person}")).to_have_value(SALARY)
    # The practice checks what it attached (the first view of the file).
    assert _open_file(page, row_of.get_by_role("link", name=f"Payslip for {person}")) == payslip

    # Makes the declarations and submits.
    page.get_by_label("staff claimed for are additional").check()
    page.get_by_label("salary, employer NI and pension claimed").check()
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Submitted, awaiting review")
    upload = PayrollUpload.objects.filter(claim=claim).latest("pk")
    assert (upload.status, upload.file_name) == (PayrollUpload.Status.CONFIRMED, PAYROLL_FILE)

    # The reviewer finds the claim in the area's list and opens the payslip beside the line.
    _sign_in_afresh(page, log_in, reviewer, DEMO_PASSWORD)
    visit("/reimbursement/claims/")
    page.locator("tr", has_text=MONTH).filter(has_text=claim.pcn.code).get_by_role(
        "link", name=MONTH
    ).click()
    expect(page.get_by_role("heading", name=str(claim))).to_be_visible()
    expect(page.get_by_test_id("claim-status")).to_have_text("Submitted, awaiting review")
    _fits_the_window(page)
    review_row = page.locator(f"#line-{line.pk}")
    expect(review_row).to_contain_text("£3,210.55")
    expect(review_row.get_by_test_id("payroll-tag")).to_be_visible()
    expect(review_row.get_by_text(PAYSLIP_FILE)).to_be_visible()
    downloaded = _open_file(page, review_row.get_by_role("link", name=f"Payslip for {person}"))
    assert downloaded == payslip and downloaded.startswith(b"%PDF-")

    # Outsiders signed in: a practice manager in the same area outside the PCN, and one in
    # another area. For both the file's URL does not exist.
    attachment = Attachment.objects.get(line=line, original_name=PAYSLIP_FILE)
    outsiders = [
        PracticeManagerFactory(practice=PracticeFactory(commissioner=claim.pcn.commissioner)),
        PracticeManagerFactory(practice=PracticeFactory()),
    ]
    for outsider in outsiders:
        _sign_in_afresh(page, log_in, outsider)
        response = visit(f"/evidence/files/{attachment.pk}/")
        assert response.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    # "Both views" are the two times the file was served: the practice manager checking the
    # payslip they attached, then the reviewer opening it. The outsiders' refused requests
    # served nothing and are not views: no row for them, and no other file viewed.
    views = AuditEvent.objects.filter(
        pk__gt=audit_before, model="evidence.Attachment", action=AuditEvent.Action.VIEW
    ).order_by("pk")
    assert [(view.username, view.record_id) for view in views] == [
        ("demo-practice", str(attachment.pk)),
        ("demo-commissioner", str(attachment.pk)),
    ]
    assert not AuditEvent.objects.filter(
        pk__gt=audit_before, username__in=[outsider.username for outsider in outsiders]
    ).exists()
