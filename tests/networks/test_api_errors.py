"""Bad requests to the register get a clear 4xx naming what is wrong, never a server error."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from networks.models import PCN, Practice
from tests.networks.factories import (
    CommissionerFactory,
    MembershipFactory,
    PCNFactory,
    PracticeFactory,
)
from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours():
    return CommissionerFactory(code="00L")


@pytest.fixture
def staff(ours):
    return CommissionerStaffFactory(commissioner=ours)


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# A JSON array where an object belongs ---------------------------------------------------------


@pytest.mark.parametrize("body", [[], [{}], [{"code": "A12345"}]], ids=["empty", "one", "code"])
@pytest.mark.parametrize("url", ["/api/v1/practices/", "/api/v1/pcns/"])
def test_a_json_array_posted_to_the_register_is_a_400_saying_so(staff, url, body):
    response = client_for(staff).post(url, body, format="json")
    assert response.status_code == 400
    assert "Expected a dictionary" in str(response.json()["non_field_errors"])


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_json_array_sent_to_change_a_practice_or_pcn_is_a_400(staff, ours, method):
    PracticeFactory(code="A12345", commissioner=ours)
    PCNFactory(code="U12345", commissioner=ours)
    client = client_for(staff)
    for url in ("/api/v1/practices/A12345/", "/api/v1/pcns/U12345/"):
        response = getattr(client, method)(url, [{}], format="json")
        assert response.status_code == 400, url
        assert "non_field_errors" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rates/",
        "/api/v1/posts/",
        "/api/v1/claims/",
        "/api/v1/organisations/",
        "/api/v1/services/",
    ],
)
def test_every_other_writable_endpoint_refuses_a_json_array_with_a_400(superuser, url):
    response = client_for(superuser).post(url, [{}], format="json")
    assert response.status_code == 400


# Deleting from the register -------------------------------------------------------------------


def test_commissioner_staff_cannot_delete_an_unused_practice_as_in_the_admin(staff, ours):
    PracticeFactory(code="A12345", commissioner=ours)
    response = client_for(staff).delete("/api/v1/practices/A12345/")
    assert response.status_code == 403
    assert "Only a superuser can delete" in response.json()["detail"]
    assert Practice.objects.filter(code="A12345").exists()


def test_a_superuser_deletes_an_unused_practice(superuser, ours):
    PracticeFactory(code="A12345", commissioner=ours)
    assert client_for(superuser).delete("/api/v1/practices/A12345/").status_code == 204
    assert not Practice.objects.filter(code="A12345").exists()


def test_deleting_a_practice_others_refer_to_is_a_409_saying_what_refers_to_it(superuser, ours):
    membership = MembershipFactory(
        pcn=PCNFactory(code="U12345", commissioner=ours),
        practice=PracticeFactory(code="A12345", commissioner=ours),
    )
    response = client_for(superuser).delete("/api/v1/practices/A12345/")
    assert response.status_code == 409
    assert "1 membership" in response.json()["detail"]
    assert Practice.objects.filter(pk=membership.practice_id).exists()


def test_deleting_a_pcn_with_members_is_a_409_and_keeps_it(superuser, ours):
    pcn = PCNFactory(code="U12345", commissioner=ours)
    MembershipFactory(pcn=pcn)
    MembershipFactory(pcn=pcn)
    response = client_for(superuser).delete("/api/v1/pcns/U12345/")
    assert response.status_code == 409
    assert "2 memberships" in response.json()["detail"]
    assert PCN.objects.filter(pk=pcn.pk).exists()


# A PCN that closes before it opens ------------------------------------------------------------


def test_creating_a_pcn_that_closes_before_it_opens_is_a_400_on_close_date(staff):
    response = client_for(staff).post(
        "/api/v1/pcns/",
        {
            "code": "U12345",
            "name": "Backwards PCN",
            "commissioner": "00L",
            "open_date": "2020-07-01",
            "close_date": "2020-06-30",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "cannot close before it opens" in response.json()["close_date"][0]
    assert not PCN.objects.filter(code="U12345").exists()


def test_closing_a_pcn_before_its_stored_open_date_is_a_400_on_close_date(staff, ours):
    pcn = PCNFactory(code="U12345", commissioner=ours, open_date=dt.date(2020, 7, 1))
    response = client_for(staff).patch(
        "/api/v1/pcns/U12345/", {"close_date": "2019-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "close_date" in response.json()
    pcn.refresh_from_db()
    assert pcn.close_date is None


def test_the_admin_refuses_a_pcn_closing_before_it_opens_on_the_close_date(client, staff, ours):
    pcn = PCNFactory(code="U12345", commissioner=ours, open_date=dt.date(2020, 7, 1))
    client.force_login(staff)
    form = {
        "code": "U12345",
        "name": pcn.name,
        "commissioner": ours.pk,
        "open_date": "01/07/2020",
        "close_date": "30/06/2020",
        "address": "",
        "postcode": "",
        "population_waiver_date": "",
        "population_waiver_reason": "",
    }
    for prefix in ("agreement", "payees", "clinical_directors", "memberships"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(f"/admin/networks/pcn/{pcn.pk}/change/", form)
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert "cannot close before it opens" in errors["close_date"][0]
    pcn.refresh_from_db()
    assert pcn.close_date is None


# The admin's export -----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["listsize", "practice", "pcn"])
def test_the_admin_export_ignores_an_empty_commissioner_filter(client, staff, ours, model):
    MembershipFactory(pcn=PCNFactory(commissioner=ours))
    client.force_login(staff)
    response = client.post(
        f"/admin/networks/{model}/export/?commissioner__id__exact=",
        {"format": "0", "resource": "0"},
    )
    assert response.status_code == 200


# Characters no code has ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/practices/A%0012345/",
        "/api/v1/pcns/U%0012345/",
        "/api/v1/commissioners/00%00L/",
        "/api/v1/roles/link%00worker/",
        "/api/v1/batches/00L-2025%00-06/",
        "/api/v1/pcns/U%0012345/entitlement/?year=2025",
    ],
)
def test_a_nul_in_a_code_is_a_404_not_a_database_error(superuser, url):
    # SQLite looks a NUL up happily; PostgreSQL refuses the query, which was a server error.
    assert client_for(superuser).get(url).status_code == 404


@pytest.mark.parametrize("year", ["0", "-1", "99999", "1e3", "2025.5", "", "%00"])
def test_an_impossible_entitlement_year_is_a_400_naming_the_year(superuser, ours, year):
    PCNFactory(code="U12345", commissioner=ours)
    response = client_for(superuser).get(f"/api/v1/pcns/U12345/entitlement/?year={year}")
    assert response.status_code == 400
    assert "year" in response.json()
