"""The register's API: each role reads only its own organisations; only commissioner staff write."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.networks.factories import (
    ClinicalDirectorFactory,
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    ours, theirs = CommissionerFactory(code="00L"), CommissionerFactory(code="99Z")
    our_pcn = PCNFactory(code="U11111", commissioner=ours, name="Blyth PCN")
    their_pcn = PCNFactory(code="U22222", commissioner=theirs)
    member = MembershipFactory(pcn=our_pcn)
    MembershipFactory(pcn=their_pcn)
    ListSizeFactory(practice=member.practice, registered_patients=31_234, date=dt.date(2021, 1, 1))
    ClinicalDirectorFactory(pcn=our_pcn, name="Dr Aisha Kerr")
    return {
        "ours": ours,
        "theirs": theirs,
        "our_pcn": our_pcn,
        "their_pcn": their_pcn,
        "practice": member.practice,
    }


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def test_pcn_shows_its_members_populations_and_clinical_director(area):
    response = client_for(CommissionerStaffFactory(commissioner=area["ours"])).get(
        "/api/v1/pcns/U11111/"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["commissioner"] == "00L"
    assert body["practices"] == [area["practice"].code]
    assert body["registered_population"] == 31_234
    assert body["clinical_director"] == "Dr Aisha Kerr"
    assert body["close_date"] is None


@pytest.mark.parametrize(
    "make_user",
    [
        lambda a: CommissionerStaffFactory(commissioner=a["ours"]),
        lambda a: ClinicalDirectorUserFactory(pcn=a["our_pcn"]),
        lambda a: LinkWorkerUserFactory(pcn=a["our_pcn"]),
        lambda a: PracticeManagerFactory(practice=a["practice"]),
    ],
    ids=["commissioner-staff", "clinical-director", "link-worker", "practice-manager"],
)
def test_each_role_reads_only_its_own_pcns(area, make_user):
    client = client_for(make_user(area))
    assert codes(client.get("/api/v1/pcns/")) == ["U11111"]
    assert client.get("/api/v1/pcns/U22222/").status_code == 404
    assert codes(client.get("/api/v1/practices/")) == [area["practice"].code]


def test_community_organisation_staff_see_no_register(area):
    client = client_for(CommunityOrganisationUserFactory())
    assert codes(client.get("/api/v1/pcns/")) == []
    assert codes(client.get("/api/v1/practices/")) == []


def test_anonymous_requests_are_refused(area):
    assert APIClient().get("/api/v1/pcns/").status_code in (401, 403)


def test_filters_by_commissioner_status_and_code():
    commissioner = CommissionerFactory(code="00L")
    PCNFactory(code="U00001", commissioner=commissioner)
    PCNFactory(code="U00002", commissioner=commissioner, close_date=dt.date(2023, 3, 31))
    PCNFactory(code="U00003")
    client = client_for(CommissionerStaffFactory(commissioner=commissioner, is_superuser=True))
    assert codes(client.get("/api/v1/pcns/?status=open&commissioner=00l")) == ["U00001"]
    assert codes(client.get("/api/v1/pcns/?status=closed")) == ["U00002"]
    assert codes(client.get("/api/v1/pcns/?code=u00003")) == ["U00003"]


def test_commissioner_staff_create_a_pcn_in_their_own_area(area):
    client = client_for(CommissionerStaffFactory(commissioner=area["ours"]))
    response = client.post(
        "/api/v1/pcns/",
        {
            "code": "u33333",
            "name": "Cramlington PCN",
            "commissioner": "00l",
            "open_date": "2024-04-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "U33333"


def test_commissioner_staff_cannot_create_or_change_in_another_area(area):
    client = client_for(CommissionerStaffFactory(commissioner=area["ours"]))
    response = client.post(
        "/api/v1/pcns/",
        {
            "code": "U44444",
            "name": "Elsewhere PCN",
            "commissioner": "99Z",
            "open_date": "2024-04-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert client.patch("/api/v1/pcns/U22222/", {"name": "X"}, format="json").status_code == 404


@pytest.mark.parametrize(
    "make_user",
    [
        lambda a: ClinicalDirectorUserFactory(pcn=a["our_pcn"]),
        lambda a: PracticeManagerFactory(practice=a["practice"]),
    ],
    ids=["clinical-director", "practice-manager"],
)
def test_other_roles_cannot_write_the_register(area, make_user):
    client = client_for(make_user(area))
    response = client.patch("/api/v1/pcns/U11111/", {"name": "Renamed"}, format="json")
    assert response.status_code == 403
    area["our_pcn"].refresh_from_db()
    assert area["our_pcn"].name == "Blyth PCN"


def test_a_bad_code_is_refused_with_a_clear_message(area):
    client = client_for(CommissionerStaffFactory(commissioner=area["ours"]))
    response = client.post(
        "/api/v1/pcns/",
        {"code": "X1", "name": "Bad", "commissioner": "00L", "open_date": "2024-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "U and five digits" in response.json()["code"][0]


@pytest.mark.parametrize("size", [3, 30])
def test_pcn_list_runs_a_fixed_number_of_queries(django_assert_max_num_queries, size):
    commissioner = CommissionerFactory(code="00L")
    for _ in range(size):
        pcn = PCNFactory(commissioner=commissioner)
        for _ in range(3):
            member = MembershipFactory(pcn=pcn)
            ListSizeFactory(practice=member.practice)
        ClinicalDirectorFactory(pcn=pcn)
    client = client_for(CommissionerStaffFactory(commissioner=commissioner))
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/pcns/")
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [3, 30])
def test_practice_list_runs_a_fixed_number_of_queries(django_assert_max_num_queries, size):
    commissioner = CommissionerFactory(code="00L")
    pcn = PCNFactory(commissioner=commissioner)
    for _ in range(size):
        MembershipFactory(pcn=pcn)
    client = client_for(CommissionerStaffFactory(commissioner=commissioner))
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/practices/")
    assert response.json()["count"] == size
    assert {row["pcn"] for row in response.json()["results"]} == {pcn.code}
