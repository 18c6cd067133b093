"""Pages for PCN development funding: the commissioner's allocations reconciled by prospectus
domain (with the clinical directors' 10% warning), commitments and spend; a PCN's development
funding for its clinical director; practices' backfill claims and their review; and the baseline
posts a commissioner funds outside ARRS. Thin: reads through development.selectors, writes
through development.services, who may do what from pcn_admin/access.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pcn_admin import access, submissions
from pcn_admin.form_errors import add_service_errors

from . import selectors, services
from .forms import (
    AllocationForm,
    BackfillClaimForm,
    BackfillReviewForm,
    BaselinePostForm,
    CommitmentForm,
    EarmarkForm,
    SpendForm,
)
from .models import BackfillClaim

P = access.Permission
PAGE_SIZE = 25


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def index(request):
    """Where each role's development work is."""
    user = request.user
    access.require(user, P.VIEW_BACKFILL_CLAIMS)
    own_pcn = None
    if access.has(user, P.VIEW_DEVELOPMENT_FUNDING) and user.pcn_id:
        own_pcn = access.development_pcns(user).filter(pk=user.pcn_id).first()
    return render(
        request,
        "development/index.html",
        {
            "can_manage": access.has(user, P.MANAGE_DEVELOPMENT_FUNDING),
            "can_view_funding": access.has(user, P.VIEW_DEVELOPMENT_FUNDING),
            "can_claim": access.has(user, P.CLAIM_BACKFILL),
            "own_pcn": own_pcn,
        },
    )


# Allocations (commissioner staff) -------------------------------------------------------------


@login_required
def allocation_list(request):
    user = request.user
    access.require(user, P.MANAGE_DEVELOPMENT_FUNDING)
    page = _page(request, selectors.with_totals(access.visible_allocations(user)))
    return render(
        request,
        "development/allocation_list.html",
        {"page": page, "can_add": access.visible_commissioners(user).exists()},
    )


@login_required
@submissions.repeat_safe
def allocation_create(request):
    user = request.user
    access.require(user, P.MANAGE_DEVELOPMENT_FUNDING)
    commissioners = access.visible_commissioners(user)
    if not commissioners.exists():
        raise PermissionDenied("Your commissioner is not recorded, so no allocation can be added.")
    form = AllocationForm(request.POST or None, commissioners=commissioners)
    if request.method == "POST" and form.is_valid():
        commissioner = form.cleaned_data["commissioner"]
        access.require(user, P.MANAGE_DEVELOPMENT_FUNDING, commissioner)

        def add() -> str:
            data = {k: v for k, v in form.cleaned_data.items() if k != "commissioner"}
            allocation = services.allocation_create(commissioner=commissioner, by=user, **data)
            messages.success(request, f"{allocation} added: £{allocation.amount:,.2f}.")
            return reverse("development:allocation_detail", args=[allocation.pk])

        try:
            return submissions.once(request, add)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "development/allocation_form.html", {"form": form})


def _allocations(user):
    return access.visible_allocations(user).select_related("commissioner")


@login_required
@access.loads(P.MANAGE_DEVELOPMENT_FUNDING, _allocations)
def allocation_detail(request, allocation):
    """The allocation reconciled: allocated, committed, spent and remaining by domain, the
    earmarks, and the warning while clinical director development is under its share."""
    commitments = selectors.with_spent(allocation.commitments.all()).order_by("domain", "pk")
    return render(
        request,
        "development/allocation_detail.html",
        {
            "allocation": allocation,
            "summary": selectors.allocation_summary(allocation),
            "page": _page(request, commitments),
        },
    )


@login_required
@submissions.repeat_safe
@access.loads(P.MANAGE_DEVELOPMENT_FUNDING, _allocations)
def earmark_create(request, allocation):
    form = EarmarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def add() -> str:
            earmark = services.earmark_create(
                allocation=allocation, by=request.user, **form.cleaned_data
            )
            messages.success(request, f"£{earmark.amount:,.2f} earmarked for {earmark.name}.")
            return reverse("development:allocation_detail", args=[allocation.pk])

        try:
            return submissions.once(request, add)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request, "development/earmark_form.html", {"form": form, "allocation": allocation}
    )


@login_required
@submissions.repeat_safe
@access.loads(P.MANAGE_DEVELOPMENT_FUNDING, _allocations)
def commitment_create(request, allocation):
    form = CommitmentForm(request.POST or None, allocation=allocation)
    if request.method == "POST" and form.is_valid():

        def add() -> str:
            commitment = services.commitment_create(
                allocation=allocation, by=request.user, **form.cleaned_data
            )
            messages.success(
                request, f"£{commitment.amount:,.2f} committed to {commitment.recipient}."
            )
            return reverse("development:allocation_detail", args=[allocation.pk])

        try:
            return submissions.once(request, add)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "development/commitment_form.html",
        {
            "form": form,
            "allocation": allocation,
            "summary": selectors.allocation_summary(allocation),
        },
    )


def _commitments(user):
    return selectors.with_spent(access.visible_commitments(user))


@login_required
@access.loads(P.VIEW_DEVELOPMENT_FUNDING, _commitments)
def commitment_detail(request, commitment):
    spend = commitment.spend.select_related("backfill_claim").order_by("-date", "-pk")
    return render(
        request,
        "development/commitment_detail.html",
        {
            "commitment": commitment,
            "page": _page(request, spend),
            "can_record_spend": access.can(request.user, P.MANAGE_DEVELOPMENT_FUNDING, commitment),
        },
    )


@login_required
@submissions.repeat_safe
@access.loads(P.MANAGE_DEVELOPMENT_FUNDING, _commitments)
def spend_create(request, commitment):
    form = SpendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def add() -> str:
            spend = services.spend_record(
                commitment=commitment, by=request.user, **form.cleaned_data
            )
            messages.success(request, f"£{spend.amount:,.2f} of spend recorded.")
            return reverse("development:commitment_detail", args=[commitment.pk])

        try:
            return submissions.once(request, add)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "development/spend_form.html", {"form": form, "commitment": commitment})


# A PCN's development funding (its clinical director, the commissioner's staff) ----------------


def _pcns(user):
    return access.development_pcns(user).select_related("commissioner")


@login_required
@access.loads(P.VIEW_DEVELOPMENT_FUNDING, _pcns, field="code")
def pcn_funding(request, pcn):
    commitments = list(
        selectors.with_spent(access.visible_commitments(request.user).filter(pcn=pcn)).order_by(
            "-allocation__year", "domain", "pk"
        )
    )
    claims = (
        access.visible_backfill_claims(request.user)
        .filter(pcn=pcn)
        .select_related("practice")
        .order_by("-date", "-pk")[:10]
    )
    posts = selectors.baseline_posts(access.visible_baseline_posts(request.user).filter(pcn=pcn))
    return render(
        request,
        "development/pcn_funding.html",
        {
            "pcn": pcn,
            "commitments": commitments,
            "totals": selectors.pcn_totals(commitments),
            "claims": claims,
            "baseline_posts": posts,
        },
    )


# Backfill claims -----------------------------------------------------------------------------


def _claims(user):
    return access.visible_backfill_claims(user).select_related(
        "pcn", "practice", "commitment", "commitment__allocation"
    )


@login_required
def backfill_list(request):
    user = request.user
    access.require(user, P.VIEW_BACKFILL_CLAIMS)
    status = request.GET.get("status", "")
    claims = _claims(user)
    if status in BackfillClaim.Status.values:
        claims = claims.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "development/backfill_list.html",
        {
            "page": _page(request, claims),
            "status": status,
            "statuses": BackfillClaim.Status.choices,
            "can_claim": access.has(user, P.CLAIM_BACKFILL),
            "can_review": access.has(user, P.REVIEW_BACKFILL_CLAIMS),
        },
    )


@login_required
@submissions.repeat_safe
def backfill_create(request):
    user = request.user
    access.require(user, P.CLAIM_BACKFILL)
    funding = selectors.with_spent(selectors.backfill_funding_for(user.practice_id)).order_by(
        "-allocation__year", "pk"
    )
    form = BackfillClaimForm(request.POST or None, funding=funding)
    if request.method == "POST" and form.is_valid():

        def add() -> str:
            claim = services.backfill_claim_submit(
                practice=user.practice, by=user, **form.cleaned_data
            )
            messages.success(
                request,
                f"{claim.reference} sent for review: £{claim.amount:,.2f} for {claim.hours} hours.",
            )
            return reverse("development:backfill_detail", args=[claim.pk])

        try:
            return submissions.once(request, add)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "development/backfill_form.html",
        {"form": form, "has_funding": bool(form.fields["commitment"].queryset)},
    )


@login_required
@access.loads(P.VIEW_BACKFILL_CLAIMS, _claims)
def backfill_detail(request, claim):
    can_review = claim.status == BackfillClaim.Status.SUBMITTED and access.can(
        request.user, P.REVIEW_BACKFILL_CLAIMS, claim
    )
    return _backfill_page(request, claim, BackfillReviewForm() if can_review else None)


def _backfill_page(request, claim, form):
    history = claim.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "development/backfill_detail.html",
        {"claim": claim, "review_form": form, "history": history},
    )


@login_required
@require_POST
@access.loads(P.REVIEW_BACKFILL_CLAIMS, _claims)
def backfill_review(request, claim):
    form = BackfillReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.backfill_claim_approve(claim=claim, by=request.user)
                messages.success(
                    request,
                    f"{claim.reference} approved: £{claim.amount:,.2f} is paid to "
                    f"{claim.practice.name} in the next monthly batch.",
                )
            else:
                services.backfill_claim_reject(
                    claim=claim, reason=form.cleaned_data["reason"], by=request.user
                )
                messages.success(request, f"{claim.reference} rejected.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("development:backfill_detail", pk=claim.pk)
    return _backfill_page(request, claim, form)


# Commissioner-funded baseline posts ---------------------------------------------------------


@login_required
def baseline_post_list(request):
    user = request.user
    access.require(user, P.VIEW_DEVELOPMENT_FUNDING)
    posts = selectors.baseline_posts(access.visible_baseline_posts(user))
    return render(
        request,
        "development/baseline_post_list.html",
        {
            "page": _page(request, posts),
            "can_add": access.has(user, P.MANAGE_DEVELOPMENT_FUNDING),
            "own_pcn": user.pcn if user.pcn_id else None,
        },
    )


def _editable_pcns(user):
    if not access.has(user, P.MANAGE_DEVELOPMENT_FUNDING):
        return access.visible_pcns(user).none()
    return access.visible_pcns(user)


@login_required
@submissions.repeat_safe
def baseline_post_create(request):
    user = request.user
    access.require(user, P.MANAGE_DEVELOPMENT_FUNDING)
    form = BaselinePostForm(request.POST or None, pcns=_editable_pcns(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        pcn = data.pop("pcn")
        access.require(user, P.MANAGE_DEVELOPMENT_FUNDING, pcn)

        def add() -> str:
            post = services.baseline_post_create(pcn=pcn, by=user, **data)
            messages.success(request, f"{post} recorded, funded to {post.funding_end:%d %B %Y}.")
            return reverse("development:baseline_post_list")

        try:
            return submissions.once(request, add)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "development/baseline_post_form.html", {"form": form, "post": None})


def _baseline_posts(user):
    return access.visible_baseline_posts(user).select_related("pcn", "role", "post")


@login_required
@access.loads(P.MANAGE_DEVELOPMENT_FUNDING, _baseline_posts)
def baseline_post_edit(request, baseline_post):
    pcns = _editable_pcns(request.user)
    form = BaselinePostForm(request.POST or None, instance=baseline_post, pcns=pcns)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("pcn")  # not changed here: the field is disabled
        try:
            updated = services.baseline_post_update(
                baseline_post=baseline_post, by=request.user, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Changes to {updated} saved.")
            return redirect("development:baseline_post_list")
    history = baseline_post.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "development/baseline_post_form.html",
        {"form": form, "post": baseline_post, "history": history},
    )
