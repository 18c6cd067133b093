""" "Claims awaiting review" is one rule (reimbursement.selectors.awaiting_review): claims sent
for review with at least one line still to decide. The figure on the dashboards and the
reviewers' list agree, and both empty once every line is decided, even when some lines were
rejected (the claim is then "partly approved" but nobody has anything left to review)."""

import re

import pytest
from django.urls import reverse

from reimbursement import services
from reimbursement.models import Claim
from reimbursement.selectors import IN_REVIEW_FILTER, awaiting_review, claims_awaiting_review_by_pcn
from tests.reimbursement.factories import JUNE, filled_claim, submitted_claim

pytestmark = pytest.mark.django_db


def review_fully(claim, world, *, reject_one: bool = True):
    lines = list(claim.lines.order_by("pk"))
    if reject_one:
        services.claim_line_reject(
            line=lines[0], reason="Not in post that month", by=world.reviewer
        )
        lines = lines[1:]
    for line in lines:
        services.claim_line_approve(line=line, by=world.reviewer)
    claim.refresh_from_db()
    return claim


def figure(page: bytes) -> int:
    match = re.search(rb'data-testid="awaiting-review" data-value="(\d+)"', page)
    assert match, "no awaiting-review figure on the page"
    return int(match.group(1))


def listed(client) -> list[Claim]:
    response = client.get(reverse("reimbursement:claim_list"), {"status": IN_REVIEW_FILTER})
    assert response.status_code == 200
    return list(response.context["page"])


def test_a_submitted_claim_with_lines_to_decide_awaits_review(world):
    claim = submitted_claim(world)
    assert list(awaiting_review(Claim.objects.all())) == [claim]
    assert claims_awaiting_review_by_pcn(pcn_ids=[world.pcn.pk]) == {world.pcn.pk: 1}


def test_a_partly_decided_claim_awaits_review_until_its_last_line_is_decided(world):
    claim = submitted_claim(world)
    first, second = claim.lines.order_by("pk")
    services.claim_line_approve(line=first, by=world.reviewer)
    assert Claim.objects.get().status == Claim.Status.PARTLY_APPROVED
    assert awaiting_review(Claim.objects.all()).count() == 1

    services.claim_line_reject(line=second, reason="Not in post that month", by=world.reviewer)

    assert Claim.objects.get().status == Claim.Status.PARTLY_APPROVED  # still, by its lines
    assert awaiting_review(Claim.objects.all()).count() == 0
    assert claims_awaiting_review_by_pcn(pcn_ids=[world.pcn.pk]) == {}


def test_drafts_and_returned_claims_are_not_awaiting_review(world):
    filled_claim(world)  # a draft: its lines are "pending" but nobody has sent them
    returned = submitted_claim(world, JUNE.replace(month=5))
    services.claim_return(claim=returned, query="Which month is this?", by=world.reviewer)
    assert awaiting_review(Claim.objects.all()).count() == 0


def test_the_figures_and_the_list_agree_and_empty_after_a_full_review(client, world):
    claim = submitted_claim(world)
    pcn_page = reverse("dashboards:pcn_dashboard", args=[world.pcn.code])
    commissioner_page = reverse("dashboards:commissioner_dashboard")

    client.force_login(world.reviewer)
    assert figure(client.get(commissioner_page).content) == 1
    assert listed(client) == [claim]
    client.force_login(world.director)
    assert figure(client.get(pcn_page).content) == 1

    review_fully(claim, world)

    assert claim.status == Claim.Status.PARTLY_APPROVED
    client.force_login(world.reviewer)
    assert figure(client.get(commissioner_page).content) == 0
    assert listed(client) == []
    client.force_login(world.director)
    assert figure(client.get(pcn_page).content) == 0
