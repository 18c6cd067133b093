"""The index, the matrix and self-assessment rounds: commissioner staff open them and read the
heat map of every PCN by domain, with the movement since each PCN's baseline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pcn_admin import access, submissions
from pcn_admin.form_errors import add_service_errors

from .. import charts, selectors, services
from ..forms import (
    RoundForm,
)
from ..models import MatrixVersion
from .common import PAGE_SIZE, P, csv_response, load_round

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


@login_required
def round_detail(request, pk: int):
    """The round's heat map: every PCN by domain, and the movement since each one's baseline."""
    assessment_round = load_round(request, pk)
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
    assessment_round = load_round(request, pk)
    heat = selectors.round_heat_map(assessment_round)
    filename = f"{assessment_round.commissioner.code}-maturity-{assessment_round.date}.csv"
    return csv_response(filename, heat_map_rows(heat))


@login_required
@require_POST
def round_close(request, pk: int):
    assessment_round = load_round(request, pk)
    try:
        services.round_close(assessment_round=assessment_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{assessment_round.name} is closed: its assessments are final.")
    return redirect("maturity:round_detail", pk=assessment_round.pk)
