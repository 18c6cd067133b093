"""Signing in as people do it, in a real browser at 1,280 px: the pause after too many wrong
passwords, the second factor for commissioner staff, and a home page whose links all open."""

import base64
import re

import pytest

from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory

pytestmark = pytest.mark.browser


def test_after_ten_wrong_passwords_even_the_right_one_is_refused_and_the_page_says_why(
    page, log_in, settings
):
    from playwright.sync_api import expect

    staff = CommissionerStaffFactory()

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(staff, "not-the-password", succeed=False)
    log_in(staff, succeed=False)

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in at the moment")
    expect(page.get_by_role("link", name="reset your password")).to_be_visible()


def test_staff_set_up_an_authenticator_app_before_they_reach_the_admin(page, log_in, settings):
    from django_otp.oath import totp
    from playwright.sync_api import expect

    settings.REQUIRE_TWO_FACTOR = True
    staff = CommissionerStaffFactory()

    log_in(staff)
    page.goto("/admin/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    # What a person types into their app: the setup key shown under the QR code.
    shown_key = page.locator("main code").first.inner_text()
    key = base64.b32decode(shown_key.replace(" ", ""))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Register and reference data")).to_be_visible()


def test_every_link_on_a_superusers_home_page_opens(page, log_in):
    from playwright.sync_api import expect

    log_in(UserFactory(is_staff=True, is_superuser=True, role=""))
    links = page.get_by_role("main").get_by_role("link")
    labels = [links.nth(index).inner_text() for index in range(links.count())]
    assert "Social prescribing overview" in labels

    for label in labels:
        page.goto("/")
        page.get_by_role("main").get_by_role("link", name=label, exact=True).first.click()
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).not_to_have_text(
            re.compile("not allowed|Page not found|cannot", re.IGNORECASE)
        )
