"""The claims admin's lists and history pages at any size: a fixed number of queries, one count
of the filtered list (not a second of the whole table), claim lines newest claim first, and the
claim list's figures worked out per claim, the same as adding up its lines."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reimbursement.models import Claim, ClaimLine
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement.factories import (
    ApprovedClaimLineFactory,
    BatchFactory,
    ClaimFactory,
    ClaimLineFactory,
)

pytestmark = pytest.mark.django_db


def claims_with_lines(world, count: int, lines: int = 2) -> list[Claim]:
    claims = []
    for index in range(count):
        claim = ClaimFactory(pcn=world.pcn, month=dt.date(2020 + index // 12, index % 12 + 1, 1))
        for _ in range(lines):
            ClaimLineFactory(claim=claim)
        claims.append(claim)
    return claims


@pytest.mark.parametrize("size", [2, 25])
def test_the_claim_list_costs_the_same_queries_whatever_its_length(
    client, world, django_assert_max_num_queries, size
):
    claims_with_lines(world, size, lines=1)
    client.force_login(world.reviewer)
    # session, user, commissioner, count, the page, permissions (2)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("admin:reimbursement_claim_changelist") + "?status=draft")
    assert response.status_code == 200
    assert response.context["cl"].result_count == size
    assert response.context["cl"].full_result_count is None  # no count of the whole table


@pytest.mark.parametrize("size", [2, 25])
def test_the_claim_line_list_costs_the_same_queries_whatever_its_length(
    client, world, django_assert_max_num_queries, size
):
    claims_with_lines(world, size)
    client.force_login(world.reviewer)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("admin:reimbursement_claimline_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2 * size


def test_claim_lines_are_listed_newest_claim_first(client, world):
    older, newer = claims_with_lines(world, 2)
    client.force_login(world.reviewer)
    response = client.get(reverse("admin:reimbursement_claimline_changelist"))
    shown = [line.claim_id for line in response.context["cl"].result_list]
    assert shown == [newer.pk, newer.pk, older.pk, older.pk]
    assert "4 claim lines" in response.content.decode()
    assert "about" not in response.content.decode()  # counted, not estimated, on SQLite


def test_another_areas_claim_lines_are_not_listed(client, world):
    claims_with_lines(world, 1)
    client.force_login(world.other_reviewer)
    response = client.get(reverse("admin:reimbursement_claimline_changelist"))
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("changes", [1, 12])
def test_a_claims_history_page_costs_the_same_queries_however_long_its_history(
    client, world, django_assert_max_num_queries, changes
):
    claim = ClaimFactory(pcn=world.pcn)
    line = ClaimLineFactory(claim=claim)
    for number in range(changes):
        claim.query = f"Question {number}"
        claim.save()
        line.hours = Decimal(number + 1)
        line.save()
    batch = BatchFactory(commissioner=world.pcn.commissioner)
    client.force_login(world.reviewer)
    for name, pk in (
        ("admin:reimbursement_claim_history", claim.pk),
        ("admin:reimbursement_claimline_history", line.pk),
        ("admin:reimbursement_batch_history", batch.pk),
    ):
        with django_assert_max_num_queries(16):
            response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200


def test_the_claim_lists_figures_add_up_each_claims_own_lines(world):
    full = ClaimFactory(pcn=world.pcn, month=dt.date(2025, 5, 1), status=Claim.Status.SUBMITTED)
    ApprovedClaimLineFactory(claim=full, reimbursable=Decimal("1000.10"))
    ApprovedClaimLineFactory(claim=full, reimbursable=Decimal("0.01"))
    ClaimLineFactory(claim=full, reimbursable=Decimal("250.00"))  # pending
    ClaimLineFactory(
        claim=full,
        status=ClaimLine.Status.REJECTED,
        decision_reason="Not on the payroll.",
        reimbursable=Decimal("99.99"),
    )
    empty = ClaimFactory(pcn=world.pcn, month=dt.date(2025, 6, 1))
    api = APIClient()
    api.force_authenticate(world.reviewer)
    rows = {row["id"]: row for row in api.get("/api/v1/claims/").json()["results"]}
    assert (rows[full.pk]["line_count"], rows[full.pk]["total"]) == (4, "1350.10")
    assert rows[full.pk]["approved_total"] == "1000.11"
    assert (rows[empty.pk]["line_count"], rows[empty.pk]["total"]) == (0, None)
    assert rows[empty.pk]["approved_total"] is None


def test_a_superuser_sees_every_areas_claims_newest_month_first(client, world):
    ClaimFactory(pcn=world.pcn, month=dt.date(2025, 4, 1))
    ClaimFactory(month=dt.date(2025, 7, 1))  # another area's
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:reimbursement_claim_changelist"))
    months = [claim.month for claim in response.context["cl"].result_list]
    assert months == [dt.date(2025, 7, 1), dt.date(2025, 4, 1)]


def test_the_claim_line_search_finds_every_word_in_the_name_or_the_pcn_code(client, world):
    claim = ClaimFactory(pcn=world.pcn)
    ClaimLineFactory(claim=claim, post=world.pharmacist)  # Priya Shah
    ClaimLineFactory(claim=claim, post=world.link_worker_post)  # Tom Robson
    elsewhere = ClaimLineFactory(post__person_name="Priya Elsewhere")  # another area's
    client.force_login(world.reviewer)

    def found(term):
        response = client.get(reverse("admin:reimbursement_claimline_changelist"), {"q": term})
        return sorted(line.post.person_name for line in response.context["cl"].result_list)

    assert found("priya") == ["Priya Shah"]
    assert found(f"shah {world.pcn.code.lower()}") == ["Priya Shah"]
    assert found(world.pcn.code) == ["Priya Shah", "Tom Robson"]
    assert found('"Tom Robson"') == ["Tom Robson"]
    assert found("priya robson") == []
    assert found("nobody") == []
    assert elsewhere.post.person_name not in found("Priya")
