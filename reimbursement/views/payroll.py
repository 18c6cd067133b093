"""Pages for payroll uploads and copy forward: the practice fills a draft claim from its payroll
file (upload, preview, confirm) or from the month before, and downloads a template of its staff.

Thin: the claim comes from pcn_admin.access's scope (outside it a 404), only those who prepare
the claim may use these pages (403), and every change goes through services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from pcn_admin import submissions
from pcn_admin.form_errors import add_service_errors

from .. import payroll, services
from ..models import Claim, PayrollUpload
from ..payroll_forms import PayrollMatchForm, PayrollUploadForm, row_field
from .claims import NOT_EDITABLE, _claim_or_404, _require_preparer

# Earlier uploads listed on the upload page: the latest few are what anyone looks back at.
EARLIER_UPLOADS_SHOWN = 10


def _claim_for_preparer(request, pk) -> Claim:
    claim = _claim_or_404(request, pk)
    _require_preparer(request, claim)
    return claim


def _upload_or_404(claim: Claim, upload_pk) -> PayrollUpload:
    try:
        return claim.payroll_uploads.select_related("uploaded_by", "confirmed_by").get(pk=upload_pk)
    except PayrollUpload.DoesNotExist:
        raise Http404("No such payroll upload for this claim.") from None


@login_required
@submissions.repeat_safe
def payroll_upload(request, pk):
    claim = _claim_for_preparer(request, pk)
    if not claim.is_editable:
        messages.info(request, NOT_EDITABLE)
        return redirect("reimbursement:claim_detail", claim.pk)
    form = PayrollUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():

        def receive() -> str:
            upload = services.payroll_upload_receive(
                claim=claim, file=form.cleaned_data["file"], by=request.user
            )
            if upload.status == PayrollUpload.Status.REFUSED:
                messages.error(
                    request,
                    f"{upload.file_name} has problems: nothing was filled in. Correct the file "
                    "and upload it again.",
                )
            return reverse("reimbursement:payroll_preview", args=[claim.pk, upload.pk])

        try:
            return submissions.once(request, receive)
        except ValidationError as error:
            add_service_errors(form, error)
    earlier = list(claim.payroll_uploads.select_related("uploaded_by")[:EARLIER_UPLOADS_SHOWN])
    return render(
        request,
        "reimbursement/payroll_upload.html",
        {"claim": claim, "form": form, "earlier": earlier, "headers": payroll.TEMPLATE_HEADERS},
    )


def _problems(upload: PayrollUpload) -> list[str]:
    return [str(payroll.Problem.from_dict(problem)) for problem in upload.problems]


@login_required
@submissions.repeat_safe
def payroll_preview(request, pk, upload_pk):
    """The file's rows matched to the staff in post: unmatched rows and staff without a row
    named; a select per row to say who it is; confirm to fill the draft's lines."""
    claim = _claim_for_preparer(request, pk)
    upload = _upload_or_404(claim, upload_pk)
    upload.claim = claim
    staff = services.payroll_staff(claim)
    rows, _ = payroll.check_rows(upload.rows, claim.month)
    # A confirmed upload is shown as it was confirmed: with the choices made then.
    chosen = {int(row): choice for row, choice in upload.choices.items()}
    matching = payroll.match_rows(rows, staff, chosen)
    form = PayrollMatchForm(request.POST or None, matching=matching, staff=staff)
    confirm_errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            choices = form.row_choices()

            def confirm() -> str:
                done = services.payroll_upload_confirm(
                    upload=upload, choices=choices, by=request.user
                )
                messages.success(
                    request,
                    f"Payroll confirmed: {done.lines_filled} line(s) filled from "
                    f"{done.file_name}. Check the figures, then submit the claim.",
                )
                return reverse("reimbursement:claim_edit", args=[claim.pk])

            try:
                return submissions.once(request, confirm)
            except ValidationError as error:
                confirm_errors = error.messages
            matching = payroll.match_rows(rows, staff, choices)
        else:
            confirm_errors = [str(e) for errors in form.errors.values() for e in errors]
        upload.refresh_from_db()
    editable = claim.is_editable and upload.can_confirm
    return render(
        request,
        "reimbursement/payroll_preview.html",
        {
            "claim": claim,
            "upload": upload,
            "problems": _problems(upload),
            "rows": [
                {"match": match, "field": form[row_field(match.row.row)] if editable else None}
                for match in matching.matches
            ],
            "matching": matching,
            "editable": editable,
            "confirm_errors": confirm_errors,
            "cells": upload.rows if upload.problems else [],
            "labels": payroll.LABELS,
        },
    )


@login_required
@require_GET
def payroll_template(request, pk, fmt):
    """The payroll template for the claim's month: the PCN's claimable staff in post, with
    their names, registration numbers, roles and the month filled in, costs blank."""
    claim = _claim_for_preparer(request, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Templates are CSV or .xlsx.")
    staff = services.payroll_staff(claim)
    if fmt == "csv":
        content, content_type = payroll.template_csv(staff, claim.month), payroll.CSV_TYPE
    else:
        content, content_type = payroll.template_xlsx(staff, claim.month), payroll.XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    name = f"payroll-{claim.pcn.code}-{claim.month:%Y-%m}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def claim_copy_forward(request, pk):
    """Fill a draft's empty lines with the previous month's costs, marked as copied."""
    claim = _claim_for_preparer(request, pk)
    try:
        result = services.claim_copy_forward(claim=claim, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        month = f"{result.source.month:%B %Y}"
        if result.copied:
            messages.success(
                request,
                f"{result.copied} line(s) given {month}'s costs, marked as copied: check each "
                "against this month's payroll before you submit.",
            )
        else:
            messages.info(request, f"No line was copied from {month}.")
        if result.kept:
            messages.info(request, f"{result.kept} line(s) already had costs: left as they are.")
        if result.new_staff:
            messages.info(
                request,
                f"{result.new_staff} line(s) had no line in {month} to copy: enter their costs.",
            )
    if not claim.is_editable:
        return redirect("reimbursement:claim_detail", claim.pk)
    return redirect("reimbursement:claim_edit", claim.pk)
