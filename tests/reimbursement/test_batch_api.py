"""/api/v1/batches/: read-only, by reference, scoped by role. A clinical director or practice
manager sees only their own subtotals, and totals of those alone."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reimbursement import batches
from reimbursement.models import BatchPayee
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement.factories import (
    BATCH_TOTAL,
    OTHER_PCN_AMOUNT,
    PCN_AMOUNT,
    BatchPayeeFactory,
    make_batch_world,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/batches/"


@pytest.fixture
def batch_world(db):
    return make_batch_world()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_commissioner_sees_the_whole_batch(batch_world):
    batch = batch_world.batch

    response = _api(batch_world.reviewer).get(URL)

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert {key: row[key] for key in row if key not in ("payees", "created")} == {
        "reference": batch.reference,
        "commissioner": batch_world.commissioner.code,
        "month": "2025-06-01",
        "status": "draft",
        "total": str(BATCH_TOTAL),
        "line_count": 6,
        "late_line_count": 1,
        "paid_on": None,
        "payment_reference": "",
    }
    assert row["created"]
    assert row["payees"] == [
        {
            "pcn": batch_world.pcn.code,
            "pcn_name": "Coquet Valley PCN",
            "payee_practice": batch_world.payee_practice.code,
            "payee_name": batch_world.payee_practice.name,
            "amount": str(PCN_AMOUNT),
            "line_count": 4,
            "late_line_count": 1,
        },
        {
            "pcn": batch_world.other_pcn.code,
            "pcn_name": batch_world.other_pcn.name,
            "payee_practice": batch_world.other_payee_practice.code,
            "payee_name": batch_world.other_payee_practice.name,
            "amount": str(OTHER_PCN_AMOUNT),
            "line_count": 2,
            "late_line_count": 0,
        },
    ]


@pytest.mark.parametrize(
    ("persona", "pcn", "total", "lines", "late"),
    [
        ("director", "pcn", PCN_AMOUNT, 4, 1),
        ("other_director", "other_pcn", OTHER_PCN_AMOUNT, 2, 0),
        ("practice_manager", "pcn", PCN_AMOUNT, 4, 1),
    ],
)
def test_a_pcn_sees_only_its_own_subtotal_and_a_total_of_that(
    batch_world, persona, pcn, total, lines, late
):
    response = _api(getattr(batch_world, persona)).get(URL)

    (row,) = response.json()["results"]
    assert [payee["pcn"] for payee in row["payees"]] == [getattr(batch_world, pcn).code]
    assert (row["total"], row["line_count"], row["late_line_count"]) == (str(total), lines, late)


@pytest.mark.parametrize(
    "persona", ["other_reviewer", "outside_director", "other_practice_manager"]
)
def test_other_organisations_see_no_batch(batch_world, persona):
    api = _api(getattr(batch_world, persona))

    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{batch_world.batch.reference}/").status_code == 404


@pytest.mark.parametrize("persona", ["link_worker", "community_user"])
def test_roles_without_payments_may_not_use_the_batches_api(batch_world, persona):
    assert _api(getattr(batch_world, persona)).get(URL).status_code == 403


def test_signing_in_is_needed(batch_world):
    assert APIClient().get(URL).status_code in (401, 403)


def test_a_batch_is_found_by_its_reference(batch_world):
    reference = batch_world.batch.reference

    response = _api(batch_world.director).get(f"{URL}{reference}/")

    assert response.status_code == 200
    assert response.json()["reference"] == reference
    assert response.json()["total"] == str(PCN_AMOUNT)


def test_a_superuser_sees_every_batch_whole(batch_world):
    response = _api(UserFactory(is_superuser=True)).get(URL)

    (row,) = response.json()["results"]
    assert row["total"] == str(BATCH_TOTAL) and len(row["payees"]) == 2


def test_a_paid_batch_shows_its_date_and_reference(batch_world):
    batch = batches.batch_finalise(batch=batch_world.batch, by=batch_world.reviewer)
    batches.batch_mark_paid(
        batch=batch,
        paid_on=timezone.localdate(),
        payment_reference="BACS-7",
        by=batch_world.reviewer,
    )

    row = _api(batch_world.practice_manager).get(f"{URL}{batch.reference}/").json()

    assert (row["status"], row["paid_on"], row["payment_reference"]) == (
        "paid",
        timezone.localdate().isoformat(),
        "BACS-7",
    )


def test_batches_filter_by_status_and_month(batch_world):
    BatchPayeeFactory(
        batch__commissioner=batch_world.commissioner,
        batch__month=dt.date(2025, 5, 1),
        pcn=batch_world.pcn,
    )
    api = _api(batch_world.reviewer)

    def references(query):
        return [row["reference"] for row in api.get(URL + query).json()["results"]]

    june, may = batch_world.batch.reference, f"{batch_world.commissioner.code}-2025-05"
    assert references("") == [june, may]
    assert references("?month=2025-06") == [june]
    assert references("?month=2025-05-01") == [may]
    assert references("?status=draft&month=2025-05") == [may]
    assert references("?status=paid") == []


def test_the_api_is_read_only(batch_world):
    api = _api(batch_world.reviewer)

    assert api.post(URL, {}, format="json").status_code == 405
    reference = batch_world.batch.reference
    assert api.patch(f"{URL}{reference}/", {"status": "paid"}, format="json").status_code == 405
    assert api.delete(f"{URL}{reference}/").status_code == 405


def test_the_schema_says_pcn_users_see_only_their_own_rows(batch_world):
    schema = _api(batch_world.reviewer).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/batches/"]["get"]
    assert "sums of those rows" in operation["description"]
    total = schema["components"]["schemas"]["Batch"]["properties"]["total"]
    assert "only the payees listed here" in total["description"]


@pytest.mark.parametrize("more", [0, 6])
@pytest.mark.parametrize("persona", ["reviewer", "director"])
def test_the_list_costs_the_same_queries_whatever_the_number_of_batches(
    django_assert_max_num_queries, more, persona
):
    world = make_batch_world(extra_lines=more * 5)
    for number in range(more):
        batch = BatchPayeeFactory(
            batch__commissioner=world.commissioner,
            batch__month=dt.date(2024, number + 1, 1),
            pcn=world.pcn,
        ).batch
        BatchPayeeFactory(batch=batch, pcn=world.other_pcn)
    api = _api(getattr(world, persona))

    with django_assert_max_num_queries(3):  # count, batches, payees
        response = api.get(URL)

    assert response.json()["count"] == 1 + more


def test_a_payee_that_is_an_account_has_no_practice_code(batch_world):
    BatchPayee.objects.filter(batch=batch_world.batch, pcn=batch_world.pcn).update(
        payee_practice=None, payee_name="Coquet Valley PCN account"
    )

    (payee,) = _api(batch_world.director).get(URL).json()["results"][0]["payees"]

    assert (payee["payee_practice"], payee["payee_name"]) == (None, "Coquet Valley PCN account")
