"""A commissioner's evidence rule, enforced when a claim is submitted: none, a person's first
claim, or every line. A refusal names the lines missing evidence and saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evidence import services
from evidence.models import EvidenceSetting
from reimbursement import services as claims
from reimbursement.models import Claim
from tests.evidence.factories import EvidenceSettingFactory, upload
from tests.reimbursement.factories import filled_claim

pytestmark = pytest.mark.django_db

JUNE, JULY = dt.date(2025, 6, 1), dt.date(2025, 7, 1)


def _submit(claim, by):
    return claims.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=by
    )


def _attach(claim, post, by):
    line = claim.lines.get(post=post)
    services.attachment_add(line=line, kind="payslip", upload=upload(), by=by)


def _rule(world, required):
    return EvidenceSettingFactory(commissioner=world.pcn.commissioner, required=required)


def test_without_a_setting_no_evidence_is_required(world):
    claim = _submit(filled_claim(world), world.director)

    assert claim.status == Claim.Status.SUBMITTED


def test_every_line_needs_evidence_and_the_refusal_names_each_line(world):
    _rule(world, EvidenceSetting.Required.EVERY_LINE)
    claim = filled_claim(world)
    _attach(claim, world.pharmacist, world.director)

    with pytest.raises(ValidationError) as refused:
        _submit(claim, world.director)

    errors = refused.value.message_dict
    tom = claim.lines.get(post=world.link_worker_post)
    priya = claim.lines.get(post=world.pharmacist)
    assert errors[claims.line_key(tom)] == [
        "Attach evidence for Tom Robson (a payslip, contract, job description or sub-contract "
        "invoice): your commissioner requires it for every line."
    ]
    assert claims.line_key(priya) not in errors
    assert errors["__all__"] == [
        "Your commissioner requires evidence for every line. Attach evidence to these lines "
        "before submitting: Tom Robson (Social prescribing link worker)."
    ]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT
    assert claim.submitted_at is None
    assert not claim.declared_additional


def test_every_line_with_evidence_submits(world):
    _rule(world, EvidenceSetting.Required.EVERY_LINE)
    claim = filled_claim(world)
    for post in (world.pharmacist, world.link_worker_post):
        _attach(claim, post, world.director)

    assert _submit(claim, world.director).status == Claim.Status.SUBMITTED


def test_a_persons_first_claim_needs_evidence_and_later_ones_do_not(world):
    _rule(world, EvidenceSetting.Required.FIRST_CLAIM)
    june = filled_claim(world, JUNE)
    with pytest.raises(ValidationError) as refused:
        _submit(june, world.director)
    assert "Priya Shah (Clinical pharmacist), Tom Robson" in refused.value.messages[-1]

    for post in (world.pharmacist, world.link_worker_post):
        _attach(june, post, world.director)
    _submit(june, world.director)

    # July: both were claimed for in June, so no evidence is asked for.
    assert _submit(filled_claim(world, JULY), world.director).status == Claim.Status.SUBMITTED


def test_a_draft_for_an_earlier_month_does_not_count_as_a_claim_made(world):
    _rule(world, EvidenceSetting.Required.FIRST_CLAIM)
    filled_claim(world, JUNE)  # never submitted
    july = filled_claim(world, JULY)

    with pytest.raises(ValidationError) as refused:
        _submit(july, world.director)

    assert len([key for key in refused.value.message_dict if key.startswith("line_")]) == 2


def test_a_returned_claim_resubmitted_is_no_longer_a_first_claim_only_for_itself(world):
    """The person's first claim stays their first claim when it comes back: its lines still
    need their evidence (sent the first time)."""
    _rule(world, EvidenceSetting.Required.FIRST_CLAIM)
    june = filled_claim(world, JUNE)
    for post in (world.pharmacist, world.link_worker_post):
        _attach(june, post, world.director)
    _submit(june, world.director)
    claims.claim_return(claim=june, query="Check the pension.", by=world.reviewer)

    assert _submit(june, world.director).status == Claim.Status.SUBMITTED


def test_the_claim_page_shows_the_lines_missing_evidence(client, world):
    _rule(world, EvidenceSetting.Required.EVERY_LINE)
    claim = filled_claim(world)
    client.force_login(world.practice_manager)
    data = {
        "action": "submit",
        "declared_additional": "on",
        "declared_costs_paid": "on",
    }
    for line in claim.lines.all():
        data.update(
            {
                f"line-{line.pk}-salary": str(line.salary),
                f"line-{line.pk}-employer_ni": str(line.employer_ni),
                f"line-{line.pk}-employer_pension": str(line.employer_pension),
                f"line-{line.pk}-subcontract_fee": "0.00",
            }
        )

    response = client.post(reverse("reimbursement:claim_edit", args=[claim.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Attach evidence to these lines before submitting: Priya Shah" in page
    assert "Attach evidence for Tom Robson" in page
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_setting_the_rule_keeps_one_row_per_commissioner_with_its_history(world):
    services.evidence_setting_set(
        commissioner=world.pcn.commissioner, required="first_claim", by=world.reviewer
    )
    setting = services.evidence_setting_set(
        commissioner=world.pcn.commissioner, required="every_line", by=world.reviewer
    )

    assert EvidenceSetting.objects.get() == setting
    assert setting.required == "every_line"
    assert [h.required for h in setting.history.order_by("history_id")] == [
        "first_claim",
        "every_line",
    ]
    assert setting.history.first().history_user == world.reviewer
