"""API: referrals for the PCN's link workers and (without who was referred) its clinical
director only; the directory readable by everyone signed in and written by commissioner staff
or the organisation itself."""

import pytest

from referrals.models import AuditEvent, Organisation, Service
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)
from tests.referrals.factories import AssignedReferralFactory, OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    return AssignedReferralFactory(given_name="Dorothy")


def test_link_workers_list_their_pcns_referrals_and_each_is_audited(client, referral):
    AssignedReferralFactory(given_name="Elsewhere")
    client.force_login(referral.link_worker)
    body = client.get("/api/v1/referrals/").json()
    assert [row["given_name"] for row in body["results"]] == ["Dorothy"]
    assert body["results"][0]["nhs_number"] == referral.nhs_number
    assert AuditEvent.objects.filter(
        action="list", record_id=str(referral.pk), user=referral.link_worker
    ).exists()


IDENTIFYING = {"given_name", "family_name", "nhs_number", "date_of_birth", "phone", "email"}


def test_the_clinical_director_reads_a_referral_without_who_it_is_and_is_audited(client, referral):
    director = ClinicalDirectorUserFactory(pcn=referral.pcn)
    client.force_login(director)
    response = client.get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == referral.pk and body["status"] == "received"
    assert not IDENTIFYING & set(body) and "referrer_name" not in body
    assert referral.nhs_number not in response.content.decode()
    assert AuditEvent.objects.filter(action="view", record_id=str(referral.pk), user=director)


def test_the_clinical_directors_list_has_the_pcns_referrals_without_identities(client, referral):
    AssignedReferralFactory(given_name="Elsewhere")
    client.force_login(ClinicalDirectorUserFactory(pcn=referral.pcn))
    response = client.get("/api/v1/referrals/")
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [referral.pk]
    assert not IDENTIFYING & set(rows[0])
    assert "Dorothy" not in response.content.decode()


def test_another_pcns_link_worker_gets_not_found(client, referral):
    client.force_login(LinkWorkerUserFactory())
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


@pytest.mark.parametrize(
    "factory",
    [CommissionerStaffFactory, PracticeManagerFactory, CommunityOrganisationUserFactory],
)
def test_roles_without_sight_of_identities_are_refused(client, referral, factory):
    client.force_login(factory())
    assert client.get("/api/v1/referrals/").status_code == 403
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 403


def test_the_referrals_api_is_read_only(client, referral):
    client.force_login(referral.link_worker)
    assert client.post("/api/v1/referrals/", {}).status_code == 405


@pytest.mark.parametrize("size", [2, 20])
def test_the_referral_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    worker = LinkWorkerUserFactory()
    AssignedReferralFactory.create_batch(size, pcn=worker.pcn, link_worker=worker)
    client.force_login(worker)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/referrals/").status_code == 200


def test_anyone_signed_in_reads_the_directory(client):
    ServiceFactory(name="Blyth Men's Shed")
    client.force_login(PracticeManagerFactory())
    assert client.get("/api/v1/services/").json()["results"][0]["name"] == "Blyth Men's Shed"
    assert client.get("/api/v1/organisations/").status_code == 200


def test_signed_out_visitors_cannot_read_the_directory_api(client):
    assert client.get("/api/v1/services/").status_code == 403


def test_commissioner_staff_add_an_organisation(client):
    client.force_login(CommissionerStaffFactory())
    response = client.post(
        "/api/v1/organisations/",
        {"name": "Alnwick Food Bank", "kind": "charity"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Organisation.objects.filter(name="Alnwick Food Bank").exists()


def test_organisation_staff_edit_their_own_services_only(client):
    ours = ServiceFactory(capacity="open")
    theirs = ServiceFactory()
    client.force_login(CommunityOrganisationUserFactory(organisation=ours.organisation))
    response = client.patch(
        f"/api/v1/services/{ours.pk}/",
        {"capacity": "waiting_list"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Service.objects.get(pk=ours.pk).capacity == "waiting_list"
    response = client.patch(
        f"/api/v1/services/{theirs.pk}/",
        {"capacity": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Service.objects.get(pk=theirs.pk).capacity == "open"


def test_organisation_staff_cannot_add_services_for_another_organisation(client):
    staff = CommunityOrganisationUserFactory()
    other = OrganisationFactory()
    client.force_login(staff)
    response = client.post(
        "/api/v1/services/",
        {"organisation": other.pk, "name": "Fake", "description": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Service.objects.exists()


def test_organisation_staff_cannot_add_organisations(client):
    client.force_login(CommunityOrganisationUserFactory())
    response = client.post(
        "/api/v1/organisations/",
        {"name": "New", "kind": "charity"},
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize("factory", [LinkWorkerUserFactory, PracticeManagerFactory])
def test_pcn_and_practice_staff_cannot_change_the_directory(client, factory):
    service = ServiceFactory()
    client.force_login(factory())
    response = client.patch(
        f"/api/v1/services/{service.pk}/", {"name": "Renamed"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_an_impossible_age_range_is_refused_by_the_api_with_the_reason(client):
    service = ServiceFactory(minimum_age=18)
    client.force_login(CommissionerStaffFactory())
    response = client.patch(
        f"/api/v1/services/{service.pk}/", {"maximum_age": 10}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "maximum age" in str(response.json())


@pytest.mark.parametrize("size", [2, 20])
def test_the_service_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    ServiceFactory.create_batch(size)
    client.force_login(PracticeManagerFactory())
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/services/").status_code == 200
