"""Copy forward: a month's claim started from the previous month's costs, marked as copied
until edited; hours come from the posts as they are now."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reimbursement import services
from reimbursement.models import Claim, ClaimLine
from roles import services as role_services
from tests.reimbursement.factories import JUNE, PHARMACIST_COSTS, filled_claim, submitted_claim
from tests.roles.factories import PostFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_before_pay_awards")]

JULY = dt.date(2025, 7, 1)


def _line(claim, post) -> ClaimLine:
    return claim.lines.get(post=post)


def test_each_empty_line_gets_last_months_costs_priced_for_this_month_and_marked(world):
    june = submitted_claim(world)
    july = services.claim_create(pcn=world.pcn, month=JULY, by=world.director)

    result = services.claim_copy_forward(claim=july, by=world.director)

    assert (result.copied, result.kept, result.new_staff, result.source) == (2, 0, 0, june)
    pharmacist = _line(july, world.pharmacist)
    assert pharmacist.costs_copied
    assert (pharmacist.salary, pharmacist.employer_ni, pharmacist.employer_pension) == (
        Decimal("3500.00"),
        Decimal("465.80"),
        Decimal("500.00"),
    )
    # Priced for July by the money rule: the June starter is in post all month now.
    link_worker = _line(july, world.link_worker_post)
    assert (link_worker.days_in_post, link_worker.days_in_month) == (31, 31)
    assert link_worker.reimbursable == Decimal("1492.56")  # cost * 100%, under July's full cap
    assert link_worker.history.first().history_user == world.director


def test_hours_come_from_the_post_as_it_is_now_not_last_month(world):
    submitted_claim(world)  # June: the pharmacist at 30 hours
    role_services.post_update(
        post=world.pharmacist, hours=Decimal("37.5"), hours_from=JULY, by=world.director
    )
    july = services.claim_create(pcn=world.pcn, month=JULY, by=world.director)

    services.claim_copy_forward(claim=july, by=world.director)

    line = _line(july, world.pharmacist)
    assert line.hours == Decimal("37.5")
    assert line.wte == Decimal("1")
    assert line.salary == Decimal("3500.00")  # June's pay, to be checked: it is marked copied
    assert line.costs_copied


def test_editing_a_copied_line_clears_the_mark_and_saving_it_unchanged_keeps_it(world):
    submitted_claim(world)
    july = services.claim_create(pcn=world.pcn, month=JULY, by=world.director)
    services.claim_copy_forward(claim=july, by=world.director)

    unchanged = services.claim_line_update(
        line=_line(july, world.pharmacist), by=world.director, **PHARMACIST_COSTS
    )
    assert unchanged.costs_copied
    edited = services.claim_line_update(
        line=_line(july, world.pharmacist),
        by=world.director,
        **{**PHARMACIST_COSTS, "salary": Decimal("3550.00")},
    )
    assert not edited.costs_copied
    assert edited.costs_source == ClaimLine.CostsSource.TYPED


def test_lines_with_costs_and_new_staff_are_left_and_copying_twice_changes_nothing(world):
    submitted_claim(world)
    newcomer = PostFactory(
        pcn=world.pcn,
        person_name="Nia Newcomer",
        employing_practice=world.payee_practice,
        start_date=JULY,
    )
    july = services.claim_create(pcn=world.pcn, month=JULY, by=world.director)
    services.claim_line_update(
        line=_line(july, world.pharmacist),
        by=world.director,
        salary=Decimal("3600.00"),
        employer_ni=Decimal("480.00"),
        employer_pension=Decimal("517.68"),
    )

    first = services.claim_copy_forward(claim=july, by=world.director)
    second = services.claim_copy_forward(claim=july, by=world.director)

    assert (first.copied, first.kept, first.new_staff) == (1, 1, 1)
    assert (second.copied, second.kept, second.new_staff) == (0, 2, 1)
    assert _line(july, world.pharmacist).salary == Decimal("3600.00")
    assert _line(july, newcomer).salary is None


def test_there_must_be_a_claim_for_the_month_before(world):
    july = services.claim_create(pcn=world.pcn, month=JULY, by=world.director)

    with pytest.raises(ValidationError, match="There is no claim for June 2025 to copy from"):
        services.claim_copy_forward(claim=july, by=world.director)


def test_a_submitted_claim_is_not_copied_into(world):
    filled_claim(world, dt.date(2025, 5, 1))
    june = submitted_claim(world)

    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.claim_copy_forward(claim=june, by=world.director)


# Pages --------------------------------------------------------------------------------------


def test_the_claim_pages_tag_copied_lines_until_edited(client, world):
    submitted_claim(world)
    july = services.claim_create(pcn=world.pcn, month=JULY, by=world.director)
    client.force_login(world.practice_manager)

    response = client.post(reverse("reimbursement:claim_copy_forward", args=[july.pk]))

    assert response["Location"] == reverse("reimbursement:claim_edit", args=[july.pk])
    edit = client.get(response["Location"]).content.decode()
    assert "2 line(s) given June 2025&#x27;s costs, marked as copied" in edit
    assert edit.count('data-testid="copied-tag"') == 2
    services.claim_line_update(
        line=_line(july, world.pharmacist), by=world.director, **PHARMACIST_COSTS
    )
    services.claim_line_update(
        line=_line(july, world.link_worker_post),
        by=world.director,
        salary=Decimal("1300.00"),
        employer_ni=Decimal("130.00"),
        employer_pension=Decimal("186.94"),
    )
    services.claim_submit(
        claim=july, declared_additional=True, declared_costs_paid=True, by=world.director
    )
    client.force_login(world.reviewer)
    detail = client.get(reverse("reimbursement:claim_detail", args=[july.pk])).content.decode()
    assert detail.count('data-testid="copied-tag"') == 1  # the reviewer sees what was not edited


def test_a_claim_can_be_started_from_last_months_costs(client, world):
    submitted_claim(world)
    client.force_login(world.practice_manager)

    response = client.post(
        reverse("reimbursement:claim_create"),
        {"pcn": world.pcn.pk, "month": "2025-07", "kind": "normal", "copy_forward": "on"},
    )

    july = Claim.objects.get(month=JULY)
    assert response["Location"] == reverse("reimbursement:claim_edit", args=[july.pk])
    assert july.lines.filter(costs_source=ClaimLine.CostsSource.COPIED).count() == 2


def test_starting_without_a_month_before_still_starts_the_claim_and_says_why(client, world):
    client.force_login(world.practice_manager)

    response = client.post(
        reverse("reimbursement:claim_create"),
        {"pcn": world.pcn.pk, "month": "2025-06", "kind": "normal", "copy_forward": "on"},
        follow=True,
    )

    assert Claim.objects.filter(month=JUNE).exists()
    assert "There is no claim for May 2025 to copy from" in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "link_worker"])
def test_only_those_preparing_the_claim_copy_into_it(client, world, persona):
    submitted_claim(world)
    july = services.claim_create(pcn=world.pcn, month=JULY, by=world.director)
    client.force_login(getattr(world, persona))

    response = client.post(reverse("reimbursement:claim_copy_forward", args=[july.pk]))

    assert response.status_code == 403
    assert not july.lines.filter(salary__isnull=False).exists()
