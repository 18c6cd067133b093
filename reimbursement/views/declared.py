"""Pages for declared Network Contract DES amounts (IIF achievement, care home premium,
enhanced access, capacity and access payments): the commissioner's staff enter them one at a
time or import a CSV, then approve or reject each; the PCN's clinical director and practice
managers read their PCN's.

Thin, like the claim pages: objects and permissions come from pcn_admin.access (403 without the
permission, 404 outside the user's area); every change goes through services/declared.py.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from networks.importers import FileNotRecognised, ImportFailed
from pcn_admin import access, submissions
from pcn_admin.form_errors import add_service_errors

from .. import batches, services
from ..declared_forms import DeclaredEnterForm, DeclaredImportForm, DeclaredRejectForm
from ..models import DeclaredPayment, PaymentStream
from . import PAGE_SIZE

STATUSES = DeclaredPayment.Status


def _filters(request, streams) -> dict:
    """The list's filters as asked for, each ignored when it is not one the list offers."""
    month_text = request.GET.get("month", "").strip()
    try:
        month = batches.parse_month(month_text) if month_text else None
    except ValidationError:
        month = None
    stream = request.GET.get("stream", "").strip()
    status = request.GET.get("status", "").strip()
    return {
        "month": month,
        "month_text": f"{month:%Y-%m}" if month else "",
        "month_refused": bool(month_text) and month is None,
        "stream": stream if stream in {s.code for s in streams} else "",
        "status": status if status in STATUSES.values else "",
    }


@login_required
def declared_list(request):
    """Declared amounts the user may see, newest month first, filtered by month, stream and
    status, a page at a time."""
    user = request.user
    access.require(user, access.Permission.VIEW_DECLARED_PAYMENTS)
    # Every declared stream, backfill included: its amounts are listed here too.
    streams = list(
        PaymentStream.objects.filter(basis=PaymentStream.Basis.DECLARED).order_by(
            "display_order", "code"
        )
    )
    chosen = _filters(request, streams)
    amounts = access.visible_declared_payments(user)
    if chosen["month"]:
        amounts = amounts.filter(month=chosen["month"])
    if chosen["stream"]:
        amounts = amounts.filter(stream__code=chosen["stream"])
    if chosen["status"]:
        amounts = amounts.filter(status=chosen["status"])
    summary = amounts.aggregate(count=Count("pk"), total=Sum("amount"))
    page = Paginator(
        amounts.select_related("pcn", "stream", "practice", "payment__batch").order_by(
            "-month", "pcn__code", "stream__display_order", "pk"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    keep = {
        name: chosen[key]
        for name, key in (("month", "month_text"), ("stream", "stream"), ("status", "status"))
        if chosen[key]
    }
    return render(
        request,
        "reimbursement/declared_list.html",
        {
            "page": page,
            "streams": streams,
            "statuses": STATUSES.choices,
            "chosen": chosen,
            "keep": urlencode(keep),
            "summary": summary,
            "can_manage": access.has(user, access.Permission.MANAGE_DECLARED_PAYMENTS),
        },
    )


def _require_manager(request):
    access.require(request.user, access.Permission.MANAGE_DECLARED_PAYMENTS)
    return access.declared_payment_pcns(request.user)


@login_required
@submissions.repeat_safe
def declared_enter(request):
    """Enter one declared amount for a PCN of the user's area; it waits for review."""
    pcns = _require_manager(request)
    form = DeclaredEnterForm(request.POST or None, pcns=pcns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        access.require(request.user, access.Permission.MANAGE_DECLARED_PAYMENTS, data["pcn"])

        def enter() -> str:
            declared = services.declared_enter(
                stream=data["stream"],
                pcn=data["pcn"],
                month=data["month"],
                amount=data["amount"],
                note=data["note"],
                by=request.user,
            )
            messages.success(
                request,
                f"{declared.stream.name} of £{declared.amount:,.2f} for {declared.pcn.code}, "
                f"{declared.month:%B %Y}, entered. It is paid once it is approved.",
            )
            return reverse("reimbursement:declared_detail", args=[declared.pk])

        try:
            return submissions.once(request, enter)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "reimbursement/declared_enter.html", {"form": form})


@login_required
@submissions.repeat_safe
def declared_import(request):
    """Import a CSV of declared amounts: every row, awaiting review, or none at all with each
    bad row named."""
    pcns = _require_manager(request)
    form = DeclaredImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]

        def load() -> str:
            done = services.declared_import(
                file=upload, pcns=pcns, by=request.user, file_name=upload.name
            )
            messages.success(
                request,
                f"{len(done.added)} amount{'s' if len(done.added) != 1 else ''} "
                f"(£{done.total:,.2f} in all) imported from {done.file_name}, awaiting review.",
            )
            return reverse("reimbursement:declared_list") + f"?status={STATUSES.ENTERED}"

        try:
            return submissions.once(request, load)
        except ImportFailed as failed:
            form.add_error(None, str(failed))
            problems = failed.lines()
        except FileNotRecognised as refused:
            form.add_error("file", str(refused))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "reimbursement/declared_import.html",
        {
            "form": form,
            "problems": problems,
            "headers": services.DECLARED_IMPORT_HEADERS,
            "streams": services.declared_streams(),
        },
    )


def _detail(request, declared: DeclaredPayment, *, reject_form=None, status=200):
    can_review = (
        access.can(request.user, access.Permission.MANAGE_DECLARED_PAYMENTS, declared)
        and declared.status == STATUSES.ENTERED
        and declared.practice_id is None  # backfill: reviewed as its own claim
    )
    return render(
        request,
        "reimbursement/declared_detail.html",
        {
            "declared": declared,
            "can_review": can_review,
            "reject_form": reject_form or (DeclaredRejectForm() if can_review else None),
            "payment": getattr(declared, "payment", None),
        },
        status=status,
    )


def _scope(user):
    return access.visible_declared_payments(user).select_related(
        "pcn__commissioner", "stream", "practice", "entered_by", "reviewed_by", "payment__batch"
    )


@login_required
@access.loads(access.Permission.VIEW_DECLARED_PAYMENTS, _scope)
def declared_detail(request, declared):
    """One declared amount: what, for whom and when, who entered and reviewed it, the batch
    that paid it; for the commissioner's staff, approve or reject it while it awaits review."""
    return _detail(request, declared)


@login_required
@require_POST
@access.loads(access.Permission.MANAGE_DECLARED_PAYMENTS, _scope)
def declared_approve(request, declared):
    try:
        services.declared_approve(declared=declared, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            f"Approved: {declared.stream.name} of £{declared.amount:,.2f} for "
            f"{declared.pcn.code} is paid in the next batch built for {declared.month:%B %Y} "
            "or later.",
        )
    return redirect("reimbursement:declared_detail", declared.pk)


@login_required
@require_POST
@access.loads(access.Permission.MANAGE_DECLARED_PAYMENTS, _scope)
def declared_reject(request, declared):
    form = DeclaredRejectForm(request.POST)
    if form.is_valid():
        try:
            services.declared_reject(
                declared=declared, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                for text in error.messages:
                    messages.error(request, text)
                return redirect("reimbursement:declared_detail", declared.pk)
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Rejected: {declared.stream.name} for {declared.pcn.code}, "
                f"{declared.month:%B %Y}, will not be paid. A corrected amount can be entered.",
            )
            return redirect("reimbursement:declared_detail", declared.pk)
    return _detail(request, declared, reject_form=form)
