"""A claim's status says where the claim is and whose move it is (issue 14, item 11): after a
return it is with the practice; after a resubmission it waits for the commissioner again."""

import re

import pytest
from django.urls import reverse

from reimbursement import services
from reimbursement.models import Claim
from tests.reimbursement.factories import submitted_claim

pytestmark = pytest.mark.django_db


def _status_on_pages(client, user, claim) -> set[str]:
    """The claim's status as the claim list and the claim's own page show it to this user."""
    client.force_login(user)
    shown = set()
    for url in (
        reverse("reimbursement:claim_list"),
        reverse("reimbursement:claim_detail", args=[claim.pk]),
    ):
        html = client.get(url).content.decode()
        found = re.findall(r'data-testid="claim-status"[^>]*>\s*([^<]+?)\s*<', html)
        assert found, f"no claim status on {url}"
        shown |= set(found)
    return shown


def _resubmit(world, claim):
    return services.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )


def test_a_returned_then_resubmitted_claim_says_it_awaits_review_again(client, world):
    claim = submitted_claim(world)
    assert _status_on_pages(client, world.director, claim) == {"Submitted, awaiting review"}

    claim = services.claim_return(claim=claim, query="Check the pension figure.", by=world.reviewer)
    assert _status_on_pages(client, world.director, claim) == {"Returned to the practice"}

    claim = _resubmit(world, claim)
    assert claim.status == Claim.Status.SUBMITTED
    for user in (world.director, world.reviewer):
        assert _status_on_pages(client, user, claim) == {"Resubmitted, awaiting review"}


def test_a_resubmitted_claim_with_a_line_approved_says_the_rest_awaits_review(client, world):
    claim = submitted_claim(world)
    pharmacist, link_worker = sorted(claim.lines.all(), key=lambda line: line.post.person_name)
    services.claim_line_approve(line=pharmacist, by=world.reviewer)
    services.claim_line_reject(line=link_worker, reason="Wrong month.", by=world.reviewer)
    claim.refresh_from_db()
    # Every line decided: nothing waits for the commissioner.
    assert _status_on_pages(client, world.reviewer, claim) == {"Partly approved"}

    claim = services.claim_return(claim=claim, query="Resend June's figures.", by=world.reviewer)
    claim = _resubmit(world, claim)

    assert claim.status == Claim.Status.PARTLY_APPROVED
    assert _status_on_pages(client, world.reviewer, claim) == {
        "Resubmitted, partly approved, the rest awaiting review"
    }
    services.claim_line_approve(line=link_worker, by=world.reviewer)
    claim.refresh_from_db()
    assert _status_on_pages(client, world.reviewer, claim) == {"Approved"}
