"""Commissioner staff pay their area's ARRS claims through the NHS pages, in Chromium: from the
home page they build the month's batch, follow it to the batch page, finalise it and record
its payment, without opening the admin."""

import re

import pytest

from reimbursement.models import Batch, BatchLine
from tests.reimbursement.factories import make_batch_world

pytestmark = pytest.mark.browser


def test_staff_build_finalise_and_pay_a_batch_through_the_nhs_pages(page, log_in):
    from playwright.sync_api import expect

    world = make_batch_world()
    BatchLine.objects.all().delete()  # the approved lines wait for a batch again
    Batch.objects.all().delete()
    log_in(world.reviewer)

    page.get_by_role("link", name="Build a payment batch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Build a payment batch")
    expect(page.get_by_test_id("default-month")).to_contain_text("Batch month")
    page.get_by_label("Batch month (the claim month it pays)").fill("2025-06")
    page.get_by_role("button", name="Build the batch").click()

    # Without a broker the build runs as the request ends: the progress page shows it done.
    expect(page.get_by_test_id("run-status")).to_have_text("Done")
    page.get_by_role("link", name=re.compile(r"Open batch .*-2025-06")).click()

    expect(page.get_by_test_id("batch-status")).to_have_text("Draft")
    expect(page.get_by_test_id("draft-warning")).to_contain_text("not for payment")
    expect(page.get_by_test_id("batch-total")).to_have_text("£5,155.56")
    expect(page).not_to_have_url(re.compile(r"/admin/"))
    page.get_by_role("button", name="Finalise the batch").click()

    expect(page.get_by_test_id("batch-status")).to_have_text("Finalised")
    expect(page.get_by_text("finalised: its lines are in it for good")).to_be_visible()
    expect(page.get_by_role("button", name="Finalise the batch")).to_have_count(0)

    # A reference left out is named in the error summary, which leads to the field.
    page.get_by_role("button", name="Mark as paid").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter the payment reference finance used.")
    summary.get_by_role("link", name=re.compile("Payment reference")).click()
    expect(page.get_by_label("Payment reference")).to_be_focused()

    page.get_by_label("Payment reference").fill("BACS 2025-07-15")
    page.get_by_role("button", name="Mark as paid").click()

    expect(page.get_by_test_id("batch-status")).to_have_text("Paid")
    expect(page.get_by_test_id("batch-payment-reference")).to_have_text("BACS 2025-07-15")
    expect(page.get_by_role("button", name="Mark as paid")).to_have_count(0)
    batch = Batch.objects.get()
    assert (batch.status, batch.payment_reference, batch.paid_recorded_by) == (
        Batch.Status.PAID,
        "BACS 2025-07-15",
        world.reviewer,
    )
