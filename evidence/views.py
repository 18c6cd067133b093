"""Pages for claim evidence: the practice attaches files to a line of its draft claim (and
removes ones not yet sent); anyone who may see the claim opens them through `attachment_download`,
which checks access and records the view in the audit log. The files have no other URL.

Thin: objects come from pcn_admin.access (outside scope is a 404, a missing permission a 403);
every change goes through services.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from pcn_admin import access, submissions
from pcn_admin.form_errors import add_service_errors
from referrals.models import AuditEvent
from referrals.services import audit_record
from reimbursement.models import Claim, ClaimLine

from . import selectors, services
from .forms import AttachmentForm


def _claim_for_preparer(request, claim_pk) -> Claim:
    """403 without the permission to prepare claims; 404 for a claim the user cannot see; 403
    for one of a PCN (or month) the user does not prepare claims for."""
    access.require(request.user, access.Permission.PREPARE_CLAIMS)
    claim = get_object_or_404(
        access.visible_claims(request.user).select_related("pcn"), pk=claim_pk
    )
    access.require(request.user, access.Permission.PREPARE_CLAIMS, claim.pcn, month=claim.month)
    return claim


def _back_to_claim(claim: Claim, line_pk) -> str:
    page = "reimbursement:claim_edit" if claim.is_editable else "reimbursement:claim_detail"
    return f"{reverse(page, args=[claim.pk])}#line-{line_pk}"


@login_required
@submissions.repeat_safe
def attachment_add(request, claim_pk, line_pk):
    """A line's evidence: the files attached, and a form to attach another."""
    claim = _claim_for_preparer(request, claim_pk)
    line = get_object_or_404(
        ClaimLine.objects.select_related("post__role"), claim=claim, pk=line_pk
    )
    line.claim = claim
    if not claim.is_editable:
        messages.info(request, "This claim has been submitted: its evidence can no longer change.")
        return redirect(_back_to_claim(claim, line.pk))
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():

        def attach() -> str:
            attachment = services.attachment_add(
                line=line,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
            messages.success(
                request,
                f"{attachment.original_name} attached to {line.post.person_name}'s line as "
                f"their {attachment.get_kind_display().lower()}.",
            )
            return _back_to_claim(claim, line.pk)

        try:
            return submissions.once(request, attach)
        except ValidationError as error:
            add_service_errors(form, error)
    attachments = list(selectors.attachments_of_line(line))
    return render(
        request,
        "evidence/attachment_add.html",
        {
            "claim": claim,
            "line": line,
            "form": form,
            "attachments": attachments,
            "removable": {a.pk for a in attachments if not a.sent_with(claim)},
        },
    )


@login_required
@require_POST
def attachment_remove(request, pk):
    access.require(request.user, access.Permission.PREPARE_CLAIMS)
    attachment = get_object_or_404(
        access.visible_attachments(request.user).select_related("line__claim__pcn", "line__post"),
        pk=pk,
    )
    claim = attachment.line.claim
    access.require(request.user, access.Permission.PREPARE_CLAIMS, claim.pcn, month=claim.month)
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            f"{attachment.original_name} removed from {attachment.line.post.person_name}'s line.",
        )
    if claim.is_editable:
        return redirect("evidence:attachment_add", claim.pk, attachment.line_id)
    return redirect(_back_to_claim(claim, attachment.line_id))


def _attachments(user):
    return access.visible_attachments(user).select_related("line__claim")


@login_required
@require_GET
@access.loads(access.Permission.VIEW_CLAIMS, _attachments)
def attachment_download(request, attachment):
    """The file itself, as a download (never shown inline), each view in the audit log."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(
            "The file is missing from storage. Ask the practice to attach it again."
        ) from None
    audit_record(
        user=request.user,
        action=AuditEvent.Action.VIEW,
        instance=attachment,
        detail=f"{attachment.get_kind_display()} for claim line {attachment.line_id} downloaded",
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
