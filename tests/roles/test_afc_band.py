"""A post is on one Agenda for Change band that exists: 1 to 7, 8a to 8d, or 9 (or none, for a
GP). Anything else is refused, on the page and through the API, with the list of bands."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from roles.models import Post, Role
from tests.networks.factories import MembershipFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory

pytestmark = pytest.mark.django_db

BANDS_LISTED = "1, 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d or 9"


@pytest.fixture
def area():
    pcn = PCNFactory()
    return pcn, MembershipFactory(pcn=pcn).practice


def _post_form(client, pcn, practice, band):
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
    data = {
        "pcn": pcn.pk,
        "role": Role.objects.get(code="social_prescribing_link_worker").pk,
        "person_name": "New Worker",
        "employing_practice": practice.pk,
        "subcontractor_name": "",
        "afc_band": band,
        "start_date": "2025-05-01",
        "region": "national",
        "hours": "30",
    }
    return client.post(reverse("roles:post_create"), data)


@pytest.mark.parametrize("band", ["10", "8e", "0", "five", "5b"])
def test_a_band_that_does_not_exist_is_refused_with_the_bands_that_do(client, area, band):
    response = _post_form(client, *area, band)
    assert response.status_code == 200
    message = response.context["form"].errors["afc_band"][0]
    assert message == (
        f"“{band}” is not an Agenda for Change band. Enter one of {BANDS_LISTED}, or leave it "
        "empty for a post not on Agenda for Change (GPs)."
    )
    assert not Post.objects.filter(person_name="New Worker").exists()


@pytest.mark.parametrize("band", ["7-8a", "5/6", "6 to 7"])
def test_a_range_of_bands_is_refused_a_post_is_on_one(client, area, band):
    response = _post_form(client, *area, band)
    message = response.context["form"].errors["afc_band"][0]
    assert message.startswith("Enter the one band this post is on, not a range")
    assert BANDS_LISTED in message
    assert not Post.objects.filter(person_name="New Worker").exists()


@pytest.mark.parametrize(
    "typed, stored", [("Band 8A", "8a"), (" 6 ", "6"), ("8c", "8c"), ("9", "9"), ("", "")]
)
def test_a_real_band_is_kept_in_one_spelling(client, area, typed, stored):
    assert _post_form(client, *area, typed).status_code == 302
    assert Post.objects.get(person_name="New Worker").afc_band == stored


def test_the_form_says_which_bands_there_are(client, area):
    pcn, _ = area
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
    page = client.get(reverse("roles:post_create")).content.decode()
    assert f"One band: {BANDS_LISTED}." in page


def test_the_api_refuses_a_band_that_does_not_exist(area):
    pcn, practice = area
    api = APIClient()
    api.force_authenticate(ClinicalDirectorUserFactory(pcn=pcn))
    payload = {
        "pcn": pcn.code,
        "role": "social_prescribing_link_worker",
        "person_name": "Api Worker",
        "employing_practice": practice.code,
        "start_date": "2025-04-01",
        "hours": "37.5",
        "afc_band": "7-8a",
    }
    response = api.post("/api/v1/posts/", payload, format="json")
    assert response.status_code == 400
    assert "not a range" in response.json()["afc_band"][0]
    assert api.post("/api/v1/posts/", {**payload, "afc_band": "7"}, format="json").status_code == (
        201
    )
