"""A self-referral reaches someone: sent signed out from the public form, it waits in the PCN's
new-referrals queue, where a link worker signs in, finds it and takes it (issue 14)."""

import re

import pytest

from referrals.models import Referral
from tests.networks.factories import MembershipFactory
from tests.pcn_admin.factories import LinkWorkerUserFactory

pytestmark = pytest.mark.browser


def test_a_self_referral_sent_signed_out_is_taken_from_the_queue(page, visit, log_in):
    from playwright.sync_api import expect

    member = MembershipFactory(
        practice__name="SEATON PARK MEDICAL GROUP", pcn__name="Blyth Harbour PCN"
    )
    worker = LinkWorkerUserFactory(first_name="Jess", last_name="Pattinson", pcn=member.pcn)

    # Signed out, on the public form: the practice by name, the date of birth in three boxes.
    visit("/referrals/self-referral/")
    expect(page.get_by_role("link", name=re.compile("privacy notice"))).to_be_visible()
    page.get_by_label("First name").fill("Norah")
    page.get_by_label("Last name").fill("Bainbridge")
    date_of_birth = page.get_by_role("group", name="Date of birth")
    date_of_birth.get_by_label("Day").fill("12")
    date_of_birth.get_by_label("Month").fill("4")
    date_of_birth.get_by_label("Year").fill("1958")
    page.get_by_label("Phone").fill("07700 900900")
    page.get_by_label("How should we contact you?").select_option(label="Phone call")
    page.get_by_label("Your GP practice").select_option(label="Seaton Park Medical Group")
    page.get_by_label("Bereavement").check()
    page.get_by_label(re.compile("I agree to a social prescribing link worker")).check()
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("We have received your request")
    expect(page.get_by_role("main")).to_contain_text("usually within two weeks")

    # The PCN's link worker signs in and finds it in the new-referrals queue.
    log_in(worker)
    page.get_by_role("link", name="New referrals waiting for a link worker").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New referrals")
    row = page.get_by_role("row", name=re.compile("Norah Bainbridge"))
    expect(row).to_contain_text("Seaton Park Medical Group")
    expect(row).to_contain_text("Self referral")

    row.get_by_role("button", name=re.compile("Take")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Norah Bainbridge")
    expect(page.get_by_role("main")).to_contain_text("You have taken the referral")
    expect(page.get_by_role("main")).to_contain_text("Jess Pattinson")
    assert Referral.objects.get(given_name="Norah").link_worker_id == worker.pk

    # The queue is empty now, and the caseload has her.
    visit("/referrals/new-referrals/")
    expect(page.get_by_role("main")).to_contain_text("No new referrals")
    visit("/referrals/")
    expect(page.get_by_role("link", name="Norah Bainbridge")).to_be_visible()
