"""Writes for the roles app: staff in post and the ARRS reference data.

Keyword-only, transactional, validated with full_clean(); `by` is recorded on the history row.
Who may call them is decided at the edge (views, API, admin) by pcn_admin.access.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from networks.models import PCN
from pcn_admin.bounds import a_year_ahead, check_scheme_date

from .models import (
    EntitlementRate,
    Post,
    PostHours,
    Provenance,
    Rate,
    ReimbursementPercentage,
    Role,
)

# Post fields a form or API may set; pcn and hours are handled on their own.
POST_FIELDS = (
    "role",
    "person_name",
    "registration_number",
    "employing_practice",
    "subcontractor_name",
    "afc_band",
    "start_date",
    "end_date",
    "region",
    "in_post_at_baseline",
    "transferred_from_national_scheme",
    "cct_date",
    "earlier_post_at_pcn",
)


# Baseline staff (in post on 31 March 2019) started before the scheme, but not before the NHS.
NHS_BEGAN = dt.date(1948, 7, 5)


def _check_start_date(post: Post) -> None:
    """A start date before 2019, or more than a year ahead, cannot be right (baseline and
    transferred staff apart, who were in post before the scheme began)."""
    if post.in_post_at_baseline or post.transferred_from_national_scheme:
        if post.start_date and post.start_date < NHS_BEGAN:
            raise ValidationError(
                {"start_date": "The start date is before the NHS began. Check the year."}
            )
        if post.start_date and post.start_date > a_year_ahead():
            raise ValidationError(
                {"start_date": "The start date is more than a year ahead. Check the year."}
            )
        return
    check_scheme_date(post.start_date, field="start_date", label="The start date")


def _save_with_history(instance, by) -> None:
    instance._history_user = by  # simple_history reads this outside a request
    instance.save()


def _hours_errors(error: ValidationError) -> ValidationError:
    """PostHours' field names as the forms and API call them."""
    if not hasattr(error, "error_dict"):
        return error
    names = {"effective_from": "hours_from"}
    return ValidationError(
        {names.get(field, field): messages for field, messages in error.message_dict.items()}
    )


def _set_hours(*, post: Post, hours: Decimal, effective_from: dt.date, by) -> None:
    row = PostHours.objects.filter(post=post, effective_from=effective_from).first()
    row = row or PostHours(post=post, effective_from=effective_from, created_by=by)
    row.hours = hours
    try:
        row.full_clean()
    except ValidationError as error:
        raise _hours_errors(error) from None
    row.save()


@transaction.atomic
def post_create(*, pcn: PCN, hours: Decimal, by, **fields) -> Post:
    """A new member of staff in post, with their contracted hours from their start date."""
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise TypeError(f"post_create() got unexpected fields: {', '.join(sorted(unknown))}")
    post = Post(pcn=pcn, created_by=by, **fields)
    _check_start_date(post)
    post.full_clean()
    _save_with_history(post, by)
    _set_hours(post=post, hours=hours, effective_from=post.start_date, by=by)
    return post


@transaction.atomic
def post_update(
    *,
    post: Post,
    by,
    hours: Decimal | None = None,
    hours_from: dt.date | None = None,
    **fields,
) -> Post:
    """Change a post. A change of hours applies from `hours_from` (default: the start date if the
    post has no hours yet, otherwise today), so past months keep the hours they had."""
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise TypeError(f"post_update() got unexpected fields: {', '.join(sorted(unknown))}")
    post = Post.objects.select_for_update().get(pk=post.pk)
    old_start = post.start_date
    for name, value in fields.items():
        setattr(post, name, value)
    if "start_date" in fields:
        _check_start_date(post)
    post.full_clean()
    _save_with_history(post, by)
    if post.start_date != old_start:
        _move_first_hours(post=post)
    if hours is not None:
        current = post.hours.filter(effective_from__lte=hours_from or dt.date.max).first()
        if current is None or current.hours != Decimal(hours):
            _set_hours(
                post=post,
                hours=Decimal(hours),
                effective_from=hours_from or (post.start_date if current is None else _today()),
                by=by,
            )
    return post


def _move_first_hours(*, post: Post) -> None:
    """A corrected start date carries the first hours with it."""
    rows = list(post.hours.order_by("effective_from"))
    if not rows:
        return
    if len(rows) > 1 and rows[1].effective_from <= post.start_date:
        raise ValidationError(
            {
                "start_date": (
                    f"The hours already change on {rows[1].effective_from:%d/%m/%Y}, before the "
                    "new start date. Correct the start date or ask your commissioner."
                )
            }
        )
    rows[0].effective_from = post.start_date
    rows[0].save(update_fields=["effective_from"])


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


@transaction.atomic
def post_end(*, post: Post, end_date: dt.date, by) -> Post:
    """Record the last day in post (the leaving date counts as a day in post)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.end_date = end_date
    post.full_clean()
    _save_with_history(post, by)
    return post


@transaction.atomic
def rate_save(*, rate: Rate, by, reason: str = "") -> Rate:
    """Add or correct a maximum rate. A locked rate refuses (Rate.save): add a later one.
    `reason` goes on the history row (an import names its file)."""
    rate.full_clean()
    if reason:
        rate._change_reason = reason  # simple_history reads it with the user
    _save_with_history(rate, by)
    return rate


@transaction.atomic
def reference_save(
    *, instance: Role | ReimbursementPercentage | EntitlementRate, by, reason: str = ""
):
    """Add or correct a reference row. `reason` goes on its history row (an import's file)."""
    instance.full_clean()
    if reason:
        instance._change_reason = reason  # simple_history reads it with the user
    _save_with_history(instance, by)
    return instance


@transaction.atomic
def figure_confirm(*, figure: Rate | ReimbursementPercentage | EntitlementRate, by) -> bool:
    """Record that a national administrator checked a derived (or date-inferred) figure against
    the published one: it becomes `published`, with who confirmed it and when, in its history.
    The amount is not touched, so a rate a batched claim has used (locked) may be confirmed.
    Returns False, changing nothing, for a figure already published."""
    figure = type(figure).objects.select_for_update().get(pk=figure.pk)
    if figure.provenance == Provenance.PUBLISHED:
        return False
    if not figure.history.exists():
        # Seeded by a migration, which keeps no history: record what it was before it changes.
        type(figure).history.bulk_history_create(
            [figure], default_change_reason="As loaded, before it was confirmed."
        )
    was = figure.get_provenance_display()
    figure.provenance = Provenance.PUBLISHED
    figure.confirmed_by = by
    figure.confirmed_at = timezone.now()
    figure.full_clean()
    figure._change_reason = f"Confirmed as published (was: {was})."
    _save_with_history(figure, by)
    return True
