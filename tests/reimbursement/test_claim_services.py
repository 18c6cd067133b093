"""Claims through their services: what is claimed, the checks on submission, the review."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reimbursement import services
from reimbursement.models import Claim, ClaimLine
from roles.models import Post
from tests.networks.factories import ListSizeFactory
from tests.reimbursement.factories import (
    JUNE,
    LINK_WORKER_COSTS,
    PHARMACIST_COSTS,
    filled_claim,
    submitted_claim,
)
from tests.roles.factories import PostFactory, RoleFactory

# Written against the figures as published in March 2025 (before the 2025/26 pay award).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_before_pay_awards")]


def _line(claim, post) -> ClaimLine:
    return claim.lines.get(post=post)


# Starting a claim -----------------------------------------------------------------------


def test_a_new_claim_has_a_line_for_each_claimable_post_in_post_that_month(world):
    PostFactory(pcn=world.pcn, start_date=dt.date(2025, 7, 1), person_name="Starts in July")
    PostFactory(
        pcn=world.pcn,
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2025, 5, 31),
        person_name="Left in May",
    )
    PostFactory(
        pcn=world.pcn,
        role=RoleFactory(code="clinical_pharmacist"),
        registration_number="2050001",
        start_date=dt.date(2018, 1, 1),
        in_post_at_baseline=True,
        person_name="Baseline pharmacist",
    )
    transferred = PostFactory(
        pcn=world.pcn,
        role=RoleFactory(code="clinical_pharmacist"),
        registration_number="2050002",
        start_date=dt.date(2018, 1, 1),
        in_post_at_baseline=True,
        transferred_from_national_scheme=True,
        person_name="Transferred pharmacist",
    )

    claim = services.claim_create(pcn=world.pcn, month=dt.date(2025, 6, 14), by=world.director)

    assert claim.month == JUNE
    assert claim.status == Claim.Status.DRAFT
    assert set(claim.lines.values_list("post_id", flat=True)) == {
        world.pharmacist.pk,
        world.link_worker_post.pk,
        transferred.pk,
    }
    assert _line(claim, world.pharmacist).hours == Decimal("30")


def test_a_line_keeps_every_figure_of_the_calculation(world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)

    line = services.claim_line_update(
        line=_line(claim, world.pharmacist), by=world.director, **PHARMACIST_COSTS
    )

    line.refresh_from_db()
    # The arrs.md worked example: 0.8 WTE, full month, cap 66,972 / 12 * 0.8.
    assert line.cost == Decimal("4465.80")
    assert line.wte == Decimal("0.8")
    assert (line.days_in_post, line.days_in_month) == (30, 30)
    assert line.fraction == Decimal("1")
    assert line.annual_max == Decimal("66972.00")
    assert line.rate_effective_from == dt.date(2025, 4, 1)
    assert line.rate == Decimal("1")
    assert line.cap == Decimal("4464.80")
    assert line.reimbursable == Decimal("4464.80")
    assert line.calculation_error == ""


def test_a_part_month_line_is_reduced_by_the_days_in_post(world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)

    line = services.claim_line_update(
        line=_line(claim, world.link_worker_post), by=world.director, **LINK_WORKER_COSTS
    )

    assert (line.days_in_post, line.days_in_month) == (15, 30)
    assert line.cap == Decimal("1806.33")  # 43,352 / 12 * 15 / 30
    assert line.reimbursable == Decimal("1492.56")


def test_a_draft_line_without_a_rate_keeps_the_costs_and_says_what_to_do(world):
    assistant = PostFactory(
        pcn=world.pcn,
        role=RoleFactory(code="gp_assistant"),
        person_name="Gee Assist",
    )
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)

    line = services.claim_line_update(
        line=_line(claim, assistant), by=world.director, **PHARMACIST_COSTS
    )

    line.refresh_from_db()
    assert line.salary == PHARMACIST_COSTS["salary"]
    assert line.reimbursable is None
    assert "GP assistant" in line.calculation_error
    assert "June 2025" in line.calculation_error
    assert "coverage page" in line.calculation_error


def test_a_negative_cost_is_refused_on_its_field(world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)

    with pytest.raises(ValidationError) as caught:
        services.claim_line_update(
            line=_line(claim, world.pharmacist),
            by=world.director,
            **{**PHARMACIST_COSTS, "employer_ni": Decimal("-1")},
        )

    assert "cannot be negative" in caught.value.message_dict["employer_ni"][0]
    assert _line(claim, world.pharmacist).employer_ni is None


def test_the_database_refuses_a_negative_cost_written_around_the_services(world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.filter(claim=claim).update(salary=Decimal("-5"))


def test_a_claim_for_a_future_month_is_refused(world, settings):
    with pytest.raises(ValidationError) as caught:
        services.claim_create(pcn=world.pcn, month=dt.date(2099, 1, 1), by=world.director)

    assert "January 2099 is in the future" in caught.value.message_dict["month"][0]


def test_a_second_claim_for_the_same_month_is_refused(world):
    services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)

    with pytest.raises(ValidationError) as caught:
        services.claim_create(pcn=world.pcn, month=JUNE, by=world.practice_manager)

    assert "already has a claim for this month" in " ".join(caught.value.messages)
    assert Claim.objects.filter(pcn=world.pcn).count() == 1


def test_the_database_keeps_one_monthly_claim_per_pcn_and_month(world):
    services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(pcn=world.pcn, month=JUNE)


def test_a_missed_month_can_be_claimed_later(world):
    submitted_claim(world, month=dt.date(2025, 8, 1))

    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)

    assert claim.lines.count() == 2


def test_an_adjustment_corrects_a_submitted_month_starting_from_its_figures(world):
    original = submitted_claim(world)

    adjustment = services.claim_create(
        pcn=world.pcn, month=JUNE, kind=Claim.Kind.ADJUSTMENT, original=original, by=world.director
    )

    line = _line(adjustment, world.pharmacist)
    assert adjustment.original == original
    assert line.original_line == _line(original, world.pharmacist)
    assert line.salary == PHARMACIST_COSTS["salary"]
    assert line.reimbursable == Decimal("4464.80")


def test_an_adjustment_to_a_claim_not_yet_submitted_is_refused(world):
    draft = filled_claim(world)

    with pytest.raises(ValidationError) as caught:
        services.claim_create(
            pcn=world.pcn, month=JUNE, kind=Claim.Kind.ADJUSTMENT, original=draft, by=world.director
        )

    assert "not been submitted" in caught.value.message_dict["original"][0]


# Submission -----------------------------------------------------------------------------


def _submit(claim, by, **declarations):
    return services.claim_submit(
        claim=claim,
        declared_additional=declarations.get("declared_additional", True),
        declared_costs_paid=declarations.get("declared_costs_paid", True),
        by=by,
    )


def test_submitting_needs_both_declarations(world):
    claim = filled_claim(world)

    with pytest.raises(ValidationError) as caught:
        _submit(claim, world.director, declared_additional=False, declared_costs_paid=False)

    errors = caught.value.message_dict
    assert "additional to the PCN's baseline" in errors["declared_additional"][0]
    assert "costs claimed were paid" in errors["declared_costs_paid"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_a_line_without_costs_is_named_on_submission(world):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    services.claim_line_update(
        line=_line(claim, world.pharmacist), by=world.director, **PHARMACIST_COSTS
    )

    with pytest.raises(ValidationError) as caught:
        _submit(claim, world.director)

    errors = caught.value.message_dict
    key = services.line_key(_line(claim, world.link_worker_post))
    assert list(errors) == [key]
    assert "Enter the salary" in errors[key][0]


def test_a_post_that_ended_before_the_month_is_refused_on_its_line(world):
    claim = filled_claim(world)
    Post.objects.filter(pk=world.link_worker_post.pk).update(
        start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 5, 20)
    )

    with pytest.raises(ValidationError) as caught:
        _submit(claim, world.director)

    errors = caught.value.message_dict[services.line_key(_line(claim, world.link_worker_post))]
    assert "Tom Robson was not in post in June 2025" in errors[0]


def test_a_baseline_post_is_refused_on_its_line(world):
    claim = filled_claim(world)
    Post.objects.filter(pk=world.pharmacist.pk).update(
        start_date=dt.date(2018, 1, 1), in_post_at_baseline=True
    )

    with pytest.raises(ValidationError) as caught:
        _submit(claim, world.director)

    errors = caught.value.message_dict[services.line_key(_line(claim, world.pharmacist))]
    assert "part of the PCN's baseline" in errors[0]


def test_a_role_with_no_rate_that_month_is_refused_on_its_line(world):
    assistant = PostFactory(pcn=world.pcn, role=RoleFactory(code="gp_assistant"))
    claim = filled_claim(world)

    with pytest.raises(ValidationError) as caught:
        _submit(claim, world.director)

    errors = caught.value.message_dict
    assert list(errors) == [services.line_key(_line(claim, assistant))]
    message = errors[services.line_key(_line(claim, assistant))][0]
    assert "GP assistant" in message and "June 2025" in message


def test_a_submitted_claim_is_read_only_to_the_practice(world):
    claim = submitted_claim(world)

    assert claim.status == Claim.Status.SUBMITTED
    with pytest.raises(ValidationError, match="can no longer be changed by the practice"):
        services.claim_line_update(
            line=_line(claim, world.pharmacist), by=world.director, **LINK_WORKER_COSTS
        )
    with pytest.raises(ValidationError):
        _submit(claim, world.director)


def test_a_cost_over_one_and_a_half_times_the_cap_is_a_warning_not_a_refusal(world):
    claim = filled_claim(world)
    services.claim_line_update(
        line=_line(claim, world.link_worker_post),
        by=world.director,
        salary=Decimal("2800"),
        employer_ni=Decimal("0"),
        employer_pension=Decimal("0"),
    )

    claim = _submit(claim, world.director)

    line = _line(claim, world.link_worker_post)
    assert "more than one and a half times this line's cap £1,806.33" in line.over_cap_warning
    assert {"line": line.pk, "message": line.over_cap_warning} in claim.warnings
    assert line.reimbursable == Decimal("1806.33")


def test_an_entitlement_that_cannot_be_worked_out_is_a_warning(world):
    claim = _submit(filled_claim(world), world.director)

    messages = [w["message"] for w in claim.warnings]
    assert any("entitlement for 2025/26 could not be worked out" in m for m in messages)


def test_claims_passing_the_entitlement_are_a_warning(world):
    # 100 weighted patients at £26.631 (2025/26): an ARR sum of £2,663.10.
    ListSizeFactory(
        practice=world.payee_practice, date=dt.date(2024, 10, 1), weighted_patients=Decimal("100")
    )

    claim = _submit(filled_claim(world), world.director)

    messages = [w["message"] for w in claim.warnings]
    assert any(
        "£5,957.36 in 2025/26, more than its Additional Roles Reimbursement Sum of £2,663.10" in m
        for m in messages
    ), messages


def test_claims_within_the_entitlement_have_no_warning(world):
    ListSizeFactory(
        practice=world.payee_practice,
        date=dt.date(2024, 10, 1),
        weighted_patients=Decimal("40000"),
    )

    claim = _submit(filled_claim(world), world.director)

    assert claim.warnings == []


# Review ---------------------------------------------------------------------------------


def test_approving_a_line_locks_it(world):
    claim = submitted_claim(world)
    line = services.claim_line_approve(
        line=_line(claim, world.pharmacist), reason="Matches payroll.", by=world.reviewer
    )

    line.refresh_from_db()
    assert line.status == ClaimLine.Status.APPROVED
    assert line.approved_at is not None
    assert line.decided_by == world.reviewer
    line.salary = Decimal("1")
    with pytest.raises(ValidationError, match="approved and can no longer change"):
        line.save()
    with pytest.raises(ValidationError, match="already been approved"):
        services.claim_line_reject(line=line, reason="Changed my mind.", by=world.reviewer)


def test_rejecting_a_line_needs_a_reason(world):
    claim = submitted_claim(world)

    with pytest.raises(ValidationError) as caught:
        services.claim_line_reject(
            line=_line(claim, world.pharmacist), reason=" ", by=world.reviewer
        )

    assert "Give the reason" in caught.value.message_dict["reason"][0]


def test_the_claim_status_follows_its_lines(world):
    claim = submitted_claim(world)
    services.claim_line_reject(
        line=_line(claim, world.link_worker_post), reason="No payslip.", by=world.reviewer
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED

    services.claim_line_approve(line=_line(claim, world.pharmacist), by=world.reviewer)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PARTLY_APPROVED


def test_approving_all_remaining_lines_approves_the_claim(world):
    claim = submitted_claim(world)

    claim = services.claim_approve_remaining(claim=claim, by=world.reviewer)

    assert claim.status == Claim.Status.APPROVED
    assert not claim.lines.exclude(status=ClaimLine.Status.APPROVED).exists()
    assert claim.lines.approved().filter(approved_at__isnull=True).count() == 0


def test_a_claim_with_every_line_rejected_is_rejected(world):
    claim = submitted_claim(world)
    for line in claim.lines.all():
        services.claim_line_reject(line=line, reason="Not our PCN's staff.", by=world.reviewer)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED


def test_a_returned_claim_can_be_corrected_and_resubmitted_keeping_approved_lines(world):
    claim = submitted_claim(world)
    approved = services.claim_line_approve(line=_line(claim, world.pharmacist), by=world.reviewer)
    services.claim_line_reject(
        line=_line(claim, world.link_worker_post), reason="Pension too high.", by=world.reviewer
    )

    claim = services.claim_return(
        claim=claim, query="Check the link worker's pension.", by=world.reviewer
    )

    assert claim.status == Claim.Status.RETURNED
    assert claim.query == "Check the link worker's pension."
    reopened = _line(claim, world.link_worker_post)
    assert reopened.status == ClaimLine.Status.PENDING
    services.claim_line_update(
        line=reopened,
        by=world.director,
        **{**LINK_WORKER_COSTS, "employer_pension": Decimal("100")},
    )
    with pytest.raises(ValidationError, match="approved and can no longer change"):
        services.claim_line_update(line=approved, by=world.director, **LINK_WORKER_COSTS)

    claim = _submit(claim, world.director)

    assert claim.status == Claim.Status.PARTLY_APPROVED
    assert _line(claim, world.pharmacist).approved_at == approved.approved_at


def test_returning_needs_a_question(world):
    claim = submitted_claim(world)
    with pytest.raises(ValidationError) as caught:
        services.claim_return(claim=claim, query="", by=world.reviewer)
    assert "question" in caught.value.message_dict["query"][0]


def test_a_draft_cannot_be_reviewed(world):
    claim = filled_claim(world)
    with pytest.raises(ValidationError, match="only a submitted claim"):
        services.claim_approve_remaining(claim=claim, by=world.reviewer)
    with pytest.raises(ValidationError, match="cannot be returned"):
        services.claim_return(claim=claim, query="Why?", by=world.reviewer)


# E-mails and history --------------------------------------------------------------------


def test_submitting_emails_the_practice_and_the_commissioner(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted_claim(world)

    to = sorted(address for message in mailoutbox for address in message.to)
    assert to == sorted([world.director.email, world.practice_manager.email, world.reviewer.email])
    assert world.other_practice_manager.email not in to
    assert world.other_reviewer.email not in to
    assert all("June 2025" in message.subject for message in mailoutbox)


def test_every_review_decision_emails_the_practice_with_the_reason(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    claim = submitted_claim(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_line_reject(
            line=_line(claim, world.link_worker_post),
            reason="No payslip attached.",
            by=world.reviewer,
        )
        services.claim_return(claim=claim, query="Please send the payslip.", by=world.reviewer)

    practice = [m for m in mailoutbox if m.to == [world.practice_manager.email]]
    assert len(practice) == 2
    assert "rejected" in practice[0].subject and "No payslip attached." in practice[0].body
    assert "returned" in practice[1].subject and "Please send the payslip." in practice[1].body
    assert "Returned to the practice" in practice[1].body


def test_nothing_is_emailed_when_a_change_is_refused(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    claim = filled_claim(world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _submit(claim, world.director, declared_costs_paid=False)
    assert mailoutbox == []


def test_every_change_is_kept_in_the_history_with_who_made_it(world):
    claim = submitted_claim(world)
    line = services.claim_line_approve(line=_line(claim, world.pharmacist), by=world.reviewer)

    line_history = list(line.history.order_by("history_date"))
    assert [h.history_user for h in line_history][-1] == world.reviewer
    assert line_history[-1].status == ClaimLine.Status.APPROVED
    assert any(h.salary == PHARMACIST_COSTS["salary"] for h in line_history)
    assert line_history[0].history_user == world.director
    statuses = [h.status for h in claim.history.order_by("history_date")]
    assert statuses[0] == Claim.Status.DRAFT
    assert Claim.Status.SUBMITTED in statuses
    assert claim.history.latest().history_user == world.reviewer
