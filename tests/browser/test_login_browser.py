"""Signing in through the real form in a real browser."""

import re

import pytest

from tests.networks.factories import PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory

pytestmark = pytest.mark.browser


def test_a_clinical_director_signs_in_and_sees_their_own_pcn_only(page, log_in):
    from playwright.sync_api import expect

    director = ClinicalDirectorUserFactory(
        first_name="Asha", last_name="Rahman", pcn=PCNFactory(name="Coquet Valley PCN")
    )
    other = PCNFactory(name="Blyth Harbour PCN")

    log_in(director)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Asha Rahman")
    pcns = page.get_by_role("main")
    expect(pcns).to_contain_text(f"{director.pcn.code} Coquet Valley PCN")
    expect(pcns).not_to_contain_text(other.code)


def test_a_wrong_password_shows_the_error_and_keeps_the_username(page, log_in):
    from playwright.sync_api import expect

    director = ClinicalDirectorUserFactory()

    log_in(director, "not-the-password", succeed=False)

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("Your username and password did not match")
    expect(page.get_by_label("Username")).to_have_value(director.username)
    expect(page.get_by_label("Password")).to_have_value("")
