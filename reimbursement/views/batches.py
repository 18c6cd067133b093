"""Pages for payment batches: each PCN's remittance; and, for commissioner staff, the pages
where they build a batch, watch it being built, finalise it, record its payment and download
its files (the admin keeps the same buttons, but these are the pages the site links to).

Thin, like the claim pages: objects and permissions come from pcn_admin.access (403 without
the permission, 404 outside the user's area); every change goes through reimbursement.batches.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pcn_admin import access, submissions

from .. import batches, exports, tasks
from ..forms import BuildBatchesForm, MarkPaidForm
from ..models import Batch, BatchPayee
from . import PAGE_SIZE

logger = logging.getLogger(__name__)

# The batch page lists late lines up to this many; the line detail file has them all.
LATE_LINES_SHOWN = 200
# The latest batches a manager is offered on the payment batches page.
MANAGED_BATCHES_SHOWN = 24


@login_required
def batch_list(request):
    user = request.user
    access.require(user, access.Permission.VIEW_REMITTANCES)
    payees = (
        access.visible_batch_payees(user)
        .select_related("batch__commissioner", "pcn", "payee_practice")
        .order_by("-batch__month", "batch__commissioner__code", "pcn__code", "pk")
    )
    page = Paginator(payees, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = access.has(user, access.Permission.MANAGE_BATCHES)
    managed_batches = (
        access.visible_batches(user)
        .select_related("commissioner")
        .order_by("-month", "commissioner__code")[:MANAGED_BATCHES_SHOWN]
        if can_manage
        else []
    )
    return render(
        request,
        "reimbursement/batch_list.html",
        {
            "page": page,
            "can_manage": can_manage,
            "managed_batches": managed_batches,
        },
    )


@login_required
def batch_remittance(request, reference, pcn_code):
    """One PCN's remittance advice for a batch: printable, for the PCN and its payee."""
    access.require(request.user, access.Permission.VIEW_REMITTANCES)
    try:
        payee = (
            access.visible_batch_payees(request.user)
            .select_related("batch__commissioner", "pcn", "payee_practice")
            .get(batch__reference=reference, pcn__code=pcn_code.upper())
        )
    except BatchPayee.DoesNotExist:
        raise Http404("No remittance found for this batch and PCN.") from None
    lines = [
        {"line": batch_line, "amount": exports.money_text(batch_line.amount)}
        for batch_line in exports.batch_lines(payee.batch, pcn_id=payee.pcn_id)
    ]
    claim_months = sorted({row["line"].claim_month for row in lines})
    streams = exports.batch_streams()
    stream_lines, arrs_amount = exports.remittance_streams(payee, streams)
    return render(
        request,
        "reimbursement/batch_remittance.html",
        {
            "payee": payee,
            "batch": payee.batch,
            "lines": lines,
            "claim_months": claim_months,
            "derived_count": sum(
                1
                for row in lines
                if row["line"].line.rate_used_id and row["line"].line.rate_used.is_derived
            ),
            "subtotal": exports.money_text(payee.amount),
            # The PCN's income by stream: ARRS (the lines above) and each stream's amounts.
            "arrs_stream": next((s for s in streams if s.code == exports.ARRS), None),
            "arrs_amount": exports.money_text(arrs_amount),
            "stream_lines": [
                {"line": line, "amount": exports.money_text(line.amount)} for line in stream_lines
            ],
        },
    )


def _managed_batch(request, reference: str, fmt: str) -> Batch:
    if fmt not in exports.FORMATS:
        raise Http404("Files come as csv or xlsx.")
    access.require(request.user, access.Permission.MANAGE_BATCHES)
    try:
        batch = (
            access.visible_batches(request.user)
            .select_related("commissioner")
            .get(reference=reference)
        )
    except Batch.DoesNotExist:
        raise Http404("No batch found.") from None
    if not access.can(request.user, access.Permission.MANAGE_BATCHES, batch.commissioner):
        raise PermissionDenied(
            "Only the commissioner's staff can download a batch's full files. Your PCN's "
            "remittance is on the payment batches page."
        )
    return batch


def _download(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@never_cache
@login_required
@require_GET
def batch_payment_file(request, reference, fmt):
    batch = _managed_batch(request, reference, fmt)
    return _download(exports.payment_file(batch, fmt=fmt))


@never_cache
@login_required
@require_GET
def batch_line_detail(request, reference, fmt):
    batch = _managed_batch(request, reference, fmt)
    return _download(exports.line_detail_file(batch, fmt=fmt))


# Building, finalising and paying: commissioner staff ---------------------------------------


def _waiting_lines(user) -> list[dict]:
    """Approved lines in no batch yet, by claim month, and whether a build of the default
    month pays them on time, late, or not yet."""
    default = batches.default_month()
    waiting = batches.waiting_by_claim_month(
        commissioner_ids=access.visible_commissioners(user).values("pk")
    )
    for row in waiting:
        month = row["claim__month"]
        row["joins"] = (
            "on time" if month == default else "late" if month < default else "a later batch"
        )
    return waiting


@login_required
@submissions.repeat_safe
def batch_build(request):
    """Build (or top up) a commissioner's batch for a claim month: queued, then followed on
    the run's progress page."""
    user = request.user
    access.require(user, access.Permission.MANAGE_BATCHES)
    form = BuildBatchesForm(
        request.POST or None, user=user, initial={"month": batches.default_month()}
    )
    if request.method == "POST" and form.is_valid():
        commissioner = form.cleaned_data["commissioner"]
        access.require(user, access.Permission.MANAGE_BATCHES, commissioner)
        runs = []

        def build() -> str:
            run = tasks.batch_run_request(
                commissioner=commissioner, month=form.cleaned_data["month"], by=user
            )
            runs.append(run)
            return reverse("reimbursement:batch_run_progress", args=[run.pk])

        try:
            return submissions.once(request, build)
        except Exception:
            # Without a broker the task runs at commit and re-raises a failure it has already
            # recorded on the run: show that on the progress page, not a 500.
            if not runs:
                raise
            logger.exception("Batch run %s failed", runs[0].pk)
            return redirect("reimbursement:batch_run_progress", runs[0].pk)
    return render(
        request,
        "reimbursement/batch_build.html",
        {
            "form": form,
            "default_month": batches.default_month(),
            "default_month_reason": batches.default_month_reason(),
            "waiting": _waiting_lines(user),
            "show_commissioner": access.sees_everything(user),
        },
    )


@login_required
@access.loads(access.Permission.MANAGE_BATCHES, access.visible_batch_runs)
def batch_run_progress(request, run):
    """A requested build as it goes: refreshes itself until it is done or has failed."""
    return render(request, "reimbursement/batch_run_progress.html", {"run": run})


def _batch_page(request, batch: Batch, *, mark_paid_form=None, status=200):
    can_manage = access.can(request.user, access.Permission.MANAGE_BATCHES, batch)
    months = exports.claim_months_by_pcn(batch)
    payees = list(exports.payees_of(batch))
    for payee in payees:
        payee.claim_months = months.get(payee.pcn_id, [])
    late_lines = list(exports.batch_lines(batch).filter(late=True)[:LATE_LINES_SHOWN])
    stream_totals = exports.batch_stream_totals(batch, exports.batch_streams(), payees)
    can_mark_paid = can_manage and batch.status == Batch.Status.FINALISED
    if can_mark_paid and mark_paid_form is None:
        mark_paid_form = MarkPaidForm(initial={"paid_on": timezone.localdate()})
    return render(
        request,
        "reimbursement/batch_detail.html",
        {
            "batch": batch,
            "payees": payees,
            "late_lines": late_lines,
            "late_lines_cut": batch.late_line_count > LATE_LINES_SHOWN,
            "stream_totals": stream_totals,
            "can_finalise": can_manage and batch.status == Batch.Status.DRAFT,
            "can_mark_paid": can_mark_paid,
            "mark_paid_form": mark_paid_form,
            "formats": exports.FORMATS,
        },
        status=status,
    )


@never_cache
@login_required
@access.loads(access.Permission.MANAGE_BATCHES, access.visible_batches, field="reference")
def batch_detail(request, batch):
    """One batch for the commissioner's staff: its payees and late lines, its files, and the
    next step (finalise a draft, record a finalised batch's payment)."""
    return _batch_page(request, batch)


@login_required
@require_POST
@access.loads(access.Permission.MANAGE_BATCHES, access.visible_batches, field="reference")
def batch_finalise(request, batch):
    """Finalise a draft. Sent twice, the second post is told the batch is already final."""
    try:
        batches.batch_finalise(batch=batch, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            f"{batch.reference} finalised: its lines are in it for good. Download the payment "
            "file for finance, then record the payment.",
        )
    return redirect("reimbursement:batch_detail", batch.reference)


@login_required
@require_POST
@access.loads(access.Permission.MANAGE_BATCHES, access.visible_batches, field="reference")
def batch_mark_paid(request, batch):
    """Record the payment finance made. A batch already paid is not paid again."""
    if batch.status == Batch.Status.PAID:
        messages.info(
            request,
            f"{batch.reference} is already recorded as paid on {batch.paid_on:%d/%m/%Y} "
            f"(reference {batch.payment_reference}).",
        )
        return redirect("reimbursement:batch_detail", batch.reference)
    form = MarkPaidForm(request.POST)
    if form.is_valid():
        try:
            batches.batch_mark_paid(
                batch=batch,
                paid_on=form.cleaned_data["paid_on"],
                payment_reference=form.cleaned_data["payment_reference"],
                by=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, texts in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, texts)
            else:
                for text in error.messages:
                    messages.error(request, text)
                return redirect("reimbursement:batch_detail", batch.reference)
        else:
            messages.success(request, f"{batch.reference} recorded as paid.")
            return redirect("reimbursement:batch_detail", batch.reference)
    return _batch_page(request, batch, mark_paid_form=form)
