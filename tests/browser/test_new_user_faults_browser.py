"""What a new user met in Chromium (issue 14), as they met it: "Submit the claim" pressed twice
quickly, a post saved unchanged, a contact recorded with the date the form is filled with.

The posts sent at the same moment, on SQLite and PostgreSQL, are in
tests/reimbursement/test_concurrent_posts.py: the live server here shares one in-memory SQLite
connection between its request threads, so it cannot run two requests truly at once.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reimbursement import services
from reimbursement.models import Claim
from roles.models import Post
from tests.networks.factories import MembershipFactory, NominatedPayeeFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.referrals.factories import AssignedReferralFactory
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.browser

JUNE = dt.date(2025, 6, 1)


def expect():
    from playwright.sync_api import expect

    return expect


def record_responses(page) -> list:
    """Every response the page receives, to check none was a server error."""
    responses = []
    page.on("response", lambda response: responses.append(response))
    return responses


@pytest.fixture
def draft(live_site):
    """A PCN's June 2025 claim, every line's costs entered, and its clinical director."""
    member = MembershipFactory()
    NominatedPayeeFactory(pcn=member.pcn, practice=member.practice, start_date=dt.date(2019, 7, 1))
    PostFactory(
        pcn=member.pcn,
        employing_practice=member.practice,
        person_name="Tom Robson",
        start_date=dt.date(2024, 4, 1),
    )
    director = ClinicalDirectorUserFactory(pcn=member.pcn)
    claim = services.claim_create(pcn=member.pcn, month=JUNE, by=director)
    for line in claim.lines.all():
        services.claim_line_update(
            line=line,
            by=director,
            salary=Decimal("1200.00"),
            employer_ni=Decimal("120.00"),
            employer_pension=Decimal("172.56"),
        )
    return claim, director


def test_submit_the_claim_pressed_twice_quickly_submits_it_once(page, log_in, visit, draft):
    claim, director = draft
    edit = reverse("reimbursement:claim_edit", args=[claim.pk])
    detail = reverse("reimbursement:claim_detail", args=[claim.pk])
    log_in(director)
    visit(edit)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Submit the claim"))
    form.get_by_label("I declare that the staff claimed for are additional").check()
    form.get_by_label("I declare that the salary, employer NI and pension").check()
    fields = page.evaluate("form => Object.fromEntries(new FormData(form))", form.element_handle())
    responses = record_responses(page)
    # A slow server: the first post is held while the person presses again, 150 ms later.
    held = []
    page.route(
        f"**{edit}",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    button = page.get_by_role("button", name="Submit the claim").element_handle()

    page.evaluate("button => { button.click(); setTimeout(() => button.click(), 150); }", button)
    page.wait_for_timeout(400)
    sent = len(held)
    for route in held:
        try:
            route.continue_()
        except Exception:  # a post the browser itself cancelled: nothing to let through
            pass
    page.wait_for_url(f"**{detail}")

    expect()(page.get_by_text("submitted to your commissioner")).to_be_visible()
    assert sent == 1  # the second press sent nothing
    assert not [r for r in responses if r.status >= 500]
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED

    # Without the page's script (or before it loads) the same form can arrive twice: the
    # server answers the second by sending the person to the submitted claim, never a 500.
    again = page.request.post(edit, form={**fields, "action": "submit"})
    assert again.status == 200 and again.url.endswith(detail)
    assert "This claim has been submitted and can no longer be changed." in again.text()
    assert Claim.history.filter(id=claim.pk, status=Claim.Status.SUBMITTED).count() == 1


def test_a_post_saved_unchanged_keeps_its_start_date(page, log_in, visit, live_site):
    member = MembershipFactory()
    post = PostFactory(
        pcn=member.pcn,
        employing_practice=member.practice,
        person_name="Ruth Bell",
        start_date=dt.date(2021, 6, 1),
    )
    log_in(ClinicalDirectorUserFactory(pcn=member.pcn))
    visit(reverse("roles:post_edit", args=[post.pk]))
    responses = record_responses(page)

    expect()(page.get_by_label("Start date")).to_have_value("2021-06-01")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"**{reverse('roles:post_list')}")
    expect()(page.get_by_text("Changes to Ruth Bell's post saved.")).to_be_visible()
    assert not [r for r in responses if r.status >= 400]
    assert Post.objects.get(pk=post.pk).start_date == dt.date(2021, 6, 1)


def test_a_contact_is_recorded_with_the_date_the_form_is_filled_with(
    page, log_in, visit, live_site
):
    referral = AssignedReferralFactory(given_name="Dorothy", family_name="Charlton")
    log_in(referral.link_worker)
    visit(reverse("referrals:detail", args=[referral.pk]))
    form = page.locator(f"form[action='{reverse('referrals:contact_add', args=[referral.pk])}']")
    page.get_by_text("Record a contact").click()  # opens the folded form
    today = timezone.localdate()

    expect()(form.get_by_label("Date")).to_have_value(today.isoformat())
    form.get_by_label("Type").select_option(label="Phone")
    form.get_by_label("Duration (minutes)").fill("20")
    form.get_by_role("button", name="Record contact").click()

    expect()(page.get_by_text("Contact recorded.")).to_be_visible()
    assert referral.contacts.get().date == today
