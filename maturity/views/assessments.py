"""Assessments: the clinical director completes the PCN's (a draft, then submitted); commissioner
staff add the system's view of each PCN and complete their own place-level assessment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from pcn_admin import access, submissions

from .. import selectors, services
from ..forms import (
    RatingForm,
    SystemRatingForm,
    SystemViewForm,
    add_prefixed_errors,
)
from ..models import Assessment
from .common import P, load_round

# Assessments --------------------------------------------------------------------------------


def _rating_forms(request, assessment: Assessment, grid: selectors.MatrixGrid):
    existing = selectors.assessment_with_ratings(assessment)
    forms = []
    for row in grid.rows:
        rating = existing.get(row.domain.pk)
        initial = (
            {
                "stage": str(rating.stage_id) if rating.stage_id else "",
                "evidence": rating.evidence,
                "next_steps": rating.next_steps,
            }
            if rating
            else {}
        )
        form = RatingForm(
            request.POST if request.method == "POST" else None,
            domain=row.domain,
            stages=grid.stages,
            initial=initial,
        )
        chosen = str(form["stage"].value() or "")
        form.options = [
            {
                "value": str(stage.pk),
                "id": f"{form['stage'].auto_id}_{i}",
                "name": stage.name,
                "descriptor": descriptor,
                "checked": chosen == str(stage.pk),
            }
            for i, (stage, descriptor) in enumerate(zip(grid.stages, row.descriptors, strict=True))
        ]
        forms.append(form)
    return forms


def _assessment_form_page(request, assessment: Assessment, *, done_url: str):
    """The assessment's form (a PCN's, or the place's own): saved as a draft, or submitted."""
    grid = selectors.matrix_grid(assessment.round.matrix_version)
    forms = _rating_forms(request, assessment, grid)
    page_errors: list[str] = []
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        if all(form.is_valid() for form in forms):
            ratings = {
                form.domain.pk: services.RatingInput(
                    stage=form.cleaned_data["stage"],
                    evidence=form.cleaned_data["evidence"],
                    next_steps=form.cleaned_data["next_steps"],
                )
                for form in forms
            }

            def save() -> str:
                services.assessment_save(
                    assessment=assessment, ratings=ratings, by=request.user, submit=submit
                )
                if submit:
                    messages.success(
                        request, f"{assessment.subject}'s assessment submitted. Thank you."
                    )
                    return done_url
                messages.success(request, "Draft saved. Submit it when every domain has a stage.")
                return request.path

            try:
                return submissions.once(request, save)
            except ValidationError as error:
                add_prefixed_errors({f.prefix: f for f in forms}, error, page_errors)
    return render(
        request,
        "maturity/assessment_form.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "version": assessment.round.matrix_version,
            "grid": grid,
            "forms": forms,
            "page_errors": page_errors,
            "has_errors": bool(page_errors) or any(form.errors for form in forms),
        },
    )


def _pcn_assessments(user):
    return (
        access.visible_assessments(user)
        .filter(pcn__isnull=False)
        .select_related("round__matrix_version", "round__commissioner", "pcn")
    )


def _editable(assessment: Assessment) -> str:
    """Why the assessment cannot be changed now, or ""."""
    if not assessment.round.is_open:
        return "The round is closed: this assessment can no longer be changed."
    if assessment.is_submitted:
        return "This assessment has been submitted: it can no longer be changed."
    return ""


@login_required
@submissions.repeat_safe
@access.loads(P.COMPLETE_ASSESSMENTS, _pcn_assessments)
def assessment_edit(request, assessment):
    reason = _editable(assessment)
    if reason:
        messages.info(request, reason)
        return redirect("maturity:assessment_detail", pk=assessment.pk)
    done = reverse("maturity:assessment_detail", args=[assessment.pk])
    return _assessment_form_page(request, assessment, done_url=done)


@login_required
@submissions.repeat_safe
def place_assessment(request, pk: int):
    """The commissioner's own place- or system-level assessment for the round."""
    assessment_round = load_round(request, pk)
    assessment = get_object_or_404(
        Assessment.objects.select_related("round__matrix_version", "round__commissioner"),
        round=assessment_round,
        pcn__isnull=True,
    )
    reason = _editable(assessment)
    if reason:
        return render(
            request,
            "maturity/assessment_detail.html",
            _detail_context(request, assessment, reason=reason),
        )
    done = reverse("maturity:round_detail", args=[assessment_round.pk])
    return _assessment_form_page(request, assessment, done_url=done)


def _detail_context(request, assessment: Assessment, reason: str = "") -> dict:
    user = request.user
    grid = selectors.matrix_grid(assessment.round.matrix_version)
    ratings = selectors.assessment_with_ratings(assessment)
    rows = [{"domain": row.domain, "rating": ratings.get(row.domain.pk)} for row in grid.rows]
    return {
        "assessment": assessment,
        "round": assessment.round,
        "version": assessment.round.matrix_version,
        "rows": rows,
        "reason": reason,
        "can_edit": not _editable(assessment)
        and not assessment.is_place
        and access.can(user, P.COMPLETE_ASSESSMENTS, assessment),
        "can_add_view": not assessment.is_place
        and access.can(user, P.MANAGE_ASSESSMENT_ROUNDS, assessment.round),
        "can_see_round": access.can(user, P.MANAGE_ASSESSMENT_ROUNDS, assessment.round),
    }


def _assessments(user):
    return access.visible_assessments(user).select_related(
        "round__matrix_version", "round__commissioner", "pcn", "submitted_by", "system_view_by"
    )


@login_required
@access.loads(P.VIEW_MATURITY, _assessments)
def assessment_detail(request, assessment):
    return render(request, "maturity/assessment_detail.html", _detail_context(request, assessment))


@login_required
@access.loads(P.MANAGE_ASSESSMENT_ROUNDS, _pcn_assessments)
def system_view(request, assessment):
    """The system's view of one PCN's development, beside its own assessment."""
    version = assessment.round.matrix_version
    grid = selectors.matrix_grid(version)
    existing = selectors.assessment_with_ratings(assessment)
    data = request.POST if request.method == "POST" else None
    view_form = SystemViewForm(data, initial={"system_view": assessment.system_view})
    forms = []
    for row in grid.rows:
        rating = existing.get(row.domain.pk)
        initial = (
            {"stage": str(rating.system_stage_id or ""), "comment": rating.system_comment}
            if rating
            else {}
        )
        form = SystemRatingForm(data, domain=row.domain, stages=grid.stages, initial=initial)
        form.own = rating
        forms.append(form)
    page_errors: list[str] = []
    if request.method == "POST" and view_form.is_valid() and all(f.is_valid() for f in forms):
        try:
            services.system_view_save(
                assessment=assessment,
                view=view_form.cleaned_data["system_view"],
                ratings={
                    f.domain.pk: services.SystemViewInput(
                        stage=f.cleaned_data["stage"], comment=f.cleaned_data["comment"]
                    )
                    for f in forms
                },
                by=request.user,
            )
        except ValidationError as error:
            add_prefixed_errors({f.prefix: f for f in forms}, error, page_errors)
        else:
            messages.success(request, f"The system's view of {assessment.pcn.name} is saved.")
            return redirect("maturity:assessment_detail", pk=assessment.pk)
    return render(
        request,
        "maturity/system_view_form.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "version": version,
            "view_form": view_form,
            "forms": forms,
            "page_errors": page_errors,
            "has_errors": bool(page_errors)
            or bool(view_form.errors)
            or any(f.errors for f in forms),
        },
    )
