"""/api/v1/claims/: the same checks as the pages, scoped by role, review actions as routes."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from reimbursement import services
from reimbursement.models import Claim, ClaimLine
from tests.reimbursement.factories import (
    JUNE,
    PHARMACIST_COSTS,
    ClaimFactory,
    filled_claim,
    submitted_claim,
)

# Written against the figures as published in March 2025 (before the 2025/26 pay award).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_before_pay_awards")]

URL = "/api/v1/claims/"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("practice_manager", True),
        ("director", True),
        ("reviewer", True),
        ("other_practice_manager", False),
        ("other_director", False),
        ("other_reviewer", False),
    ],
)
def test_the_list_holds_only_claims_the_user_may_see(world, persona, sees):
    claim = submitted_claim(world)

    response = _api(getattr(world, persona)).get(URL)

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([claim.pk] if sees else [])


def test_a_link_worker_may_not_use_the_claims_api(world):
    assert _api(world.link_worker).get(URL).status_code == 403


def test_the_director_creates_fills_in_and_submits_a_claim(world):
    api = _api(world.director)

    created = api.post(URL, {"pcn": world.pcn.code, "month": "2025-06"}, format="json")
    assert created.status_code == 201, created.json()
    claim = created.json()
    assert claim["status"] == "draft" and len(claim["lines"]) == 2

    for line in claim["lines"]:
        response = api.patch(
            f"{URL}{claim['id']}/lines/{line['id']}/",
            {k: str(v) for k, v in PHARMACIST_COSTS.items()},
            format="json",
        )
        assert response.status_code == 200, response.json()
    pharmacist = next(line for line in claim["lines"] if line["person_name"] == "Priya Shah")
    line = api.get(f"{URL}{claim['id']}/").json()["lines"]
    assert next(row for row in line if row["id"] == pharmacist["id"])["reimbursable"] == "4464.80"

    submitted = api.post(
        f"{URL}{claim['id']}/submit/",
        {"declared_additional": True, "declared_costs_paid": True},
        format="json",
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"


def test_submission_errors_name_the_line(world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    empty = claim.lines.first()

    response = _api(world.director).post(
        f"{URL}{claim.pk}/submit/",
        {"declared_additional": True, "declared_costs_paid": True},
        format="json",
    )

    assert response.status_code == 400
    assert "Enter the salary" in response.json()[services.line_key(empty)][0]


def test_a_negative_cost_is_refused_on_its_field(world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    line = claim.lines.first()

    response = _api(world.director).patch(
        f"{URL}{claim.pk}/lines/{line.pk}/", {"salary": "-1"}, format="json"
    )

    assert response.status_code == 400
    assert "cannot be negative" in response.json()["salary"][0]


def test_a_future_month_and_a_second_claim_are_refused(world):
    api = _api(world.director)
    future = api.post(URL, {"pcn": world.pcn.code, "month": "2099-01"}, format="json")
    assert future.status_code == 400 and "future" in future.json()["month"][0]

    api.post(URL, {"pcn": world.pcn.code, "month": "2025-06"}, format="json")
    again = api.post(URL, {"pcn": world.pcn.code, "month": "2025-06"}, format="json")
    assert again.status_code == 400
    assert Claim.objects.filter(pcn=world.pcn).count() == 1


@pytest.mark.parametrize("persona", ["other_practice_manager", "reviewer"])
def test_only_the_pcns_preparers_create_its_claims(world, persona):
    response = _api(getattr(world, persona)).post(
        URL, {"pcn": world.pcn.code, "month": "2025-06"}, format="json"
    )

    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_the_commissioner_reviews_through_the_api(world):
    claim = submitted_claim(world)
    first, second = claim.lines.order_by("pk")
    api = _api(world.reviewer)

    rejected = api.post(f"{URL}{claim.pk}/lines/{first.pk}/reject/", {}, format="json")
    assert rejected.status_code == 400 and "reason" in rejected.json()

    api.post(f"{URL}{claim.pk}/lines/{first.pk}/reject/", {"reason": "No payslip."}, format="json")
    response = api.post(f"{URL}{claim.pk}/approve-remaining/")

    assert response.status_code == 200
    assert response.json()["status"] == Claim.Status.PARTLY_APPROVED
    second.refresh_from_db()
    assert second.status == ClaimLine.Status.APPROVED


def test_the_commissioner_returns_a_claim_with_a_query(world):
    claim = submitted_claim(world)

    response = _api(world.reviewer).post(
        f"{URL}{claim.pk}/return/", {"query": "Which month's payroll?"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert response.json()["query"] == "Which month's payroll?"


@pytest.mark.parametrize(("persona", "status"), [("director", 403), ("other_reviewer", 404)])
def test_review_actions_are_for_the_areas_commissioner_only(world, persona, status):
    claim = submitted_claim(world)
    line = claim.lines.first()
    api = _api(getattr(world, persona))

    assert api.post(f"{URL}{claim.pk}/approve-remaining/").status_code == status
    assert api.post(f"{URL}{claim.pk}/lines/{line.pk}/approve/").status_code == status
    line.refresh_from_db()
    assert line.status == ClaimLine.Status.PENDING


def test_the_commissioner_cannot_change_a_practices_figures(world):
    claim = filled_claim(world)
    line = claim.lines.first()

    response = _api(world.reviewer).patch(
        f"{URL}{claim.pk}/lines/{line.pk}/", {"salary": "1"}, format="json"
    )

    assert response.status_code == 403


@pytest.mark.parametrize("count", [10, 200])
def test_the_list_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries, count):
    for index in range(count):
        ClaimFactory(pcn=world.pcn, month=dt.date(2000 + index // 12, index % 12 + 1, 1))
    api = _api(world.reviewer)

    with django_assert_max_num_queries(6):
        response = api.get(URL)

    assert response.json()["count"] == count
