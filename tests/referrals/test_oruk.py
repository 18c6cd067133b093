"""The Open Referral UK feed: open, paginated the ORUK way, nested, and free of personal data."""

import datetime as dt

import pytest

from referrals.models import Service
from tests.referrals.factories import (
    AssignedReferralFactory,
    OnwardReferralFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db

ENVELOPE = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


@pytest.fixture
def walking_group():
    term = TaxonomyTermFactory(name="Physical activity", code="physical-activity")
    service = ServiceFactory(
        name="Bedlington Health Walks",
        organisation__name="Wansbeck Walkers",
        minimum_age=16,
        maximum_age=None,
        conditions="People with long-term conditions welcome.",
        must_be_accompanied_by_carer=True,
        areas_served="Bedlington, Choppington",
        surgery_attendance="Bedlington Medical Group, Tuesdays 10am-12pm",
        venue_name="Bedlington Community Centre",
        address="Front Street West\nBedlington",
        postcode="NE22 5UB",
        email="",
        last_reviewed=dt.date(2026, 6, 1),
    )
    service.taxonomy_terms.add(term)
    return service


def test_the_feed_needs_no_sign_in_and_is_open_to_any_origin(client, walking_group):
    response = client.get("/openreferral/services", HTTP_ORIGIN="https://directory.example.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_services_come_in_the_oruk_pagination_envelope(client):
    ServiceFactory.create_batch(3)
    body = client.get("/openreferral/services", {"per_page": 2}).json()
    assert set(body) == ENVELOPE
    assert (body["total_items"], body["total_pages"], body["page_number"], body["size"]) == (
        3,
        2,
        1,
        2,
    )
    assert (body["first_page"], body["last_page"], body["empty"]) == (True, False, False)
    assert len(body["contents"]) == 2
    last = client.get("/openreferral/services", {"per_page": 2, "page": 2}).json()
    assert (last["first_page"], last["last_page"], len(last["contents"])) == (False, True, 1)
    beyond = client.get("/openreferral/services", {"per_page": 2, "page": 9}).json()
    assert beyond["empty"] is True and beyond["contents"] == []


def test_a_bad_page_number_is_a_clear_400(client):
    response = client.get("/openreferral/services", {"page": "zero"})
    assert response.status_code == 400
    assert "whole numbers" in response.json()["error"]


def test_one_service_comes_fully_nested(client, walking_group):
    body = client.get(f"/openreferral/services/{walking_group.pk}").json()
    assert body["name"] == "Bedlington Health Walks"
    assert body["organization"]["name"] == "Wansbeck Walkers"
    assert body["minimum_age"] == 16
    assert "Must be accompanied by a carer." in body["eligibility_description"]
    assert [a["name"] for a in body["service_areas"]] == ["Bedlington", "Choppington"]
    assert body["schedules"][0]["description"].startswith("Bedlington Medical Group")
    location = body["service_at_locations"][0]["location"]
    assert location["name"] == "Bedlington Community Centre"
    assert location["addresses"][0]["postal_code"] == "NE22 5UB"
    assert body["attributes"][0]["taxonomy_term"]["name"] == "Physical activity"
    assert body["assured_date"] == "2026-06-01"


def test_empty_optional_fields_are_left_out_not_sent_as_null(client, walking_group):
    body = client.get(f"/openreferral/services/{walking_group.pk}").json()
    assert "maximum_age" not in body and "email" not in body and "url" not in body

    def no_empties(value):
        if isinstance(value, dict):
            return all(v not in (None, "", [], {}) and no_empties(v) for v in value.values())
        if isinstance(value, list):
            return all(no_empties(v) for v in value)
        return True

    assert no_empties(body)


def test_a_closed_service_shows_as_temporarily_closed_and_a_retired_one_not_at_all(client):
    closed = ServiceFactory(capacity=Service.Capacity.CLOSED)
    retired = ServiceFactory(is_active=False)
    assert client.get(f"/openreferral/services/{closed.pk}").json()["status"] == (
        "temporarily closed"
    )
    assert client.get(f"/openreferral/services/{retired.pk}").status_code == 404
    assert client.get("/openreferral/services/not-a-number").status_code == 404


def test_the_feed_carries_no_personal_data(client, walking_group):
    onward = OnwardReferralFactory(
        service=walking_group, referral__given_name="Winifred", referral__family_name="Hall"
    )
    AssignedReferralFactory()
    pages = [
        client.get(url).content.decode()
        for url in (
            "/openreferral/services",
            f"/openreferral/services/{walking_group.pk}",
            "/openreferral/service_at_locations",
            "/openreferral/taxonomies",
            "/openreferral/taxonomy_terms",
        )
    ]
    for page in pages:
        for identifier in ("Winifred", "Hall", onward.referral.nhs_number, "1950-05-17"):
            assert identifier not in page


def test_taxonomies_terms_and_locations_are_listed(client, walking_group):
    ServiceFactory(address="", postcode="")  # no location to list
    taxonomies = client.get("/openreferral/taxonomies").json()
    assert taxonomies["contents"][0]["name"] == "Social prescribing activities"
    terms = client.get("/openreferral/taxonomy_terms").json()
    assert terms["contents"][0] == {
        "id": str(walking_group.taxonomy_terms.get().pk),
        "code": "physical-activity",
        "name": "Physical activity",
        "taxonomy_id": taxonomies["contents"][0]["id"],
        "taxonomy": "Social prescribing activities",
    }
    locations = client.get("/openreferral/service_at_locations").json()
    assert locations["total_items"] == 1
    assert locations["contents"][0]["service_id"] == str(walking_group.pk)


def test_the_feed_is_read_only(client, walking_group):
    assert client.post("/openreferral/services", {}).status_code == 405


@pytest.mark.parametrize("size", [2, 20])
def test_the_service_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    for service in ServiceFactory.create_batch(size):
        service.taxonomy_terms.add(TaxonomyTermFactory())
    with django_assert_max_num_queries(3):
        assert client.get("/openreferral/services").status_code == 200
