"""Pages for payment batches: each PCN's remittance, and the full files for commissioner
staff, who build, finalise and pay batches in the admin.

Thin, like the claim pages: objects and permissions come from pcn_admin.access.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pcn_admin import access

from .. import exports
from ..models import Batch, BatchPayee
from . import PAGE_SIZE


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
    return render(
        request,
        "reimbursement/batch_list.html",
        {
            "page": page,
            "can_manage": access.has(user, access.Permission.MANAGE_BATCHES)
            and access.has(user, access.Permission.USE_ADMIN),
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
