"""Writes for workforce plans: a plan starts from the staff in post, changes only while a
draft, is submitted once a year (a new version supersedes the old, which keeps its history),
is signed off by the commissioner, and a planned post becomes a post in post in one step."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roles.models import Post
from tests.roles.factories import PostFactory, RoleFactory
from workforce import services
from workforce.models import PlannedPost, WorkforcePlan

from .factories import PlannedPostFactory, WorkforcePlanFactory

pytestmark = pytest.mark.django_db


def test_a_first_plan_starts_from_the_staff_in_post_in_the_year(world):
    pharmacist = PostFactory(pcn=world.pcn, employing_practice=world.practice)
    PostFactory(
        pcn=world.pcn,
        employing_practice=world.practice,
        start_date=dt.date(2025, 8, 18),
        end_date=dt.date(2026, 1, 9),
        hours="20",
    )
    PostFactory(  # baseline staff cannot be claimed: not planned
        pcn=world.pcn,
        employing_practice=world.practice,
        start_date=dt.date(2018, 5, 1),
        in_post_at_baseline=True,
    )
    PostFactory(  # left before the year
        pcn=world.pcn, employing_practice=world.practice, end_date=dt.date(2025, 3, 31)
    )

    plan = services.plan_start(pcn=world.pcn, year=2025, by=world.director)

    rows = list(
        plan.posts.order_by("start_month").values_list(
            "post_id", "start_month", "end_month", "hours"
        )
    )
    assert rows[0] == (pharmacist.pk, dt.date(2025, 4, 1), None, Decimal("37.50"))
    assert rows[1][1:] == (dt.date(2025, 8, 1), dt.date(2026, 1, 1), Decimal("20.00"))
    assert len(rows) == 2
    assert plan.status == WorkforcePlan.Status.DRAFT and plan.version == 1
    assert plan.history.first().history_user == world.director


def test_one_draft_at_a_time(world):
    services.plan_start(pcn=world.pcn, year=2025, by=world.director)
    with pytest.raises(ValidationError, match="already has a draft plan for 2025/26"):
        services.plan_start(pcn=world.pcn, year=2025, by=world.director)


def test_a_submitted_plan_cannot_be_changed(world):
    plan = WorkforcePlanFactory(pcn=world.pcn)
    planned = PlannedPostFactory(plan=plan)
    services.plan_submit(plan=plan, by=world.director)

    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.planned_post_update(planned_post=planned, by=world.director, hours=Decimal("10"))
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.planned_post_remove(planned_post=planned, by=world.director)
    assert PlannedPost.objects.get(pk=planned.pk).hours == Decimal("37.50")


def test_an_empty_plan_is_not_submitted(world):
    plan = WorkforcePlanFactory(pcn=world.pcn)
    with pytest.raises(ValidationError, match="no posts"):
        services.plan_submit(plan=plan, by=world.director)
    plan.refresh_from_db()
    assert plan.status == WorkforcePlan.Status.DRAFT


def test_a_new_version_copies_the_submitted_plan_and_supersedes_it_when_submitted(world):
    first = WorkforcePlanFactory(pcn=world.pcn)
    PlannedPostFactory(plan=first, note="Care homes")
    services.plan_submit(plan=first, by=world.director)
    services.plan_sign_off(plan=first, by=world.staff)

    second = services.plan_start(pcn=world.pcn, year=2025, by=world.director)
    assert second.version == 2
    assert list(second.posts.values_list("note", flat=True)) == ["Care homes"]
    services.planned_post_add(
        plan=second,
        by=world.director,
        role=RoleFactory(code="paramedic"),
        hours=Decimal("37.5"),
        start_month=dt.date(2025, 10, 1),
    )
    services.plan_submit(plan=second, by=world.director)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WorkforcePlan.Status.SUPERSEDED
    assert second.status == WorkforcePlan.Status.SUBMITTED
    assert first.posts.count() == 1 and second.posts.count() == 2
    assert first.history.first().history_change_reason == "Superseded by version 2."
    assert [h.status for h in first.history.order_by("history_id")] == [
        "draft",
        "submitted",
        "signed_off",
        "superseded",
    ]


def test_only_a_submitted_plan_is_signed_off(world):
    plan = WorkforcePlanFactory(pcn=world.pcn)
    with pytest.raises(ValidationError, match="Only a submitted plan"):
        services.plan_sign_off(plan=plan, by=world.staff)
    PlannedPostFactory(plan=plan)
    services.plan_submit(plan=plan, by=world.director)
    services.plan_sign_off(plan=plan, by=world.staff)
    with pytest.raises(ValidationError, match="was signed off on"):
        services.plan_sign_off(plan=plan, by=world.staff)
    plan.refresh_from_db()
    assert plan.signed_off_by == world.staff


def test_a_start_month_outside_the_year_is_refused_naming_the_year(world):
    plan = WorkforcePlanFactory(pcn=world.pcn)
    with pytest.raises(ValidationError) as refused:
        services.planned_post_add(
            plan=plan,
            by=world.director,
            role=RoleFactory(code="paramedic"),
            hours=Decimal("37.5"),
            start_month=dt.date(2026, 4, 1),
        )
    assert "April 2025 to March 2026" in refused.value.message_dict["start_month"][0]
    assert not plan.posts.exists()


def test_more_than_full_time_is_refused(world):
    plan = WorkforcePlanFactory(pcn=world.pcn)
    with pytest.raises(ValidationError, match="more than full time"):
        services.planned_post_add(
            plan=plan,
            by=world.director,
            role=RoleFactory(code="gp"),
            hours=Decimal("10"),
            start_month=dt.date(2025, 4, 1),
        )


def test_a_planned_post_becomes_a_post_in_post_in_one_step(world):
    plan = WorkforcePlanFactory(pcn=world.pcn)
    planned = PlannedPostFactory(
        plan=plan,
        role=RoleFactory(code="pharmacy_technician"),
        hours=Decimal("30"),
        afc_band="5",
        region="outer_london",
        start_month=dt.date(2025, 9, 1),
    )
    services.plan_submit(plan=plan, by=world.director)

    post = services.planned_post_recruit(
        planned_post=planned,
        by=world.director,
        person_name="Sunita Rao",
        registration_number="2087654",
        employing_practice=world.practice,
        start_date=dt.date(2025, 9, 15),
    )

    assert (post.pcn, post.role.code, post.afc_band, post.region) == (
        world.pcn,
        "pharmacy_technician",
        "5",
        "outer_london",
    )
    assert post.hours.get().hours == Decimal("30.00")
    planned.refresh_from_db()
    assert planned.post == post
    with pytest.raises(ValidationError, match="already in post"):
        services.planned_post_recruit(
            planned_post=planned,
            by=world.director,
            person_name="Someone Else",
            employing_practice=world.practice,
            start_date=dt.date(2025, 9, 15),
        )
    assert Post.objects.filter(pcn=world.pcn).count() == 1


def test_recruiting_refuses_what_a_post_refuses_and_leaves_nothing(world):
    planned = PlannedPostFactory(plan=WorkforcePlanFactory(pcn=world.pcn))
    with pytest.raises(ValidationError) as refused:
        services.planned_post_recruit(
            planned_post=planned,
            by=world.director,
            person_name="No Registration",
            employing_practice=world.practice,
            start_date=dt.date(2025, 4, 1),
        )
    assert "registration_number" in refused.value.message_dict
    assert not Post.objects.exists()
    planned.refresh_from_db()
    assert planned.post is None
