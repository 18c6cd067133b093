"""The claims admin: commissioner staff review their area's claims; history is shown."""

import pytest
from django.urls import reverse

from reimbursement.models import Claim, ClaimLine
from tests.reimbursement.factories import submitted_claim

pytestmark = pytest.mark.django_db


def test_the_commissioner_sees_only_their_areas_claims_in_the_admin(client, world):
    claim = submitted_claim(world)
    client.force_login(world.reviewer)
    assert (
        client.get(reverse("admin:reimbursement_claim_change", args=[claim.pk])).status_code == 200
    )

    client.force_login(world.other_reviewer)
    response = client.get(reverse("admin:reimbursement_claim_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_the_commissioner_approves_a_line_in_the_admin(client, world):
    claim = submitted_claim(world)
    line = claim.lines.first()
    client.force_login(world.reviewer)

    response = client.post(
        reverse("admin:reimbursement_claimline_change", args=[line.pk]),
        {"decision": "approve", "reason": "Checked against payroll."},
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == ClaimLine.Status.APPROVED
    assert line.decided_by == world.reviewer


def test_the_commissioner_returns_a_claim_in_the_admin(client, world):
    claim = submitted_claim(world)
    client.force_login(world.reviewer)

    client.post(
        reverse("admin:reimbursement_claim_change", args=[claim.pk]),
        {"return_query": "Where is the payslip?"},
    )

    claim.refresh_from_db()
    assert claim.status == Claim.Status.RETURNED
    assert claim.query == "Where is the payslip?"


def test_the_admin_shows_each_change_with_who_made_it(client, world):
    claim = submitted_claim(world)
    line = claim.lines.first()
    client.force_login(world.reviewer)

    response = client.get(reverse("admin:reimbursement_claimline_history", args=[line.pk]))

    assert response.status_code == 200
    assert world.director.username in response.content.decode()
