"""Writes for workforce plans: start a plan (or its next version), change its planned posts,
submit it, sign it off, and turn a planned post into a post in post.

Keyword-only, transactional, validated with full_clean(); `by` is recorded on each history row.
Each service locks the plan first, so two changes to one plan queue rather than cross. Who may
call them is decided at the edge (views) by pcn_admin.access.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from networks.models import PCN
from pcn_admin.dates import year_label
from roles import services as role_services
from roles.models import Post, Role
from roles.selectors import post_rows

from .models import FIRST_PLAN_YEAR, PlannedPost, WorkforcePlan

# The planned post's fields a form may set; the plan and the post in post are set here.
PLANNED_POST_FIELDS = ("role", "hours", "afc_band", "region", "start_month", "end_month", "note")


def _save(instance, by) -> None:
    instance._history_user = by  # simple_history reads this outside a request
    instance.save()


def _locked(plan: WorkforcePlan) -> WorkforcePlan:
    return WorkforcePlan.objects.select_for_update().select_related("pcn").get(pk=plan.pk)


def _check_draft(plan: WorkforcePlan) -> None:
    """A change to a plan that is no longer a draft says why, never a server error."""
    if plan.status != WorkforcePlan.Status.DRAFT:
        raise ValidationError(
            f"Version {plan.version} of this plan is {plan.get_status_display().lower()} and "
            "can no longer be changed. Start a new version to change the plan."
        )


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(PLANNED_POST_FIELDS)
    if unknown:
        raise TypeError(f"unexpected planned post fields: {', '.join(sorted(unknown))}")


@transaction.atomic
def plan_start(*, pcn: PCN, year: int, by) -> WorkforcePlan:
    """A draft plan for the PCN's financial year. Version 1 starts from the staff in post in
    the year (each claimable post with its hours, carried in as a planned post linked to it);
    a later version starts as a copy of the submitted plan, which it supersedes once it is
    submitted itself. Refused while the year already has a draft."""
    if year < FIRST_PLAN_YEAR:
        raise ValidationError(
            {
                "year": f"Plans start with {year_label(FIRST_PLAN_YEAR)}, the first year with an "
                "ARR sum. Choose a later year."
            }
        )
    plans = list(
        WorkforcePlan.objects.select_for_update().filter(pcn=pcn, year=year).order_by("-version")
    )
    if any(plan.is_draft for plan in plans):
        raise ValidationError(
            {
                "year": f"The PCN already has a draft plan for {year_label(year)}. Open it and "
                "change it."
            }
        )
    live = next((plan for plan in plans if plan.status in WorkforcePlan.LIVE), None)
    plan = WorkforcePlan(
        pcn=pcn, year=year, version=plans[0].version + 1 if plans else 1, created_by=by
    )
    plan.full_clean()
    try:
        with transaction.atomic():
            _save(plan, by)
    except IntegrityError:  # another post made the draft between the check and the save
        raise ValidationError(
            {"year": f"The PCN already has a draft plan for {year_label(year)}. Open it."}
        ) from None
    if live is not None:
        sources = [_copy(source, plan=plan, by=by) for source in live.posts.all()]
    else:
        sources = _from_staff_in_post(plan=plan, by=by)
    for planned in sources:
        planned.full_clean()
        _save(planned, by)
    return plan


def _copy(source: PlannedPost, *, plan: WorkforcePlan, by) -> PlannedPost:
    fields = {name: getattr(source, name) for name in PLANNED_POST_FIELDS}
    return PlannedPost(plan=plan, post_id=source.post_id, created_by=by, **fields)


def _from_staff_in_post(*, plan: WorkforcePlan, by) -> list[PlannedPost]:
    """The PCN's claimable posts in post at some time in the year, each from its first month
    in the year (April for a post already in post) with the hours it has then. Baseline staff
    and GPs already at the PCN cannot be claimed, so they are not planned."""
    first, last = plan.first_month, dt.date(plan.year + 1, 3, 31)
    rows = post_rows(pcn_ids=[plan.pcn_id], start=first, end=last)
    roles = {role.code: role for role in Role.objects.filter(code__in={r.role_code for r in rows})}
    planned = []
    for row in rows:
        start_month = max(first, row.start_date.replace(day=1))
        hours = row.hours_on(max(start_month, row.start_date))
        if not row.is_claimable or hours is None:
            continue
        end_month = row.end_date.replace(day=1) if row.end_date and row.end_date <= last else None
        planned.append(
            PlannedPost(
                plan=plan,
                role=roles[row.role_code],
                hours=hours,
                afc_band=row.afc_band,
                region=row.region,
                start_month=start_month,
                end_month=end_month,
                post_id=row.pk,
                created_by=by,
            )
        )
    return planned


@transaction.atomic
def planned_post_add(*, plan: WorkforcePlan, by, **fields) -> PlannedPost:
    """Add a post to a draft plan."""
    _check_fields(fields)
    plan = _locked(plan)
    _check_draft(plan)
    planned = PlannedPost(plan=plan, created_by=by, **fields)
    planned.full_clean()
    _save(planned, by)
    return planned


@transaction.atomic
def planned_post_update(*, planned_post: PlannedPost, by, **fields) -> PlannedPost:
    """Change a post of a draft plan: its role, hours, band, region or months."""
    _check_fields(fields)
    plan = _locked(planned_post.plan)
    _check_draft(plan)
    planned = PlannedPost.objects.select_related("role").get(pk=planned_post.pk)
    for name, value in fields.items():
        setattr(planned, name, value)
    planned.plan = plan
    planned.full_clean()
    _save(planned, by)
    return planned


@transaction.atomic
def planned_post_remove(*, planned_post: PlannedPost, by) -> None:
    """Take a post out of a draft plan (its history keeps it)."""
    plan = _locked(planned_post.plan)
    _check_draft(plan)
    planned = PlannedPost.objects.get(pk=planned_post.pk)
    planned._history_user = by
    planned.delete()


@transaction.atomic
def plan_submit(*, plan: WorkforcePlan, by) -> WorkforcePlan:
    """Submit a draft plan to the commissioner. The PCN's plan submitted before for the year,
    signed off or not, is superseded: one submitted plan per PCN and year."""
    plan = _locked(plan)
    _check_draft(plan)
    if not plan.posts.exists():
        raise ValidationError(
            "The plan has no posts. Add the posts the PCN plans for the year, then submit it."
        )
    earlier = WorkforcePlan.objects.select_for_update().filter(
        pcn_id=plan.pcn_id, year=plan.year, status__in=WorkforcePlan.LIVE
    )
    for previous in earlier:
        previous.status = WorkforcePlan.Status.SUPERSEDED
        previous._change_reason = f"Superseded by version {plan.version}."
        _save(previous, by)
    plan.status = WorkforcePlan.Status.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = by
    plan.full_clean()
    _save(plan, by)
    return plan


@transaction.atomic
def plan_sign_off(*, plan: WorkforcePlan, by) -> WorkforcePlan:
    """The commissioner's staff sign off a submitted plan."""
    plan = _locked(plan)
    if plan.status == WorkforcePlan.Status.SIGNED_OFF:
        raise ValidationError(
            f"This plan was signed off on {timezone.localtime(plan.signed_off_at):%d %B %Y}."
        )
    if plan.status != WorkforcePlan.Status.SUBMITTED:
        raise ValidationError(
            f"Only a submitted plan can be signed off; this one is "
            f"{plan.get_status_display().lower()}."
        )
    plan.status = WorkforcePlan.Status.SIGNED_OFF
    plan.signed_off_at = timezone.now()
    plan.signed_off_by = by
    plan.full_clean()
    _save(plan, by)
    return plan


@transaction.atomic
def planned_post_recruit(
    *,
    planned_post: PlannedPost,
    by,
    person_name: str,
    start_date: dt.date,
    registration_number: str = "",
    employing_practice=None,
    subcontractor_name: str = "",
    cct_date: dt.date | None = None,
) -> Post:
    """The planned post is filled: a post in post (roles.services.post_create) with the plan's
    role, hours, band and region and the person's details typed now, linked from the plan."""
    plan = _locked(planned_post.plan)
    if plan.status == WorkforcePlan.Status.SUPERSEDED:
        raise ValidationError(
            "This version of the plan has been superseded. Recruit from the current version."
        )
    planned = PlannedPost.objects.select_for_update().select_related("role").get(pk=planned_post.pk)
    if planned.post_id is not None:
        raise ValidationError(f"This planned post is already in post ({planned.post.person_name}).")
    post = role_services.post_create(
        pcn=plan.pcn,
        hours=Decimal(planned.hours),
        by=by,
        role=planned.role,
        afc_band=planned.afc_band,
        region=planned.region,
        person_name=person_name,
        registration_number=registration_number,
        employing_practice=employing_practice,
        subcontractor_name=subcontractor_name,
        start_date=start_date,
        cct_date=cct_date,
    )
    planned.post = post
    planned._change_reason = f"Recruited: post in post from {start_date:%d %B %Y}."
    _save(planned, by)
    return post
