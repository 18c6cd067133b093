"""The home page sends each role to its own work."""

import io
import re
from html import unescape
from urllib.parse import urljoin

import pytest
from django.core.management import call_command
from django.urls import reverse

from pcn_admin.models import User
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)

pytestmark = pytest.mark.django_db


def test_link_worker_is_offered_their_caseload_not_claims(client):
    client.force_login(LinkWorkerUserFactory())
    page = client.get("/").content.decode()
    assert "/referrals/" in page and "Social prescribing caseload" in page
    assert "Monthly ARRS claims" not in page


def test_practice_manager_is_offered_claims_and_posts(client):
    client.force_login(PracticeManagerFactory())
    page = client.get("/").content.decode()
    assert "Monthly ARRS claims" in page and "ARRS staff in post" in page
    assert "/admin/" not in page


def test_commissioner_staff_get_the_admin(client):
    client.force_login(CommissionerStaffFactory())
    assert "/admin/" in client.get("/").content.decode()


def test_organisation_staff_get_their_inbox(client):
    client.force_login(CommunityOrganisationUserFactory())
    assert "Referrals to your organisation" in client.get("/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in_which_offers_self_referral(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "self-referral" in client.get(response["Location"]).content.decode()


def test_the_home_page_leads_each_role_to_its_dashboard(client):
    director = ClinicalDirectorUserFactory()
    client.force_login(director)
    page = client.get(reverse("home")).content.decode()
    assert reverse("dashboards:pcn_dashboard", args=[director.pcn.code]) in page
    assert reverse("dashboards:commissioner_dashboard") not in page

    client.force_login(CommissionerStaffFactory())
    assert (
        reverse("dashboards:commissioner_dashboard") in client.get(reverse("home")).content.decode()
    )

    client.force_login(LinkWorkerUserFactory())
    page = client.get(reverse("home")).content.decode()
    assert "dashboard" not in page


def test_a_refusal_explains_itself_in_the_nhs_layout(client):
    client.force_login(LinkWorkerUserFactory())

    response = client.get(reverse("reimbursement:claim_list"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot see this page" in page
    assert "Only PCN and commissioner staff deal with ARRS claims." in page
    assert reverse("home") in page


def test_a_missing_page_says_so_in_the_nhs_layout(client):
    client.force_login(ClinicalDirectorUserFactory())

    response = client.get("/networks/pcns/NOPE/dashboard/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# Issue 14, item 6: the home page (and the navigation of the pages it leads to) offers only
# pages the user may open; the superuser's home once offered three referral pages that refused.

DEMO_USERNAMES = [
    "admin",
    "demo-commissioner",
    "demo-director",
    "demo-practice",
    "demo-linkworker",
    "demo-charity",
]


def _links(html: str, *, within: str = "") -> list[str]:
    """The site's own links in the page, or only in its <header> and <nav> elements."""
    if within == "navigation":
        html = " ".join(re.findall(r"<(?:header|nav)\b.*?</(?:header|nav)>", html, flags=re.S))
    return [
        unescape(href)
        for href in re.findall(r'<a\b[^>]*\bhref="([^"#]+)"', html)
        if not href.startswith(("http:", "https:", "mailto:", "/static/"))
    ]


def test_every_link_on_each_demo_users_home_page_and_its_navigation_opens(client):
    call_command("seed_demo", stdout=io.StringIO())
    refused = {}
    for username in DEMO_USERNAMES:
        client.force_login(User.objects.get(username=username))
        home = client.get(reverse("home")).content.decode()
        offered = _links(home)
        assert len(offered) > 1, f"{username} is offered nothing"
        for url in offered:
            response = client.get(url)
            if response.status_code != 200:
                refused[(username, url)] = response.status_code
            elif response["Content-Type"].startswith("text/html"):
                page = response.content.decode()
                for nav_url in _links(page, within="navigation"):
                    answer = client.get(urljoin(url, nav_url)).status_code
                    if answer not in (200, 302):
                        refused[(username, urljoin(url, nav_url))] = answer
    assert refused == {}
