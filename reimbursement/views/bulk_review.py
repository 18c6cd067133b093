"""The month's bulk review: commissioner staff approve every clean line of their area's claims
in review for a month in one action, after a page listing what will be approved and what is
held back for the claim's own page (reimbursement/services/bulk_review.py says which)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from pcn_admin import access, submissions

from .. import services
from ..review_forms import BulkApproveForm, BulkReviewForm


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _page_url(month: dt.date, commissioner) -> str:
    query = f"?month={month:%Y-%m}"
    if commissioner is not None:
        query += f"&commissioner={commissioner.pk}"
    return reverse("reimbursement:bulk_review") + query


@login_required
@submissions.repeat_safe
def bulk_review(request):
    user = request.user
    access.require(user, access.Permission.REVIEW_CLAIMS)
    data = request.POST if request.method == "POST" else request.GET
    if "month" not in data:
        data = {**data.dict(), "month": f"{_last_month():%Y-%m}"}
    form = BulkReviewForm(data, user=user)
    plan = commissioner = None
    if form.is_valid():
        commissioner = form.chosen_commissioner()
        access.require(user, access.Permission.REVIEW_CLAIMS, commissioner)
        claims = access.visible_claims(user).filter(pcn__commissioner=commissioner)
        month = form.cleaned_data["month"]
        if request.method == "POST":
            approve = BulkApproveForm(request.POST)
            if approve.is_valid():
                line_ids = approve.cleaned_data["lines"]
                shown = commissioner if access.sees_everything(user) else None

                def approve_lines() -> str:
                    result = services.claim_lines_bulk_approve(
                        claims=claims, month=month, line_ids=line_ids, by=user
                    )
                    messages.success(
                        request,
                        f"{result.approved} line(s) approved on {result.claims} claim(s) for "
                        f"{month:%B %Y}.",
                    )
                    for text in result.not_approved:
                        messages.warning(request, f"Not approved: {text}")
                    return _page_url(month, shown)

                try:
                    return submissions.once(request, approve_lines)
                except ValidationError as error:
                    for text in error.messages:
                        messages.error(request, text)
            else:
                for errors in approve.errors.values():
                    for text in errors:
                        messages.error(request, text)
        plan = services.bulk_review_plan(claims=claims, month=month)
    return render(
        request,
        "reimbursement/bulk_review.html",
        {
            "form": form,
            "plan": plan,
            "commissioner": commissioner,
            "show_commissioner_field": access.sees_everything(user),
            "clean_ids": ",".join(str(pk) for pk in plan.clean_ids) if plan else "",
        },
    )
