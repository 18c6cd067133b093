"""Pages for monthly ARRS claims: the PCN prepares and submits, the commissioner reviews.

Thin: objects come from pcn_admin.access (outside scope is a 404), permissions are checked
there (a missing one is a 403), and every change goes through services.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from pcn_admin import access, submissions
from pcn_admin.form_errors import add_service_errors
from roles.models import Rate

from .. import selectors, services
from ..forms import (
    ClaimDeclarationForm,
    ClaimLineForm,
    ClaimReturnForm,
    ClaimStartForm,
    LineCostsPreviewForm,
    LineDecisionForm,
)
from ..models import Claim, ClaimLine
from . import PAGE_SIZE

NOT_EDITABLE = "This claim has been submitted and can no longer be changed."


def _claim_or_404(request, pk) -> Claim:
    access.require(request.user, access.Permission.VIEW_CLAIMS)
    try:
        return selectors.claim_for_page(access.visible_claims(request.user), pk)
    except Claim.DoesNotExist:
        raise Http404("No claim found.") from None


def _line_or_404(claim: Claim, line_pk) -> ClaimLine:
    for line in claim.lines.all():
        if line.pk == int(line_pk):
            return line
    raise Http404("No such line on this claim.")


def _require_preparer(request, claim: Claim) -> None:
    if not access.can(request.user, access.Permission.PREPARE_CLAIMS, claim.pcn, month=claim.month):
        raise PermissionDenied(
            "Only the PCN's clinical director or the nominated payee practice's practice "
            "manager can change this claim."
        )


def _require_reviewer(request, claim: Claim) -> None:
    if not access.can(request.user, access.Permission.REVIEW_CLAIMS, claim.pcn.commissioner):
        raise PermissionDenied("Only the commissioner's staff can review this claim.")


@login_required
def claim_list(request):
    user = request.user
    can_review = access.has(user, access.Permission.REVIEW_CLAIMS)
    if not (can_review or access.has(user, access.Permission.PREPARE_CLAIMS)):
        raise PermissionDenied("Only PCN and commissioner staff deal with ARRS claims.")
    status = request.GET.get("status", "")
    if status not in Claim.Status.values and status != selectors.IN_REVIEW_FILTER:
        status = ""
    page = Paginator(
        selectors.claims_for_list(access.visible_claims(user), status=status), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    pcns = access.claimable_pcns(user)
    start_form = (
        ClaimStartForm(pcns=pcns) if access.has(user, access.Permission.PREPARE_CLAIMS) else None
    )
    return render(
        request,
        "reimbursement/claim_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [(selectors.IN_REVIEW_FILTER, "Awaiting review"), *Claim.Status.choices],
            "can_review": can_review,
            "start_form": start_form if start_form and pcns.exists() else None,
        },
    )


@login_required
@submissions.repeat_safe
def claim_create(request):
    pcns = access.claimable_pcns(request.user)
    if not access.has(request.user, access.Permission.PREPARE_CLAIMS) or not pcns.exists():
        raise PermissionDenied(
            "Only the PCN's clinical director or the nominated payee practice's practice "
            "manager can start a claim."
        )
    form = ClaimStartForm(request.POST or None, pcns=pcns)
    if request.method == "POST" and form.is_valid():
        pcn, month = form.cleaned_data["pcn"], form.cleaned_data["month"]
        kind = form.cleaned_data["kind"]
        original = None
        if kind == Claim.Kind.ADJUSTMENT:
            original = Claim.objects.filter(pcn=pcn, month=month, kind=Claim.Kind.NORMAL).first()
        if not access.can(request.user, access.Permission.PREPARE_CLAIMS, pcn, month=month):
            form.add_error(
                "month",
                "Your practice was not the PCN's nominated payee that month, so the clinical "
                "director or that month's payee practice must make this claim.",
            )
        elif kind == Claim.Kind.ADJUSTMENT and original is None:
            form.add_error(
                "kind",
                "There is no claim for this month to adjust. Choose a monthly claim instead.",
            )
        else:

            def start() -> str:
                claim = services.claim_create(
                    pcn=pcn, month=month, kind=kind, original=original, by=request.user
                )
                messages.success(request, f"{claim} started. Enter each person's costs.")
                if form.cleaned_data["copy_forward"] and kind == Claim.Kind.NORMAL:
                    _copy_forward(request, claim)
                return reverse("reimbursement:claim_edit", args=[claim.pk])

            try:
                return submissions.once(request, start)
            except ValidationError as error:
                add_service_errors(form, error)
    return render(request, "reimbursement/claim_create.html", {"form": form})


def _copy_forward(request, claim) -> None:
    """Start a new claim from last month's costs; a month with nothing to copy from is said,
    not refused: the claim is started either way."""
    try:
        result = services.claim_copy_forward(claim=claim, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.warning(request, text)
    else:
        messages.info(
            request,
            f"{result.copied} line(s) given {result.source.month:%B %Y}'s costs, marked as "
            "copied: check each against this month's payroll.",
        )


def _line_rows(claim, forms_by_line=None, errors=None):
    rows = []
    for line in claim.lines.all():
        rows.append(
            {
                "line": line,
                "form": (forms_by_line or {}).get(line.pk),
                "errors": (errors or {}).get(services.line_key(line), []),
                "warning": " ".join(line.warnings),
                "warnings": line.warnings,
            }
        )
    return rows


@login_required
def claim_edit(request, pk):
    claim = _claim_or_404(request, pk)
    _require_preparer(request, claim)
    if not claim.is_editable:
        messages.info(request, NOT_EDITABLE)
        return redirect("reimbursement:claim_detail", claim.pk)
    data = request.POST if request.method == "POST" else None
    line_forms = {
        line.pk: ClaimLineForm(data, line=line) for line in claim.lines.all() if not line.is_locked
    }
    declaration = ClaimDeclarationForm(data)
    line_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "refresh":
            try:
                services.claim_refresh_lines(claim=claim, by=request.user)
            except ValidationError as error:  # e.g. submitted meanwhile: the edit page says so
                for text in error.messages:
                    messages.error(request, text)
            else:
                messages.success(request, "The lines now match the PCN's staff in post.")
            return redirect("reimbursement:claim_edit", claim.pk)
        saved = _save_lines(request, claim, line_forms)
        declaration.is_valid()
        if saved and action == "submit":
            try:
                services.claim_submit(
                    claim=claim,
                    declared_additional=declaration.cleaned_data["declared_additional"],
                    declared_costs_paid=declaration.cleaned_data["declared_costs_paid"],
                    by=request.user,
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    add_service_errors(
                        declaration, error
                    )  # about the claim: e.g. submitted meanwhile
                else:
                    for key, errors in error.message_dict.items():
                        if key.startswith("line_"):
                            line_errors[key] = errors
                        else:
                            add_service_errors(declaration, ValidationError({key: errors}))
            else:
                messages.success(request, f"{claim} submitted to your commissioner.")
                return redirect("reimbursement:claim_detail", claim.pk)
        elif saved:
            messages.success(request, "Draft saved.")
            return redirect("reimbursement:claim_edit", claim.pk)
        claim = _claim_or_404(request, pk)  # the figures as now saved
        if not claim.is_editable:
            # Submitted while this post waited: a second press of "Submit the claim".
            messages.info(request, NOT_EDITABLE)
            return redirect("reimbursement:claim_detail", claim.pk)
        messages.error(request, "There is a problem with the claim: see the messages below.")
    return render(
        request,
        "reimbursement/claim_edit.html",
        {
            "claim": claim,
            "rows": _line_rows(claim, line_forms, line_errors),
            "declaration": declaration,
            "totals": selectors.claim_totals(claim.lines.all()),
        },
    )


def _save_lines(request, claim, line_forms) -> bool:
    """Save every valid line, all at once; keep what was typed in the ones refused."""
    valid = {pk: form for pk, form in line_forms.items() if form.is_valid()}
    try:
        result = services.claim_lines_update(
            claim=claim,
            by=request.user,
            costs={pk: form.cleaned_data for pk, form in valid.items()},
        )
    except ValidationError as error:  # the claim itself: e.g. submitted meanwhile
        for text in error.messages:
            messages.error(request, text)
        return False
    for pk, error in result.refused.items():
        add_service_errors(valid[pk], error)
    return len(valid) == len(line_forms) and not result.refused


@login_required
@require_GET
def claim_line_breakdown(request, pk, line_pk):
    """The server's figures for a line as typed (not saved): the edit page shows them live."""
    claim = _claim_or_404(request, pk)
    _require_preparer(request, claim)
    line = _line_or_404(claim, line_pk)
    form = LineCostsPreviewForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": form.messages()}, status=400)
    # The same checks as saving (refused) and submitting (problems), so the figures shown as
    # the practice types are refused exactly when saving and submitting would refuse them.
    try:
        preview, problems = services.claim_line_preview(line=line, **form.cleaned_data)
    except ValidationError as error:
        return JsonResponse({"ok": False, "errors": error.messages}, status=400)
    if problems:
        # Still typing (a cost missing) is not a refusal; anything else is.
        return JsonResponse(
            {"ok": False, "errors": problems}, status=200 if not preview.costs_entered else 400
        )
    money = "{:,.2f}".format
    return JsonResponse(
        {
            "ok": True,
            "breakdown": {
                "provenance": _provenance(preview.rate_used_id),
                "cost": money(preview.cost),
                "wte": f"{preview.wte:.4f}",
                "days_in_post": preview.days_in_post,
                "days_in_month": preview.days_in_month,
                "annual_max": money(preview.annual_max),
                "rate": f"{preview.rate * 100:.0f}",
                "cap": money(preview.cap),
                "fee": money(preview.fee),
                "reimbursable": money(preview.reimbursable),
            },
            # Not refusals: shown in a warning callout, and the practice may carry on.
            "warning": " ".join(preview.warnings),
            "warnings": preview.warnings,
        }
    )


def _provenance(rate_id) -> dict | None:
    """The maximum a live breakdown used, as templates/reimbursement/_rate_provenance.html
    shows it on a saved line."""
    rate = Rate.objects.filter(pk=rate_id).first() if rate_id else None
    if rate is None:
        return None
    return {
        "summary": rate.summary,
        "provenance": rate.provenance,
        "text": rate.provenance_text,
        "derived": rate.is_derived,
        "basis": rate.basis,
    }


@login_required
def claim_detail(request, pk):
    claim = _claim_or_404(request, pk)
    can_review = access.can(request.user, access.Permission.REVIEW_CLAIMS, claim.pcn.commissioner)
    can_prepare = access.can(
        request.user, access.Permission.PREPARE_CLAIMS, claim.pcn, month=claim.month
    )
    if not (can_review or can_prepare):
        raise PermissionDenied("Only PCN and commissioner staff deal with ARRS claims.")
    lines = list(claim.lines.all())
    return render(
        request,
        "reimbursement/claim_detail.html",
        {
            "claim": claim,
            "rows": _line_rows(claim),
            "totals": selectors.claim_totals(lines),
            "can_review": can_review
            and claim.in_review
            and any(line.status == ClaimLine.Status.PENDING for line in lines),
            "can_return": can_review and claim.status in (*Claim.IN_REVIEW, Claim.Status.REJECTED),
            "can_edit": can_prepare and claim.is_editable,
            "return_form": ClaimReturnForm(),
            **_derived_figures(lines),
        },
    )


def _derived_figures(lines) -> dict:
    """The lines priced on a maximum that was derived, not published, by figure with the
    people it priced: a reviewer may still approve them, but should check the basis first."""
    figures: dict = {}
    for line in lines:
        if line.rate_used_id and line.rate_used.is_derived:
            figures.setdefault(line.rate_used, []).append(line.post.person_name)
    return {
        "derived_line_count": sum(len(names) for names in figures.values()),
        "derived_figures": list(figures.items()),
    }


def _review_action(request, pk, action) -> Claim:
    claim = _claim_or_404(request, pk)
    _require_reviewer(request, claim)
    try:
        action(claim)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return claim


@login_required
@require_POST
def claim_line_decide(request, pk, line_pk):
    claim = _claim_or_404(request, pk)
    _require_reviewer(request, claim)
    line = _line_or_404(claim, line_pk)
    form = LineDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to approve or reject the line.")
        return redirect("reimbursement:claim_detail", claim.pk)
    reason = form.cleaned_data["reason"]
    try:
        if form.cleaned_data["decision"] == "approve":
            services.claim_line_approve(line=line, reason=reason, by=request.user)
            messages.success(request, f"{line.post.person_name}'s line approved.")
        else:
            services.claim_line_reject(line=line, reason=reason, by=request.user)
            messages.success(request, f"{line.post.person_name}'s line rejected.")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, f"{line.post.person_name}: {text}")
    return redirect("reimbursement:claim_detail", claim.pk)


@login_required
@require_POST
def claim_return(request, pk):
    query = request.POST.get("query", "")

    def act(claim):
        services.claim_return(claim=claim, query=query, by=request.user)
        messages.success(request, "Claim returned to the practice with your question.")

    claim = _review_action(request, pk, act)
    return redirect("reimbursement:claim_detail", claim.pk)


@login_required
@require_POST
def claim_approve_remaining(request, pk):
    def act(claim):
        services.claim_approve_remaining(claim=claim, by=request.user)
        messages.success(request, "All remaining lines approved.")

    claim = _review_action(request, pk, act)
    return redirect("reimbursement:claim_detail", claim.pk)
