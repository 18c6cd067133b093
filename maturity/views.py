"""Pages for PCN development: the maturity matrix, self-assessment rounds (commissioner staff open
them and read the heat map; the clinical director completes the PCN's assessment), a PCN's
progress over rounds, and the prospectus checklist. Thin: reads from maturity.selectors, writes
through maturity.services, who may do what from pcn_admin/access.py."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pcn_admin import access, submissions
from pcn_admin.dates import financial_year, year_label
from pcn_admin.form_errors import add_service_errors
from pcn_admin.spreadsheets import defused

from . import charts, selectors, services
from .forms import (
    ExpectationForm,
    RatingForm,
    RoundForm,
    SystemRatingForm,
    SystemViewForm,
    add_prefixed_errors,
)
from .models import Assessment, AssessmentRound, ExpectationStatus, MatrixVersion

P = access.Permission
PAGE_SIZE = 25


def _csv(filename: str, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        # Evidence and names are typed by people: defuse would-be formulas.
        writer.writerow([defused(value) for value in row])
    return response


# The index and the matrix --------------------------------------------------------------------


@login_required
def index(request):
    """Commissioner staff: their rounds. A clinical director: their PCN's assessments, the ones
    to complete first."""
    user = request.user
    access.require(user, P.VIEW_MATURITY)
    rounds = access.visible_assessment_rounds(user).select_related("commissioner", "matrix_version")
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    assessments = []
    if access.has(user, P.COMPLETE_ASSESSMENTS) and user.pcn_id:
        assessments = list(
            access.visible_assessments(user)
            .filter(pcn_id=user.pcn_id)
            .select_related("round", "pcn")
            .order_by("-round__date", "-round__pk")[:PAGE_SIZE]
        )
    return render(
        request,
        "maturity/index.html",
        {
            "page": page,
            "assessments": assessments,
            "own_pcn": user.pcn if user.pcn_id else None,
            "can_open": access.has(user, P.MANAGE_ASSESSMENT_ROUNDS),
            "can_complete": access.has(user, P.COMPLETE_ASSESSMENTS),
            "version": selectors.current_matrix_version(),
        },
    )


@login_required
def matrix(request):
    """The matrix: domains down, stages across, with each descriptor. National: the same for
    every area."""
    access.require(request.user, P.VIEW_MATURITY)
    versions = MatrixVersion.objects.exclude(status=MatrixVersion.Status.DRAFT)
    if access.has(request.user, P.EDIT_MATURITY_MATRIX):
        versions = MatrixVersion.objects.all()
    chosen = request.GET.get("version", "")
    if chosen:
        if not chosen.isdigit():
            raise Http404("There is no such version of the matrix.")
        version = get_object_or_404(versions, pk=chosen)
    else:
        version = selectors.current_matrix_version()
    return render(
        request,
        "maturity/matrix.html",
        {
            "grid": selectors.matrix_grid(version) if version else None,
            "version": version,
            "versions": versions,
            "admin_url": reverse("admin:maturity_matrixversion_change", args=[version.pk])
            if version and access.has(request.user, P.EDIT_MATURITY_MATRIX)
            else "",
        },
    )


# Rounds -------------------------------------------------------------------------------------


@login_required
@submissions.repeat_safe
def round_create(request):
    user = request.user
    access.require(user, P.MANAGE_ASSESSMENT_ROUNDS)
    commissioners = access.visible_commissioners(user)
    if not commissioners.exists():
        raise PermissionDenied("Your commissioner is not recorded, so no round can be opened.")
    form = RoundForm(
        request.POST or None,
        commissioners=commissioners,
        pcns=access.maturity_pcns(user),
        initial={"matrix_version": selectors.current_matrix_version()},
    )
    if request.method == "POST" and form.is_valid():
        commissioner = form.cleaned_data["commissioner"]
        access.require(user, P.MANAGE_ASSESSMENT_ROUNDS, commissioner)

        def open_round() -> str:
            opened = services.round_open(
                commissioner=commissioner,
                name=form.cleaned_data["name"],
                date=form.cleaned_data["date"],
                matrix_version=form.cleaned_data["matrix_version"],
                pcns=form.cleaned_data["pcns"],
                by=user,
            )
            count = opened.assessments.exclude(pcn=None).count()
            messages.success(
                request,
                f"{opened.name} opened for {count} PCN{'s' if count != 1 else ''}: each clinical "
                "director can now complete their PCN's assessment.",
            )
            return reverse("maturity:round_detail", args=[opened.pk])

        try:
            return submissions.once(request, open_round)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "maturity/round_form.html", {"form": form})


def _round(request, pk: int) -> AssessmentRound:
    rounds = access.visible_assessment_rounds(request.user).select_related(
        "commissioner", "matrix_version"
    )
    return access.load(request.user, P.MANAGE_ASSESSMENT_ROUNDS, rounds, pk=pk)


@login_required
def round_detail(request, pk: int):
    """The round's heat map: every PCN by domain, and the movement since each one's baseline."""
    assessment_round = _round(request, pk)
    heat = selectors.round_heat_map(assessment_round)
    for row in [*heat.rows, *([heat.place] if heat.place else [])]:
        for cell in row.cells:
            cell.css = charts.stage_class(cell.position)
            cell.moved = charts.movement_text(cell.movement)
    return render(
        request,
        "maturity/round_detail.html",
        {"round": assessment_round, "heat": heat, "version": assessment_round.matrix_version},
    )


def heat_map_rows(heat: selectors.HeatMap) -> list[list]:
    header = [
        "PCN code",
        "PCN",
        "Assessment",
        "Domain",
        "Stage",
        "Stage number",
        "Baseline round",
        "Baseline stage",
        "Movement since baseline (stages)",
    ]
    rows = [header]
    for row in [*heat.rows, *([heat.place] if heat.place else [])]:
        assessment = row.assessment
        for domain, cell in zip(heat.domains, row.cells, strict=True):
            rows.append(
                [
                    assessment.pcn.code if assessment.pcn_id else "",
                    assessment.pcn.name if assessment.pcn_id else assessment.subject,
                    assessment.get_status_display(),
                    domain.name,
                    cell.stage or "",
                    "" if cell.position is None else cell.position,
                    row.baseline_round.name if row.baseline_round else "",
                    cell.baseline or "",
                    "" if cell.movement is None else cell.movement,
                ]
            )
    return rows


@login_required
def round_csv(request, pk: int):
    assessment_round = _round(request, pk)
    heat = selectors.round_heat_map(assessment_round)
    filename = f"{assessment_round.commissioner.code}-maturity-{assessment_round.date}.csv"
    return _csv(filename, heat_map_rows(heat))


@login_required
@require_POST
def round_close(request, pk: int):
    assessment_round = _round(request, pk)
    try:
        services.round_close(assessment_round=assessment_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{assessment_round.name} is closed: its assessments are final.")
    return redirect("maturity:round_detail", pk=assessment_round.pk)


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
    assessment_round = _round(request, pk)
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


# A PCN's progress and its checklist -----------------------------------------------------------


def _pcn(request, code: str):
    pcns = access.maturity_pcns(request.user).select_related("commissioner")
    return access.load(request.user, P.VIEW_MATURITY, pcns, code=code.strip().upper())


def progress_rows(progress: selectors.Progress) -> list[list]:
    header = [
        "Domain",
        *(f"{a.round.name} ({a.round.date:%d %B %Y})" for a in progress.assessments),
        "Change since baseline (stages)",
    ]
    rows = [header]
    for domain in progress.domains:
        rows.append(
            [
                domain.name,
                *(point.stage or "Not rated" for point in domain.points),
                "" if domain.movement is None else domain.movement,
            ]
        )
    return rows


@login_required
def pcn_progress(request, code: str):
    """Each domain's stage over the rounds the PCN submitted in: a chart per domain, the table
    of the same figures and its CSV."""
    pcn = _pcn(request, code)
    progress = selectors.pcn_progress(pcn)
    for domain in progress.domains:
        domain.moved = charts.movement_text(domain.movement)
        domain.since_previous_text = charts.movement_text(domain.since_previous)
    to_do = list(selectors.open_assessments_for(pcn))
    can_complete = access.can(request.user, P.COMPLETE_ASSESSMENTS, pcn)
    return render(
        request,
        "maturity/pcn_progress.html",
        {
            "pcn": pcn,
            "progress": progress,
            "charts": charts.progress_charts(progress),
            "to_do": to_do,
            "can_complete": can_complete,
            "version": progress.latest.round.matrix_version if progress.latest else None,
        },
    )


@login_required
def pcn_progress_csv(request, code: str):
    pcn = _pcn(request, code)
    progress = selectors.pcn_progress(pcn)
    return _csv(f"{pcn.code}-maturity-progress.csv", progress_rows(progress))


def _checklist_year(request) -> int:
    today = timezone.localdate()
    latest = financial_year(today)
    try:
        year = int(request.GET.get("year", selectors.PROSPECTUS_YEAR))
    except ValueError:
        year = selectors.PROSPECTUS_YEAR
    return min(max(year, selectors.PROSPECTUS_YEAR), latest)


@login_required
def checklist(request, code: str):
    """The prospectus's March 2020 expectations for one PCN: status, evidence and date, with
    "used 100% of its ARRS entitlement" worked out from the app's own figures."""
    pcn = _pcn(request, code)
    year = _checklist_year(request)
    rows = selectors.checklist(pcn, year=year)
    can_edit = access.can(request.user, P.EDIT_PROSPECTUS_CHECKLIST, pcn)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(access.REFUSALS[P.EDIT_PROSPECTUS_CHECKLIST])
    data = request.POST if request.method == "POST" else None
    page_errors: list[str] = []
    for row in rows:
        row.form = None
        if row.worked_out is None and can_edit:
            status = row.status
            initial = (
                {"status": status.status, "evidence": status.evidence, "date": status.date}
                if status
                else {"status": ExpectationStatus.Status.NOT_STARTED}
            )
            row.form = ExpectationForm(data, expectation=row.expectation, initial=initial)
    forms = [row.form for row in rows if row.form is not None]
    if data is not None and all(form.is_valid() for form in forms):
        try:
            with transaction.atomic():
                for form in forms:
                    try:
                        services.expectation_status_save(
                            pcn=pcn,
                            expectation=form.expectation,
                            by=request.user,
                            **form.cleaned_data,
                        )
                    except ValidationError as error:
                        add_service_errors(form, error)
                if any(form.errors for form in forms):
                    raise ValidationError("not saved")
        except ValidationError:
            page_errors.append("Nothing was saved: correct the lines marked below and save again.")
        else:
            messages.success(request, f"{pcn.name}'s checklist is saved.")
            url = reverse("maturity:checklist", args=[pcn.code])
            return redirect(f"{url}?year={year}")
    return render(
        request,
        "maturity/checklist.html",
        {
            "pcn": pcn,
            "rows": rows,
            "year": year,
            "year_label": year_label(year),
            "years": [
                (y, year_label(y))
                for y in range(selectors.PROSPECTUS_YEAR, financial_year(timezone.localdate()) + 1)
            ],
            "can_edit": can_edit,
            "forms": forms,
            "page_errors": page_errors,
            "has_errors": bool(page_errors) or any(form.errors for form in forms),
        },
    )
