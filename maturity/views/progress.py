"""A PCN's progress over the rounds (a chart per domain, the table and its CSV) and its
prospectus checklist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pcn_admin import access
from pcn_admin.dates import financial_year, year_label
from pcn_admin.form_errors import add_service_errors

from .. import charts, selectors, services
from ..forms import (
    ExpectationForm,
)
from ..models import ExpectationStatus
from .common import P, csv_response

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
    return csv_response(f"{pcn.code}-maturity-progress.csv", progress_rows(progress))


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
