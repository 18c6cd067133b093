"""The month's bulk review: every clean line of the area's claims in review approved in one
action, lines with anything to check held back and listed, with the per-claim approval's
guarantees (locked, history, the practice told), safe to press twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reimbursement import services
from reimbursement.models import Claim, ClaimLine
from roles.models import Provenance
from tests.networks.factories import ListSizeFactory, PCNFactory
from tests.reimbursement.factories import (
    JUNE,
    ApprovedClaimLineFactory,
    ClaimFactory,
    ClaimLineFactory,
    submitted_claim,
)
from tests.roles.factories import PostFactory, RateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_before_pay_awards")]

URL = reverse("reimbursement:bulk_review")


def in_review(pcn, month=JUNE, warnings=None, status=Claim.Status.SUBMITTED) -> Claim:
    return ClaimFactory(
        pcn=pcn,
        month=month,
        status=status,
        submitted_at=timezone.now(),
        warnings=warnings or [],
    )


def line(claim, name, **fields) -> ClaimLine:
    figures = {
        "salary": Decimal("1000.00"),
        "employer_ni": Decimal("100.00"),
        "employer_pension": Decimal("143.80"),
        "cost": Decimal("1243.80"),
        "cap": Decimal("2000.00"),
        "reimbursable": Decimal("1243.80"),
        **fields,
    }
    return ClaimLineFactory(
        claim=claim,
        post=PostFactory(pcn=claim.pcn, person_name=name, start_date=dt.date(2024, 4, 1)),
        **figures,
    )


@pytest.fixture
def month_of_claims(world):
    """June's claims in the reviewer's area: lines clean and with each kind of warning."""
    pcn, commissioner = world.pcn, world.pcn.commissioner
    clean_claim = in_review(pcn)
    clean = line(clean_claim, "Clean Clara")
    over_cap = line(clean_claim, "Over Oscar", cost=Decimal("5000.00"), cap=Decimal("1000.00"))
    derived = line(
        clean_claim,
        "Derived Dev",
        rate_used=RateFactory(provenance=Provenance.DERIVED_UPLIFT, basis="A pay award."),
    )
    no_amount = line(
        clean_claim, "Nomoney Nell", reimbursable=None, calculation_error="No rate for June."
    )
    ended = line(clean_claim, "Ended Ed")
    ended.post.end_date = dt.date(2025, 5, 31)
    ended.post.save()
    approved = ApprovedClaimLineFactory(claim=clean_claim, post__pcn=pcn)

    other_pcn = PCNFactory(commissioner=commissioner)
    warned_claim = in_review(
        other_pcn,
        status=Claim.Status.PARTLY_APPROVED,
        warnings=[{"line": None, "message": "Over the ARR sum."}],
    )
    warned = line(warned_claim, "Warned Wanda")

    # Not in the month's review: another area, another month, a draft.
    foreign = line(in_review(PCNFactory()), "Foreign Fay")
    may = line(in_review(pcn, month=dt.date(2025, 5, 1)), "May Mo")
    draft = line(in_review(other_pcn, month=dt.date(2025, 7, 1), status="draft"), "Draft Di")
    return {
        "clean": clean,
        "over_cap": over_cap,
        "derived": derived,
        "no_amount": no_amount,
        "ended": ended,
        "approved": approved,
        "warned": warned,
        "foreign": foreign,
        "may": may,
        "draft": draft,
    }


def plan_for(world):
    claims = Claim.objects.filter(pcn__commissioner=world.pcn.commissioner)
    return services.bulk_review_plan(claims=claims, month=JUNE)


def test_only_clean_lines_are_listed_to_approve_and_each_held_line_says_why(world, month_of_claims):
    plan = plan_for(world)

    assert plan.clean == [month_of_claims["clean"]]
    held = {line.post.person_name: reasons for line, reasons in plan.held}
    assert set(held) == {"Over Oscar", "Derived Dev", "Nomoney Nell", "Ended Ed", "Warned Wanda"}
    assert "more than one and a half times this line's cap" in held["Over Oscar"][0]
    assert "Priced on a derived maximum, not a published one" in held["Derived Dev"][0]
    assert held["Nomoney Nell"] == ["No rate for June."]
    assert "was not in post in June 2025" in held["Ended Ed"][0]
    assert held["Warned Wanda"] == ["The claim has a warning: Over the ARR sum."]
    assert plan.clean_total == Decimal("1243.80")


def test_approving_in_bulk_approves_the_clean_lines_only_and_is_safe_to_repeat(
    world, month_of_claims
):
    claims = Claim.objects.filter(pcn__commissioner=world.pcn.commissioner)
    everything = [line.pk for line in month_of_claims.values()]

    result = services.claim_lines_bulk_approve(
        claims=claims, month=JUNE, line_ids=everything, by=world.reviewer
    )

    assert (result.approved, result.claims) == (1, 1)
    statuses = dict(ClaimLine.objects.values_list("post__person_name", "status"))
    assert statuses["Clean Clara"] == "approved"
    for name in ("Over Oscar", "Derived Dev", "Nomoney Nell", "Ended Ed", "Warned Wanda"):
        assert statuses[name] == "pending", name
    assert statuses["Foreign Fay"] == statuses["May Mo"] == statuses["Draft Di"] == "pending"
    assert any(text.startswith("Over Oscar") for text in result.not_approved)
    clean = ClaimLine.objects.get(pk=month_of_claims["clean"].pk)
    assert clean.is_locked and clean.decided_by == world.reviewer
    assert clean.history.first().history_user == world.reviewer

    again = services.claim_lines_bulk_approve(
        claims=claims, month=JUNE, line_ids=[clean.pk], by=world.reviewer
    )

    assert again.approved == 0
    assert "1 line(s) had already been decided" in again.not_approved[-1]
    assert clean.history.count() == ClaimLine.objects.get(pk=clean.pk).history.count()


def test_a_claim_whose_lines_are_all_clean_is_approved_and_the_practice_told_once(
    world, django_capture_on_commit_callbacks
):
    # Within the entitlement (40,000 weighted patients), so the claim has no warning.
    ListSizeFactory(
        practice=world.payee_practice, date=dt.date(2024, 10, 1), weighted_patients=Decimal("40000")
    )
    # The link worker's maximum is derived (from the same band): that line would be held.
    world.link_worker_post.delete()
    claim = submitted_claim(world)
    assert claim.warnings == []
    plan = plan_for(world)
    assert len(plan.clean) == 1
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_lines_bulk_approve(
            claims=Claim.objects.all(), month=JUNE, line_ids=plan.clean_ids, by=world.reviewer
        )

    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert len({tuple(m.to) for m in mail.outbox}) == len(mail.outbox) > 0
    assert all("approved" in m.subject.lower() for m in mail.outbox)


def test_lines_of_claims_outside_those_given_are_never_approved(world, month_of_claims):
    own_area = Claim.objects.filter(pcn__commissioner=world.pcn.commissioner)

    result = services.claim_lines_bulk_approve(
        claims=own_area, month=JUNE, line_ids=[month_of_claims["foreign"].pk], by=world.reviewer
    )

    assert result.approved == 0
    assert ClaimLine.objects.get(pk=month_of_claims["foreign"].pk).status == "pending"


# The page ------------------------------------------------------------------------------------


def test_the_page_lists_what_will_be_approved_and_what_is_held_then_approves_it(
    client, world, month_of_claims
):
    client.force_login(world.reviewer)

    page = client.get(URL, {"month": "2025-06"}).content.decode()

    assert "To approve: 1 line, £1,243.80" in page
    assert "Clean Clara" in page and "Held back for the claim's page: 5 lines" in page
    assert "Foreign Fay" not in page and "May Mo" not in page
    clean = month_of_claims["clean"].pk
    assert f'name="lines" value="{clean}"' in page

    response = client.post(URL, {"month": "2025-06", "lines": str(clean)}, follow=True)

    assert "1 line(s) approved on 1 claim(s) for June 2025." in response.content.decode()
    assert ClaimLine.objects.get(pk=clean).status == "approved"
    assert "To approve: 0 lines" in response.content.decode()


def test_pressing_approve_twice_approves_once(client, world, month_of_claims):
    client.force_login(world.reviewer)
    clean = month_of_claims["clean"]
    data = {
        "month": "2025-06",
        "lines": str(clean.pk),
        "submission_token": "6f1c8a4e-3d2b-4c1a-9e8f-7a6b5c4d3e2f",
    }

    first = client.post(URL, data)
    second = client.post(URL, data, follow=True)

    assert first.status_code == 302
    assert "sent more than once" in second.content.decode()
    assert clean.history.filter(status="approved").count() == 1


def test_a_line_given_a_warning_after_the_page_was_shown_is_held_back(
    client, world, month_of_claims
):
    client.force_login(world.reviewer)
    clean = month_of_claims["clean"]
    client.get(URL, {"month": "2025-06"})
    Claim.objects.filter(pk=clean.claim_id).update(
        warnings=[{"line": clean.pk, "message": "Salary changed on resubmission."}]
    )

    response = client.post(URL, {"month": "2025-06", "lines": str(clean.pk)}, follow=True)

    assert "Not approved: Clean Clara" in response.content.decode()
    assert ClaimLine.objects.get(pk=clean.pk).status == "pending"


@pytest.mark.parametrize("persona", ["director", "practice_manager", "link_worker"])
def test_only_commissioner_staff_review_in_bulk(client, world, month_of_claims, persona):
    client.force_login(getattr(world, persona))
    clean = month_of_claims["clean"].pk

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"month": "2025-06", "lines": str(clean)}).status_code == 403
    assert ClaimLine.objects.get(pk=clean).status == "pending"


def test_another_areas_reviewer_sees_and_approves_none_of_this_area(client, world, month_of_claims):
    client.force_login(world.other_reviewer)
    clean = month_of_claims["clean"].pk

    page = client.get(URL, {"month": "2025-06"}).content.decode()
    client.post(URL, {"month": "2025-06", "lines": str(clean)})

    assert "Clean Clara" not in page
    assert ClaimLine.objects.get(pk=clean).status == "pending"


@pytest.mark.parametrize("count", [5, 100])
def test_the_page_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, count
):
    for index in range(count):
        claim = in_review(PCNFactory(commissioner=world.pcn.commissioner))
        line(claim, f"Clean {index:03d}")
        line(claim, f"Over {index:03d}", cost=Decimal("5000.00"), cap=Decimal("1000.00"))
    client.force_login(world.reviewer)

    with django_assert_max_num_queries(8):
        response = client.get(URL, {"month": "2025-06"})

    assert len(response.context["plan"].clean) == len(response.context["plan"].held) == count
