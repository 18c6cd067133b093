"""The claim forms sent twice (a double click, a page sent again): no 500, no duplicate, and the
second post answered as the first was or told it is already done."""

import pytest
from django.core import mail
from django.urls import reverse

from pcn_admin.submissions import ALREADY_DONE, FIELD
from reimbursement import services
from reimbursement.models import Claim, ClaimLine
from tests.pcn_admin.test_submissions import messages_of, post_twice, token_on
from tests.reimbursement.factories import filled_claim, submitted_claim

pytestmark = pytest.mark.django_db


def start_data(world, page) -> dict:
    return {"pcn": world.pcn.pk, "month": "2025-06", "kind": "normal", FIELD: token_on(page)}


@pytest.mark.parametrize("page", ["reimbursement:claim_create", "reimbursement:claim_list"])
def test_starting_a_claim_twice_from_one_form_makes_one_claim(client, world, page):
    client.force_login(world.director)
    data = start_data(world, client.get(reverse(page)).content)

    first, second = post_twice(client, reverse("reimbursement:claim_create"), data)

    claim = Claim.objects.get()
    edit = reverse("reimbursement:claim_edit", args=[claim.pk])
    assert (first.status_code, first.url) == (302, edit)
    assert (second.status_code, second.url) == (302, edit)
    assert ALREADY_DONE in messages_of(second)
    assert claim.lines.count() == 2


def submit_data(claim) -> dict:
    data = {"action": "submit", "declared_additional": "on", "declared_costs_paid": "on"}
    for line in claim.lines.all():
        for name in ("salary", "employer_ni", "employer_pension"):
            data[f"line-{line.pk}-{name}"] = getattr(line, name)
    return data


def test_submitting_a_claim_twice_submits_it_once(
    client, world, django_capture_on_commit_callbacks
):
    claim = filled_claim(world)
    client.force_login(world.director)
    url = reverse("reimbursement:claim_edit", args=[claim.pk])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first, second = post_twice(client, url, submit_data(claim))

    detail = reverse("reimbursement:claim_detail", args=[claim.pk])
    assert (first.status_code, first.url) == (302, detail)
    assert (second.status_code, second.url) == (302, detail)
    assert "This claim has been submitted and can no longer be changed." in messages_of(second)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.history.filter(status=Claim.Status.SUBMITTED).count() == 1
    sent = len(mail.outbox)
    assert sent and all("submitted" in m.subject for m in mail.outbox)
    assert sent == len({tuple(m.to) for m in mail.outbox})  # each recipient told once


def test_a_submission_refused_because_another_post_submitted_the_claim_says_so(
    client, world, monkeypatch
):
    """The second post passed the first check, then found the claim submitted meanwhile (the
    race the concurrency tests run): it is sent to the claim, not shown an error or a 500."""
    claim = filled_claim(world)
    client.force_login(world.director)
    save_line = services.claim_lines_update

    def submitted_meanwhile(**kwargs):
        monkeypatch.setattr(services, "claim_lines_update", save_line)
        services.claim_submit(
            claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
        )
        return save_line(**kwargs)

    monkeypatch.setattr(services, "claim_lines_update", submitted_meanwhile)

    response = client.post(reverse("reimbursement:claim_edit", args=[claim.pk]), submit_data(claim))

    assert response.status_code == 302
    assert response.url == reverse("reimbursement:claim_detail", args=[claim.pk])
    assert "This claim has been submitted and can no longer be changed." in messages_of(response)


def test_approving_the_remaining_lines_twice_tells_the_practice_once(
    client, world, django_capture_on_commit_callbacks
):
    claim = submitted_claim(world)
    rejected = claim.lines.get(post=world.pharmacist)
    services.claim_line_reject(line=rejected, reason="Not in post", by=world.reviewer)
    client.force_login(world.reviewer)
    url = reverse("reimbursement:claim_approve_remaining", args=[claim.pk])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first, second = post_twice(client, url, {})

    assert first.status_code == second.status_code == 302
    recipients = [tuple(m.to) for m in mail.outbox]
    assert recipients and len(recipients) == len(set(recipients))  # each person told once
    assert "Every line of this claim has already been decided." in messages_of(second)
    assert not claim.lines.filter(status=ClaimLine.Status.PENDING).exists()


def test_returning_a_claim_twice_says_it_was_already_returned(client, world):
    claim = submitted_claim(world)
    client.force_login(world.reviewer)
    url = reverse("reimbursement:claim_return", args=[claim.pk])

    first, second = post_twice(client, url, {"query": "Is Tom's start date right?"})

    assert first.status_code == second.status_code == 302
    assert "This claim has already been returned to the practice." in messages_of(second)
    assert claim.history.filter(status=Claim.Status.RETURNED).count() == 1


def test_deciding_a_line_twice_says_it_was_already_decided(client, world):
    claim = submitted_claim(world)
    line = claim.lines.first()
    client.force_login(world.reviewer)
    url = reverse("reimbursement:claim_line_decide", args=[claim.pk, line.pk])

    first, second = post_twice(client, url, {"decision": "approve"})

    assert first.status_code == second.status_code == 302
    assert any("already been approved" in text for text in messages_of(second))
