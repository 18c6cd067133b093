"""Figures and dates that cannot be right are refused with a reason: claim costs ("NaN",
"inf", a billion pounds), claim months before 2019, ARRS posts starting before 2019 or more
than a year ahead, and notes longer than anyone writes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from pcn_admin.bounds import NOTES_MAX_LENGTH
from reimbursement import services
from reimbursement.models import Claim
from roles.models import Post
from tests.reimbursement.factories import JUNE, submitted_claim

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# Costs ------------------------------------------------------------------------------------


@pytest.fixture
def draft(world):
    return services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)


def _breakdown(client, claim, line, salary):
    url = reverse("reimbursement:claim_line_breakdown", args=[claim.pk, line.pk])
    return client.get(url, {"salary": salary, "employer_ni": "0", "employer_pension": "0"})


@pytest.mark.parametrize(
    "salary, message",
    [
        ("NaN", "Salary: Enter an amount in pounds and pence"),
        ("inf", "Salary: Enter an amount in pounds and pence"),
        ("-Infinity", "Salary: Enter an amount in pounds and pence"),
        ("1e999", "Salary: This is more than £1,000,000 for one month"),
        ("99999999999999999999", "Salary: This is more than £1,000,000 for one month"),
        ("1000000.01", "Salary: This is more than £1,000,000 for one month"),
        ("12.345", "Salary: Enter pounds and pence: at most 2 decimal places"),
        ("-3", "cannot be negative"),
    ],
)
def test_the_breakdown_refuses_a_salary_that_is_not_an_amount(
    client, world, draft, salary, message
):
    client.force_login(world.director)
    response = _breakdown(client, draft, draft.lines.first(), salary)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert any(message in error for error in body["errors"]), body


def test_the_breakdown_still_reads_pounds_with_a_sign_and_commas(client, world, draft):
    client.force_login(world.director)
    line = draft.lines.get(post=world.pharmacist)
    response = _breakdown(client, draft, line, "£3,500.00")
    assert response.status_code == 200
    assert response.json()["ok"] is True


@pytest.mark.parametrize("salary", ["NaN", "Infinity", "1e999", "2000000"])
def test_the_api_refuses_a_cost_that_is_not_a_plausible_amount(world, draft, salary):
    line = draft.lines.first()
    response = _api(world.director).patch(
        f"/api/v1/claims/{draft.pk}/lines/{line.pk}/", {"salary": salary}, format="json"
    )
    assert response.status_code == 400
    assert "salary" in response.json()
    line.refresh_from_db()
    assert line.salary is None


def test_the_claim_page_refuses_a_billion_pound_salary_on_its_line(client, world, draft):
    line = draft.lines.first()
    client.force_login(world.director)
    response = client.post(
        reverse("reimbursement:claim_edit", args=[draft.pk]),
        {f"line-{line.pk}-salary": "1000000000", "action": "save"},
    )
    assert response.status_code == 200
    assert "more than £1,000,000 for one month" in response.content.decode()
    line.refresh_from_db()
    assert line.salary is None


# Claim months -----------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2019-06", "2018-12", "0001-01", "1900-06"])
def test_a_claim_month_before_pcns_began_is_refused_on_the_month(world, month):
    response = _api(world.director).post(
        "/api/v1/claims/", {"pcn": world.pcn.code, "month": month}, format="json"
    )
    assert response.status_code == 400
    assert "PCNs began on 1 July 2019: choose July 2019 or later" in response.json()["month"][0]
    assert not Claim.objects.exists()


def test_a_claim_month_far_ahead_is_refused_on_the_month(world):
    response = _api(world.director).post(
        "/api/v1/claims/", {"pcn": world.pcn.code, "month": "9999-12"}, format="json"
    )
    assert response.status_code == 400
    assert "is in the future" in response.json()["month"][0]


# Notes ----------------------------------------------------------------------------------


def test_a_query_longer_than_the_limit_is_refused_and_the_claim_stays(world):
    claim = submitted_claim(world)
    response = _api(world.reviewer).post(
        f"/api/v1/claims/{claim.pk}/return/",
        {"query": "x" * (NOTES_MAX_LENGTH + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "query" in response.json()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


def test_a_rejection_reason_longer_than_the_limit_is_refused(world):
    claim = submitted_claim(world)
    line = claim.lines.first()
    response = _api(world.reviewer).post(
        f"/api/v1/claims/{claim.pk}/lines/{line.pk}/reject/",
        {"reason": "x" * (NOTES_MAX_LENGTH + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()


# ARRS post start dates (the roles app's services, through its API) ------------------------


def _post(world, start_date, **extra):
    return _api(world.director).post(
        "/api/v1/posts/",
        {
            "pcn": world.pcn.code,
            "role": "social_prescribing_link_worker",
            "person_name": "New Worker",
            "employing_practice": world.payee_practice.code,
            "start_date": start_date,
            "hours": "37.5",
            **extra,
        },
        format="json",
    )


def test_a_post_starting_more_than_a_year_ahead_is_refused_on_its_start_date(world):
    later = timezone.localdate() + dt.timedelta(days=400)
    response = _post(world, later.isoformat())
    assert response.status_code == 400
    assert "more than a year ahead" in response.json()["start_date"][0]
    assert not Post.objects.filter(person_name="New Worker").exists()


def test_a_post_starting_before_2019_is_refused_on_its_start_date(world):
    response = _post(world, "2017-05-01")
    assert response.status_code == 400
    assert "before 2019" in response.json()["start_date"][0]


def test_a_baseline_post_may_start_before_2019_but_not_before_the_nhs(world):
    assert _post(world, "2015-05-01", in_post_at_baseline=True).status_code == 201
    response = _post(world, "1901-05-01", in_post_at_baseline=True)
    assert response.status_code == 400
    assert "before the NHS began" in response.json()["start_date"][0]
