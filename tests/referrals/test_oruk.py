"""The Open Referral UK feed: open, paginated the ORUK way, nested, free of personal data, and
passing the ORUK validator's checks (HSDS 3.0, UK profile) for every endpoint it serves.

The validator's checks, one test each below: the API's root ("API meta info"); for services,
taxonomies, taxonomy terms and services at locations, the list (its page envelope, each item
against the profile's schema, and paging through it) and each listed id opened on its own.
The schemas here are written from the UK profile's required fields and formats
(github.com/OpenReferralUK/uk-profile, schema/): ids are UUIDs, and what the profile requires
is always present.
"""

import datetime as dt
import uuid
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from referrals.models import Service, Taxonomy, TaxonomyTerm
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


def service_url(service) -> str:
    return f"/openreferral/services/{service.uuid}"


def test_the_feed_needs_no_sign_in_and_is_open_to_any_origin(client, walking_group):
    for url in ("/openreferral/", "/openreferral/services", service_url(walking_group)):
        response = client.get(url, HTTP_ORIGIN="https://directory.example.org")
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
    body = client.get(service_url(walking_group)).json()
    assert body["id"] == str(walking_group.uuid)
    assert body["name"] == "Bedlington Health Walks"
    assert body["organization"]["name"] == "Wansbeck Walkers"
    assert body["organization"]["id"] == str(walking_group.organisation.uuid)
    assert body["minimum_age"] == 16
    assert "Must be accompanied by a carer." in body["eligibility_description"]
    assert [a["name"] for a in body["service_areas"]] == ["Bedlington", "Choppington"]
    assert body["schedules"][0]["description"].startswith("Bedlington Medical Group")
    location = body["service_at_locations"][0]["location"]
    assert location["name"] == "Bedlington Community Centre"
    address = location["addresses"][0]
    assert (address["address_1"], address["city"], address["postal_code"]) == (
        "Front Street West",
        "Bedlington",
        "NE22 5UB",
    )
    assert body["attributes"][0]["taxonomy_term"]["name"] == "Physical activity"
    assert body["assured_date"] == "2026-06-01"


def test_empty_optional_fields_are_left_out_not_sent_as_null(client, walking_group):
    body = client.get(service_url(walking_group)).json()
    assert "maximum_age" not in body and "email" not in body

    def no_nulls(value):
        if isinstance(value, dict):
            return all(v is not None and v != [] and no_nulls(v) for v in value.values())
        if isinstance(value, list):
            return all(no_nulls(v) for v in value)
        return True

    assert no_nulls(body)


def test_a_closed_service_shows_as_temporarily_closed_and_a_retired_one_not_at_all(client):
    closed = ServiceFactory(capacity=Service.Capacity.CLOSED)
    retired = ServiceFactory(is_active=False)
    assert client.get(service_url(closed)).json()["status"] == "temporarily closed"
    assert client.get(service_url(retired)).status_code == 404
    assert client.get("/openreferral/services/not-a-uuid").status_code == 404
    assert client.get(f"/openreferral/services/{uuid.uuid4()}").status_code == 404


def test_a_link_by_the_old_integer_id_is_sent_on_to_the_uuid(client, walking_group):
    response = client.get(f"/openreferral/services/{walking_group.pk}")
    assert response.status_code == 301
    assert response["Location"] == service_url(walking_group)


def test_the_feed_carries_no_personal_data(client, walking_group):
    onward = OnwardReferralFactory(
        service=walking_group, referral__given_name="Winifred", referral__family_name="Hall"
    )
    AssignedReferralFactory()
    located = client.get("/openreferral/service_at_locations").json()["contents"][0]["id"]
    term = walking_group.taxonomy_terms.get()
    pages = [
        client.get(url).content.decode()
        for url in (
            "/openreferral/",
            "/openreferral/services",
            service_url(walking_group),
            "/openreferral/service_at_locations",
            f"/openreferral/service_at_locations/{located}",
            "/openreferral/taxonomies",
            f"/openreferral/taxonomies/{term.taxonomy.uuid}",
            "/openreferral/taxonomy_terms",
            f"/openreferral/taxonomy_terms/{term.uuid}",
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
    term = walking_group.taxonomy_terms.get()
    assert terms["contents"][0] == {
        "id": str(term.uuid),
        "code": "physical-activity",
        "name": "Physical activity",
        "term": "Physical activity",
        "description": "",
        "taxonomy_id": taxonomies["contents"][0]["id"],
        "taxonomy": "Social prescribing activities",
    }
    locations = client.get("/openreferral/service_at_locations").json()
    assert locations["total_items"] == 1
    assert locations["contents"][0]["service_id"] == str(walking_group.uuid)


def test_the_feed_is_read_only(client, walking_group):
    assert client.post("/openreferral/services", {}).status_code == 405
    assert client.post("/openreferral/", {}).status_code == 405


@pytest.mark.parametrize("size", [2, 20])
def test_the_service_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    for service in ServiceFactory.create_batch(size):
        service.taxonomy_terms.add(TaxonomyTermFactory())
    with django_assert_max_num_queries(3):
        assert client.get("/openreferral/services").status_code == 200


# Stable UUIDs ----------------------------------------------------------------------------------


def all_ids(value, path="") -> list[tuple[str, str]]:
    """Every (where, id) in a response: the "id" of each object, at any depth."""
    found = []
    if isinstance(value, dict):
        if "id" in value:
            found.append((path or "/", value["id"]))
        for key, item in value.items():
            found += all_ids(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += all_ids(item, f"{path}/{index}")
    return found


def test_every_id_in_a_service_is_a_uuid_and_none_is_reused(client, walking_group):
    body = client.get(service_url(walking_group)).json()
    ids = all_ids(body)
    assert len(ids) >= 10
    for where, value in ids:
        assert str(uuid.UUID(value)) == value, where
    # The taxonomy term appears twice (attribute and its term): the same term, the same id.
    distinct = {value for where, value in ids if not where.endswith("/taxonomy_term")}
    assert len(distinct) == len([w for w, _ in ids if not w.endswith("/taxonomy_term")])


def test_each_service_area_has_its_own_id_not_the_services(client, walking_group):
    areas = client.get(service_url(walking_group)).json()["service_areas"]
    ids = [area["id"] for area in areas]
    assert len(set(ids)) == 2 and str(walking_group.uuid) not in ids
    assert all(area["service_id"] == str(walking_group.uuid) for area in areas)


def test_ids_are_the_same_on_every_request_and_survive_edits(client, walking_group):
    first = client.get(service_url(walking_group)).json()
    walking_group.name = "Bedlington Strollers"
    walking_group.areas_served = "Bedlington, Choppington, Stakeford"
    walking_group.save()
    second = client.get(service_url(walking_group)).json()
    assert second["id"] == first["id"]
    assert second["service_areas"][:2] == first["service_areas"]  # kept areas keep their ids
    assert second["service_at_locations"][0]["id"] == first["service_at_locations"][0]["id"]


def test_every_directory_row_gets_its_own_uuid():
    services = ServiceFactory.create_batch(3)
    assert len({s.uuid for s in services} | {s.organisation.uuid for s in services}) == 6
    assert Taxonomy.objects.exclude(uuid=None).count() == Taxonomy.objects.count()
    assert TaxonomyTermFactory().uuid != TaxonomyTermFactory().uuid


# The ORUK validator's checks ------------------------------------------------------------------
# Written from the UK profile (HSDS 3.0): what each object must carry, and its ids as UUIDs.

UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string"}


def _object(required: dict, optional: dict | None = None) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


ORGANIZATION = _object({"id": UUID, "name": TEXT, "description": TEXT})
SERVICE_STATUS = {"enum": ["active", "inactive", "defunct", "temporarily closed"]}
SERVICE_LISTED = _object(
    {"id": UUID, "name": TEXT, "status": SERVICE_STATUS, "url": {"type": "string"}},
    {
        "organization_id": UUID,
        "organization": ORGANIZATION,
        "minimum_age": {"type": "number"},
        "maximum_age": {"type": "number"},
        "assured_date": {"type": "string", "format": "date"},
        "email": {"type": "string", "format": "email"},
    },
)
TAXONOMY_TERM = _object({"id": UUID, "taxonomy": TEXT}, {"parent_id": UUID, "taxonomy_id": UUID})
TAXONOMY = _object(
    {"id": UUID, "name": TEXT, "description": TEXT},
    {"taxonomy_terms": {"type": "array", "items": TAXONOMY_TERM}},
)
ADDRESS = _object(
    {
        "id": UUID,
        "address_1": TEXT,
        "city": TEXT,
        "state_province": TEXT,
        "postal_code": TEXT,
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "address_type": {"enum": ["physical", "postal", "virtual"]},
    },
    {"location_id": UUID},
)
LOCATION = _object({"id": UUID}, {"addresses": {"type": "array", "items": ADDRESS}})
SERVICE_AT_LOCATION = _object(
    {"id": UUID}, {"service_id": UUID, "location_id": UUID, "location": LOCATION}
)


def _parts(schema: dict) -> dict:
    return {"type": "array", "items": schema}


SERVICE_FULL = {
    **SERVICE_LISTED,
    "properties": {
        **SERVICE_LISTED["properties"],
        "service_areas": _parts(_object({"id": UUID}, {"service_id": UUID})),
        "phones": _parts(_object({"id": UUID, "number": TEXT})),
        "contacts": _parts(_object({"id": UUID}, {"service_id": UUID})),
        "schedules": _parts(_object({"id": UUID}, {"service_id": UUID})),
        "service_at_locations": _parts(SERVICE_AT_LOCATION),
        "attributes": _parts(
            _object(
                {"id": UUID},
                {"link_id": UUID, "taxonomy_term_id": UUID, "taxonomy_term": TAXONOMY_TERM},
            )
        ),
    },
}
SERVICE_AT_LOCATION_FULL = {
    **SERVICE_AT_LOCATION,
    "required": ["id", "service", "location"],
    "properties": {**SERVICE_AT_LOCATION["properties"], "service": SERVICE_FULL},
}
API_DETAILS = _object({"version": TEXT, "profile": TEXT, "openapi_url": TEXT})
PAGE = {
    "type": "object",
    "required": sorted(ENVELOPE),
    "properties": {
        "total_items": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "page_number": {"type": "integer"},
        "size": {"type": "integer"},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array"},
    },
}


def conforms(body, schema) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    ]


def is_absolute_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@pytest.fixture
def directory(walking_group):
    """The walking group, a service with only what is required (no website, no address, an
    organisation without a description), and a waiting-list one: three to page through."""
    bare = ServiceFactory(
        name="Knit and Natter",
        organisation__description="",
        organisation__website="",
        website="",
        phone="",
        areas_served="",
        capacity=Service.Capacity.WAITING_LIST,
    )
    child = TaxonomyTermFactory(name="Walking", parent=walking_group.taxonomy_terms.get())
    bare.taxonomy_terms.add(child)
    ServiceFactory(address="1 Station Road\nAmble", postcode="NE65 0AA")
    return walking_group


def pages_of(client, url: str, per_page: int = 2) -> list[dict]:
    """Every page of a list, as the validator walks it."""
    pages, number = [], 1
    while True:
        body = client.get(url, {"page": number, "per_page": per_page}).json()
        pages.append(body)
        if body["last_page"] or number > 20:
            return pages
        number += 1


def check_list(client, url: str, item_schema: dict) -> list[dict]:
    """The list endpoint checks: the page envelope and each item's schema on every page, and
    paging that visits every item once. Returns every item."""
    pages = pages_of(client, url)
    items = [item for body in pages for item in body["contents"]]
    for number, body in enumerate(pages, start=1):
        assert not conforms(body, PAGE), conforms(body, PAGE)
        assert body["page_number"] == number and body["first_page"] == (number == 1)
        assert body["total_pages"] == len(pages) and body["size"] == 2
        for item in body["contents"]:
            assert not (errors := conforms(item, item_schema)), errors
    assert pages[0]["total_items"] == len(items) > 0
    assert len({item["id"] for item in items}) == len(items)
    return items


def test_oruk_check_api_meta_info(client):
    response = client.get("/openreferral/")
    assert response.status_code == 200
    body = response.json()
    assert not conforms(body, API_DETAILS)
    assert body["version"] == "HSDS-UK-3.0"
    assert is_absolute_url(body["profile"]) and is_absolute_url(body["openapi_url"])
    assert body["openapi_url"].endswith(".json")


def test_oruk_check_services_list(client, directory):
    services = check_list(client, "/openreferral/services", SERVICE_LISTED)
    assert len(services) == 3
    assert all(is_absolute_url(service["url"]) for service in services)
    bare = next(s for s in services if s["name"] == "Knit and Natter")
    assert bare["organization"]["description"] == ""  # required, so sent even when empty
    assert bare["url"].endswith(f"/openreferral/services/{bare['id']}")  # its page in the feed


def test_oruk_check_service_by_id(client, directory):
    for listed in client.get("/openreferral/services").json()["contents"]:
        response = client.get(f"/openreferral/services/{listed['id']}")
        assert response.status_code == 200
        body = response.json()
        assert not (errors := conforms(body, SERVICE_FULL)), errors
        assert body["id"] == listed["id"]


def test_oruk_check_taxonomies_list(client, directory):
    taxonomies = check_list(client, "/openreferral/taxonomies", TAXONOMY)
    assert [t["name"] for t in taxonomies] == list(Taxonomy.objects.values_list("name", flat=True))


def test_oruk_check_taxonomy_by_id(client, directory):
    for listed in client.get("/openreferral/taxonomies").json()["contents"]:
        body = client.get(f"/openreferral/taxonomies/{listed['id']}").json()
        assert not (errors := conforms(body, TAXONOMY)), errors
        assert body["id"] == listed["id"]
        in_taxonomy = TaxonomyTerm.objects.filter(taxonomy__uuid=listed["id"]).count()
        assert len(body.get("taxonomy_terms", [])) == in_taxonomy


def test_oruk_check_taxonomy_terms_list(client, directory):
    terms = check_list(client, "/openreferral/taxonomy_terms", TAXONOMY_TERM)
    walking = next(term for term in terms if term["name"] == "Walking")
    parent = next(term for term in terms if term["name"] == "Physical activity")
    assert walking["parent_id"] == parent["id"]


def test_oruk_check_taxonomy_term_by_id(client, directory):
    for listed in client.get("/openreferral/taxonomy_terms").json()["contents"]:
        body = client.get(f"/openreferral/taxonomy_terms/{listed['id']}").json()
        assert not (errors := conforms(body, TAXONOMY_TERM)), errors
        assert body == listed


def test_oruk_check_service_at_locations_list(client, directory):
    located = check_list(client, "/openreferral/service_at_locations", SERVICE_AT_LOCATION)
    assert len(located) == 2  # the service without an address has no location


def test_oruk_check_service_at_location_by_id(client, directory):
    for listed in client.get("/openreferral/service_at_locations").json()["contents"]:
        body = client.get(f"/openreferral/service_at_locations/{listed['id']}").json()
        assert not (errors := conforms(body, SERVICE_AT_LOCATION_FULL)), errors
        assert body["id"] == listed["id"] and body["service"]["id"] == listed["service_id"]


@pytest.mark.parametrize(
    "kind", ["services", "taxonomies", "taxonomy_terms", "service_at_locations"]
)
def test_an_unknown_id_is_a_404_in_json(client, kind):
    response = client.get(f"/openreferral/{kind}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "No such" in response.json()["error"]
