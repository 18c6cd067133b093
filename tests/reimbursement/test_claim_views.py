"""Claim pages: who sees and does what, the live breakdown, errors on lines, query bounds."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reimbursement import services
from reimbursement.models import Claim, ClaimLine
from tests.reimbursement.factories import (
    JUNE,
    LINK_WORKER_COSTS,
    PHARMACIST_COSTS,
    ClaimFactory,
    ClaimLineFactory,
    filled_claim,
    submitted_claim,
)
from tests.roles.factories import PostFactory

# Written against the figures as published in March 2025 (before the 2025/26 pay award).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_before_pay_awards")]


def _url(name, claim, *args):
    return reverse(f"reimbursement:{name}", args=[claim.pk, *args])


# Who may see what -----------------------------------------------------------------------

PREPARERS = ["practice_manager", "director"]
# Roles that deal with claims, but not this one: it is not found (404). A link worker's role
# has no claims at all, and is refused (403: test_a_link_worker_cannot_use_the_claim_pages).
OUTSIDERS = ["other_practice_manager", "other_director", "other_reviewer"]


@pytest.mark.parametrize("persona", [*PREPARERS, "reviewer"])
def test_the_pcn_and_its_commissioner_see_the_claim_in_their_list(client, world, persona):
    claim = submitted_claim(world)
    client.force_login(getattr(world, persona))

    response = client.get(reverse("reimbursement:claim_list"))

    assert response.status_code == 200
    assert list(response.context["page"]) == [claim]


@pytest.mark.parametrize("persona", ["other_practice_manager", "other_director", "other_reviewer"])
def test_other_organisations_do_not_see_the_claim_in_their_list(client, world, persona):
    submitted_claim(world)
    client.force_login(getattr(world, persona))

    response = client.get(reverse("reimbursement:claim_list"))

    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "No claims" in response.content.decode()


def test_a_link_worker_cannot_use_the_claim_pages(client, world):
    claim = submitted_claim(world)
    client.force_login(world.link_worker)

    assert client.get(reverse("reimbursement:claim_list")).status_code == 403
    # Refused for the role (403), as the list is, not hidden as if the claim were elsewhere.
    assert client.get(_url("claim_detail", claim)).status_code == 403


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_a_claim_outside_the_users_scope_is_not_found(client, world, persona):
    claim = filled_claim(world)
    client.force_login(getattr(world, persona))

    for url in (_url("claim_detail", claim), _url("claim_edit", claim)):
        assert client.get(url).status_code == 404


def test_the_practice_manager_sees_the_claim_of_the_month_their_practice_was_payee(client, world):
    from networks.models import NominatedPayee

    claim = filled_claim(world)
    NominatedPayee.objects.filter(pcn=world.pcn).update(start_date=dt.date(2025, 7, 1))
    client.force_login(world.practice_manager)

    assert client.get(_url("claim_detail", claim)).status_code == 404


def test_the_commissioner_cannot_change_the_practices_claim(client, world):
    claim = filled_claim(world)
    client.force_login(world.reviewer)

    assert client.get(_url("claim_edit", claim)).status_code == 403
    line = claim.lines.first()
    assert client.get(_url("claim_line_breakdown", claim, line.pk)).status_code == 403


@pytest.mark.parametrize("persona", PREPARERS)
def test_the_practice_cannot_review_its_own_claim(client, world, persona):
    claim = submitted_claim(world)
    line = claim.lines.first()
    client.force_login(getattr(world, persona))

    response = client.post(_url("claim_line_decide", claim, line.pk), {"decision": "approve"})
    assert response.status_code == 403
    assert client.post(_url("claim_approve_remaining", claim)).status_code == 403
    assert client.post(_url("claim_return", claim), {"query": "Hm?"}).status_code == 403
    line.refresh_from_db()
    assert line.status == ClaimLine.Status.PENDING


# Preparing ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PREPARERS)
def test_the_payee_practice_manager_or_director_starts_a_claim(client, world, persona):
    client.force_login(getattr(world, persona))

    response = client.post(
        reverse("reimbursement:claim_create"),
        {"pcn": world.pcn.pk, "month": "2025-06", "kind": "normal"},
    )

    claim = Claim.objects.get(pcn=world.pcn)
    assert response.status_code == 302
    assert response.url == _url("claim_edit", claim)
    assert claim.month == JUNE and claim.lines.count() == 2


def test_another_practices_manager_cannot_start_the_pcns_claim(client, world):
    client.force_login(world.other_practice_manager)

    response = client.post(
        reverse("reimbursement:claim_create"),
        {"pcn": world.pcn.pk, "month": "2025-06", "kind": "normal"},
    )

    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_starting_a_claim_twice_says_what_to_do_and_keeps_what_was_typed(client, world):
    filled_claim(world)
    client.force_login(world.director)

    response = client.post(
        reverse("reimbursement:claim_create"),
        {"pcn": world.pcn.pk, "month": "2025-06", "kind": "normal"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "already has a claim for this month" in page
    assert 'value="2025-06"' in page


def test_the_breakdown_endpoint_returns_the_servers_figures_as_typed(client, world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    line = claim.lines.get(post=world.pharmacist)
    client.force_login(world.director)

    response = client.get(
        _url("claim_line_breakdown", claim, line.pk),
        {"salary": "3500", "employer_ni": "465.80", "employer_pension": "500"},
    )

    data = response.json()
    assert data["ok"] is True
    assert data["breakdown"]["cap"] == "4,464.80"
    assert data["breakdown"]["reimbursable"] == "4,464.80"
    assert data["breakdown"]["wte"] == "0.8000"
    line.refresh_from_db()
    assert line.salary is None  # a preview saves nothing


def test_the_breakdown_endpoint_explains_a_negative_cost(client, world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    line = claim.lines.first()
    client.force_login(world.director)

    response = client.get(
        _url("claim_line_breakdown", claim, line.pk),
        {"salary": "-3", "employer_ni": "0", "employer_pension": "0"},
    )

    assert response.status_code == 400
    assert "cannot be negative" in response.json()["errors"][0]


def _line_data(claim, overrides=None, **extra):
    data = {"action": "save", **extra}
    for line in claim.lines.select_related("post"):
        costs = PHARMACIST_COSTS if line.post.person_name == "Priya Shah" else LINK_WORKER_COSTS
        for name, value in costs.items():
            data[f"line-{line.pk}-{name}"] = str(value)
    data.update(overrides or {})
    return data


def test_saving_a_draft_stores_the_figures(client, world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.practice_manager)
    client.force_login(world.practice_manager)

    response = client.post(_url("claim_edit", claim), _line_data(claim))

    assert response.status_code == 302
    line = claim.lines.get(post=world.pharmacist)
    assert line.reimbursable == Decimal("4464.80")
    assert line.updated_by == world.practice_manager


def test_submission_problems_are_shown_on_the_line_concerned_keeping_what_was_typed(client, world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    link_line = claim.lines.get(post=world.link_worker_post)
    client.force_login(world.director)

    response = client.post(
        _url("claim_edit", claim),
        _line_data(
            claim,
            overrides={f"line-{link_line.pk}-salary": "", f"line-{link_line.pk}-employer_ni": "77"},
            action="submit",
            declared_additional="on",
        ),
    )

    assert response.status_code == 200
    rows = {row["line"].pk: row for row in response.context["rows"]}
    assert "Enter the salary" in rows[link_line.pk]["errors"][0]
    assert rows[claim.lines.get(post=world.pharmacist).pk]["errors"] == []
    declaration = response.context["declaration"]
    assert "costs claimed were paid" in declaration.errors["declared_costs_paid"][0]
    page = response.content.decode()
    assert f'name="line-{link_line.pk}-employer_ni" value="77"' in page
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_a_negative_cost_is_shown_on_its_field(client, world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    line = claim.lines.get(post=world.pharmacist)
    client.force_login(world.director)

    response = client.post(
        _url("claim_edit", claim), _line_data(claim, {f"line-{line.pk}-salary": "-100"})
    )

    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["line"].pk == line.pk)
    assert "cannot be negative" in row["form"].errors["salary"][0]
    assert 'value="-100"' in response.content.decode()


def test_submitting_from_the_page_sends_the_claim_for_review(client, world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    client.force_login(world.director)

    response = client.post(
        _url("claim_edit", claim),
        _line_data(claim, action="submit", declared_additional="on", declared_costs_paid="on"),
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert client.get(_url("claim_edit", claim)).status_code == 302  # read-only now


# Reviewing ------------------------------------------------------------------------------


def test_the_commissioner_rejects_a_line_with_a_reason_the_practice_then_sees(client, world):
    claim = submitted_claim(world)
    line = claim.lines.get(post=world.link_worker_post)
    client.force_login(world.reviewer)

    client.post(
        _url("claim_line_decide", claim, line.pk),
        {"decision": "reject", "reason": "Start date does not match the contract."},
    )

    client.force_login(world.practice_manager)
    page = client.get(_url("claim_detail", claim)).content.decode()
    assert "Rejected" in page
    assert "Start date does not match the contract." in page


def test_rejecting_without_a_reason_is_refused_with_a_message(client, world):
    claim = submitted_claim(world)
    line = claim.lines.first()
    client.force_login(world.reviewer)

    response = client.post(
        _url("claim_line_decide", claim, line.pk), {"decision": "reject"}, follow=True
    )

    assert "Give the reason" in response.content.decode()
    line.refresh_from_db()
    assert line.status == ClaimLine.Status.PENDING


def test_the_commissioner_approves_the_remaining_lines(client, world):
    claim = submitted_claim(world)
    client.force_login(world.reviewer)

    client.post(_url("claim_approve_remaining", claim))

    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


def test_the_commissioner_returns_the_claim_with_a_query(client, world):
    claim = submitted_claim(world)
    client.force_login(world.reviewer)

    client.post(_url("claim_return", claim), {"query": "Which payroll run is this?"})

    claim.refresh_from_db()
    assert claim.status == Claim.Status.RETURNED
    client.force_login(world.director)
    page = client.get(_url("claim_edit", claim)).content.decode()
    assert "Which payroll run is this?" in page


def test_another_areas_commissioner_cannot_review(client, world):
    claim = submitted_claim(world)
    client.force_login(world.other_reviewer)

    assert client.post(_url("claim_approve_remaining", claim)).status_code == 404
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


# Query bounds ---------------------------------------------------------------------------


def _claim_with_lines(world, count: int) -> Claim:
    claim = ClaimFactory(pcn=world.pcn, month=dt.date(2025, 5, 1))
    for _ in range(count):
        ClaimLineFactory(
            claim=claim,
            post__employing_practice=world.payee_practice,
            salary=Decimal("100"),
            employer_ni=Decimal("10"),
            employer_pension=Decimal("14.38"),
            cost=Decimal("124.38"),
            cap=Decimal("80"),
            reimbursable=Decimal("80"),
        )
    return claim


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("page", ["claim_detail", "claim_edit"])
def test_a_claim_page_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, count, page
):
    claim = _claim_with_lines(world, count)
    client.force_login(world.director)

    with django_assert_max_num_queries(8):
        response = client.get(_url(page, claim))

    assert response.status_code == 200
    assert len(response.context["rows"]) == count
    assert "more than one and a half times" in response.content.decode()


@pytest.mark.parametrize("count", [10, 200])
def test_the_review_page_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, count
):
    claim = _claim_with_lines(world, count)
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.SUBMITTED)
    client.force_login(world.reviewer)

    with django_assert_max_num_queries(8):
        response = client.get(_url("claim_detail", claim))

    assert response.context["can_review"] is True
    assert response.content.decode().count("Approve</button>") == count


@pytest.mark.parametrize("count", [10, 200])
def test_the_claim_list_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, count
):
    for index in range(count):
        ClaimFactory(pcn=world.pcn, month=dt.date(2000 + index // 12, index % 12 + 1, 1))
    client.force_login(world.reviewer)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("reimbursement:claim_list"))

    assert response.status_code == 200
    assert len(response.context["page"]) == min(count, 25)


@pytest.mark.parametrize("staff", [0, 30])
def test_starting_saving_and_submitting_a_claim_costs_the_same_queries_for_any_number_of_staff(
    client, world, django_assert_max_num_queries, staff
):
    """Month end: every payee practice starts (from last month's costs), saves and submits its
    whole claim at once. Each step is a fixed number of queries, and each line still gets its
    costs, figures and a history record naming who changed it."""
    for _ in range(staff):
        PostFactory(
            pcn=world.pcn, role=world.pharmacist.role, employing_practice=world.payee_practice
        )
    filled_claim(world, dt.date(2025, 5, 1))  # the month copied forward
    client.force_login(world.practice_manager)
    start = reverse("reimbursement:claim_create")
    token = re.search(r'name="submission_token" value="([^"]+)"', client.get(start).text)

    with django_assert_max_num_queries(55):
        started = client.post(
            start,
            {
                "pcn": world.pcn.pk,
                "month": "2025-06",
                "kind": "normal",
                "copy_forward": "on",
                "submission_token": token.group(1),
            },
        )
    claim = Claim.objects.get(pcn=world.pcn, month=JUNE)
    assert started.url == _url("claim_edit", claim)
    lines = list(claim.lines.all())
    assert len(lines) == 2 + staff
    costs = {}
    for line in lines:
        costs |= {
            f"line-{line.pk}-salary": "2100.00",
            f"line-{line.pk}-employer_ni": "210.00",
            f"line-{line.pk}-employer_pension": "301.98",
        }
    with django_assert_max_num_queries(18):
        saved = client.post(_url("claim_edit", claim), {"action": "save", **costs})
    assert saved.url == _url("claim_edit", claim)
    with django_assert_max_num_queries(50):
        submitted = client.post(
            _url("claim_edit", claim),
            {"action": "submit", "declared_additional": "on", "declared_costs_paid": "on", **costs},
        )

    assert submitted.url == _url("claim_detail", claim)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    for line in claim.lines.all():
        assert (line.salary, line.cost, line.status) == (
            Decimal("2100.00"),
            Decimal("2611.98"),
            ClaimLine.Status.PENDING,
        )
        assert line.reimbursable is not None and line.calculation_error == ""
        assert line.costs_source == ClaimLine.CostsSource.TYPED
        changes = list(line.history.order_by("history_date", "history_id"))
        # Created (and copied forward), then saved, then sent for review: each change recorded
        # as the line then stood, by the practice manager.
        assert [h.history_type for h in changes[:1]] + [h.history_type for h in changes[-2:]] == [
            "+",
            "~",
            "~",
        ]
        assert {h.history_user for h in changes} == {world.practice_manager}
        assert (changes[-1].cost, changes[-1].status) == (line.cost, line.status)


@pytest.mark.parametrize("staff", [0, 30])
def test_approving_the_remaining_lines_costs_the_same_queries_for_any_number_of_lines(
    client, world, django_assert_max_num_queries, staff
):
    for _ in range(staff):
        PostFactory(
            pcn=world.pcn, role=world.pharmacist.role, employing_practice=world.payee_practice
        )
    claim = submitted_claim(world)
    client.force_login(world.reviewer)

    with django_assert_max_num_queries(20):
        response = client.post(_url("claim_approve_remaining", claim))

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    lines = list(claim.lines.all())
    assert len(lines) == 2 + staff
    assert all(line.is_locked and line.decided_by == world.reviewer for line in lines)
    approvals = ClaimLine.history.filter(claim_id=claim.pk, status=ClaimLine.Status.APPROVED)
    assert sorted(h.id for h in approvals) == sorted(line.pk for line in lines)
    assert {h.history_user for h in approvals} == {world.reviewer}


def test_a_claim_with_every_line_decided_offers_no_more_decisions(client, world):
    claim = submitted_claim(world)
    first, second = claim.lines.order_by("pk")
    services.claim_line_reject(line=first, reason="Duplicate of May.", by=world.reviewer)
    services.claim_line_approve(line=second, by=world.reviewer)
    client.force_login(world.reviewer)

    response = client.get(_url("claim_detail", claim))

    page = response.content.decode()
    assert response.context["claim"].status == Claim.Status.PARTLY_APPROVED
    assert "Approve all remaining lines" not in page
    assert "Approve</button>" not in page
    assert "Return the claim" in page  # the rejected line can still go back to the practice
