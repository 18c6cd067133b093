"""The live breakdown on the claim page refuses exactly what saving and submitting refuse, and
warns (without refusing) of a salary of £0 with on-costs."""

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from reimbursement import services
from reimbursement.forms import ClaimLineForm
from reimbursement.models import Claim, ClaimLine
from roles.models import Post
from tests.reimbursement.factories import JUNE, LINK_WORKER_COSTS, PHARMACIST_COSTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)


def _preview(client, claim, line, **costs):
    url = reverse("reimbursement:claim_line_breakdown", args=[claim.pk, line.pk])
    return client.get(url, {name: str(value) for name, value in costs.items()})


class Undo(Exception):
    pass


def _save_and_submit_refuse(world, claim, line, costs: dict) -> bool:
    """Whether saving the costs through the page's form and service, then submitting, refuses
    this line. Everything is undone afterwards."""
    data = {f"line-{line.pk}-{name}": str(value) for name, value in costs.items()}
    refused = False
    with contextlib.suppress(Undo), transaction.atomic():
        form = ClaimLineForm(data, line=line)
        if not form.is_valid():
            refused = True
            raise Undo
        try:
            services.claim_line_update(line=line, by=world.director, **form.cleaned_data)
        except ValidationError:
            refused = True
            raise Undo from None
        for other in claim.lines.exclude(pk=line.pk).select_related("post"):
            fine = PHARMACIST_COSTS if other.post == world.pharmacist else LINK_WORKER_COSTS
            services.claim_line_update(line=other, by=world.director, **fine)
        try:
            services.claim_submit(
                claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
            )
        except ValidationError as error:
            refused = services.line_key(line) in error.message_dict
        raise Undo
    return refused


COSTS = [
    {"salary": "3500", "employer_ni": "465.80", "employer_pension": "500"},
    {"salary": "-1", "employer_ni": "0", "employer_pension": "0"},
    {"salary": "3500", "employer_ni": "-0.01", "employer_pension": "0"},
    {"salary": "NaN", "employer_ni": "0", "employer_pension": "0"},
    {"salary": "12.345", "employer_ni": "0", "employer_pension": "0"},
    {"salary": "2000000", "employer_ni": "0", "employer_pension": "0"},
    {"salary": "3500", "employer_ni": "465.80", "employer_pension": "500", "subcontract_fee": "50"},
    {"salary": "0", "employer_ni": "100", "employer_pension": "0"},
]


@pytest.mark.parametrize("costs", COSTS)
def test_the_preview_refuses_exactly_what_saving_and_submitting_refuse(client, world, draft, costs):
    client.force_login(world.director)
    line = draft.lines.get(post=world.pharmacist)
    previewed = _preview(client, draft, line, **costs).json()
    assert previewed["ok"] is not _save_and_submit_refuse(world, draft, line, costs), previewed


def test_a_line_that_submission_refuses_is_refused_by_the_preview_too(client, world, draft):
    """The post was marked as baseline staff after the draft was started: submission refuses
    the line, and so, now, does the live breakdown (it used to show figures for it)."""
    client.force_login(world.director)
    Post.objects.filter(pk=world.pharmacist.pk).update(
        in_post_at_baseline=True, start_date=dt.date(2018, 4, 1)
    )
    line = draft.lines.get(post=world.pharmacist)

    response = _preview(client, draft, line, **PHARMACIST_COSTS)

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert "part of the PCN's baseline" in " ".join(response.json()["errors"])
    assert _save_and_submit_refuse(world, draft, line, PHARMACIST_COSTS)


def test_the_preview_of_a_submitted_claim_is_refused_as_saving_is(client, world, draft):
    client.force_login(world.director)
    line = draft.lines.get(post=world.pharmacist)
    Claim.objects.filter(pk=draft.pk).update(status=Claim.Status.SUBMITTED)

    response = _preview(client, draft, line, **PHARMACIST_COSTS)

    assert response.status_code == 400
    assert "can no longer be changed" in response.json()["errors"][0]


def test_a_preview_still_being_typed_is_not_a_refusal(client, world, draft):
    client.force_login(world.director)
    line = draft.lines.get(post=world.pharmacist)
    response = _preview(client, draft, line, salary="3500", employer_ni="", employer_pension="")
    assert response.status_code == 200
    assert response.json()["ok"] is False
    assert "Enter the salary, employer NI and employer pension" in response.json()["errors"][0]


# A salary of £0 with on-costs: a warning, never a refusal -------------------------------------

ZERO_SALARY = {"salary": "0", "employer_ni": "120.00", "employer_pension": "80.00"}


def test_the_preview_warns_of_on_costs_on_a_salary_of_nothing(client, world, draft):
    client.force_login(world.director)
    line = draft.lines.get(post=world.pharmacist)

    data = _preview(client, draft, line, **ZERO_SALARY).json()

    assert data["ok"] is True
    assert data["warnings"] == [
        "The salary is £0 but employer NI and pension come to £200.00. Check the salary: NI "
        "and pension are normally paid on a salary. If the figures are right, carry on."
    ]


def test_a_salary_of_nothing_with_on_costs_saves_shows_a_warning_callout_and_submits(
    client, world, draft
):
    client.force_login(world.director)
    line = draft.lines.get(post=world.pharmacist)
    other = draft.lines.exclude(pk=line.pk).get()
    data = {"action": "save"}
    for name, value in ZERO_SALARY.items():
        data[f"line-{line.pk}-{name}"] = value
    for name, value in LINK_WORKER_COSTS.items():
        data[f"line-{other.pk}-{name}"] = str(value)
    url = reverse("reimbursement:claim_edit", args=[draft.pk])

    assert client.post(url, data).status_code == 302  # saved: a warning does not stop it
    page = client.get(url).content.decode()
    assert 'class="nhsuk-card nhsuk-card--warning"' in page
    assert "The salary is £0 but employer NI and pension come to £200.00." in page

    data.update(action="submit", declared_additional="on", declared_costs_paid="on")
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Claim.Status.SUBMITTED
    assert {"line": line.pk, "message": ClaimLine.objects.get(pk=line.pk).warnings[0]} in (
        draft.warnings
    )


def test_no_warning_for_a_salary_with_its_on_costs_or_nothing_at_all(world, draft):
    line = draft.lines.get(post=world.pharmacist)
    for costs in (PHARMACIST_COSTS, {"salary": 0, "employer_ni": 0, "employer_pension": 0}):
        saved = services.claim_line_update(line=line, by=world.director, **costs)
        assert not any("salary is £0" in warning for warning in saved.warnings)
