"""Decision 0010: the PCN's link workers see who was referred; its clinical director sees the
same referrals without identities; and the pages and /api/v1/referrals/ give the same answer."""

import pytest
from django.urls import reverse

from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.referrals.factories import AssignedReferralFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    return AssignedReferralFactory(
        given_name="Dorothy",
        family_name="Charlton",
        email="dorothy@example.com",
        referrer_name="Dr Q Fairbairn",
    )


def identities(referral) -> dict[str, str]:
    return {
        "given name": referral.given_name,
        "family name": referral.family_name,
        "NHS number": referral.nhs_number,
        "date of birth": referral.date_of_birth.isoformat(),
        "phone": referral.phone,
        "email": referral.email,
        "referrer": referral.referrer_name,
    }


def shown(text: str, referral) -> set[str]:
    """Which identities a response shows; the page writes the date of birth in words and the
    NHS number in groups of three, three and four."""
    spaced = f"{referral.nhs_number[:3]} {referral.nhs_number[3:6]} {referral.nhs_number[6:]}"
    forms = {
        **identities(referral),
        "date of birth (page)": "17 May 1950",
        "NHS number (page)": spaced,
    }
    return {what.split(" (")[0] for what, value in forms.items() if value in text}


ROUTES = {
    "referral page": lambda r: reverse("referrals:detail", args=[r.pk]),
    "API, one referral": lambda r: f"/api/v1/referrals/{r.pk}/",
    "API, the list": lambda r: "/api/v1/referrals/",
    "new-referrals page": lambda r: reverse("referrals:queue"),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_clinical_director_sees_no_identity_by_any_route(client, referral, route):
    referral.link_worker = None  # waiting, so the new-referrals page lists it too
    referral.save()
    client.force_login(ClinicalDirectorUserFactory(pcn=referral.pcn))
    response = client.get(ROUTES[route](referral), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert str(referral.pk) in text  # the referral is there, by its number
    assert shown(text, referral) == set()


@pytest.mark.parametrize("route", ["referral page", "API, one referral", "API, the list"])
def test_the_link_worker_sees_who_by_every_route(client, referral, route):
    client.force_login(referral.link_worker)
    text = client.get(ROUTES[route](referral)).content.decode()
    assert {"given name", "family name", "NHS number", "phone"} <= shown(text, referral)


def test_page_and_api_agree_for_the_clinical_director(client, referral):
    """The same referral, the same facts, the same silence about who it is."""
    client.force_login(ClinicalDirectorUserFactory(pcn=referral.pcn))
    page = client.get(ROUTES["referral page"](referral)).content.decode()
    body = client.get(ROUTES["API, one referral"](referral)).json()
    assert body["status"] == referral.status and "Received" in page
    assert body["practice"] == referral.practice.code and referral.practice.name in page
    assert shown(page, referral) == shown(str(body), referral) == set()


def test_the_message_to_the_gp_names_the_person_so_is_for_link_workers_only(client, referral):
    ended = ReferralFactory(pcn=referral.pcn, status="declined", link_worker=referral.link_worker)
    client.force_login(ClinicalDirectorUserFactory(pcn=referral.pcn))
    assert client.get(reverse("referrals:gp_message", args=[ended.pk])).status_code == 403
    client.force_login(referral.link_worker)
    assert client.get(reverse("referrals:gp_message", args=[ended.pk])).status_code == 200
