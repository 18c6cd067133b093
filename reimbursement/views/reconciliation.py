"""The reconciliation page and its CSV: for a commissioner and financial year, what the app paid
each PCN in each stream (or would have paid) against what NHS England reported as paid, with
the differences above a tolerance the user chooses highlighted.

Thin: the figures come from reimbursement.reconciliation; who may see which commissioner from
pcn_admin.access (403 without the permission, 404 for another area).
"""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from pcn_admin import access
from pcn_admin.dates import financial_year, year_label
from pcn_admin.spreadsheets import defused

from ..exports import money_text
from ..models import ReportedPaymentImport
from ..reconciliation import DEFAULT_TOLERANCE, parse_tolerance, reconcile
from ..reconciliation_forms import ReconciliationForm
from ..services import REPORTED_FIRST_YEAR as FIRST_YEAR

# PCNs on one page (each with a row per stream).
PCNS_PER_PAGE = 20
CSV_COLUMNS = (
    "pcn",
    "pcn_name",
    "in_register",
    "stream",
    "stream_name",
    "app",
    "app_basis",
    "paid",
    "would_have_paid",
    "reported",
    "difference",
    "difference_percent",
    "above_tolerance",
    "note",
)


def _commissioner(request):
    """The user's own area (commissioner staff) or the one asked for (superusers: by default
    the first; None while the register holds none): 403 without the permission, 404 for an
    area out of reach."""
    user = request.user
    access.require(user, access.Permission.VIEW_RECONCILIATION)
    commissioners = access.reconciliation_commissioners(user)
    code = request.GET.get("commissioner", "").strip().upper()
    if code:
        commissioner = get_object_or_404(commissioners, code=code)
    else:
        commissioner = commissioners.order_by("code").first()
        if commissioner is None:
            return None
    access.require(user, access.Permission.VIEW_RECONCILIATION, commissioner)
    return commissioner


def _choices(request):
    """The form, bound to the query, and the year and tolerance to show (a bad value is named
    on the form, and the default is shown meanwhile)."""
    imported = set(ReportedPaymentImport.objects.values_list("year", flat=True).distinct())
    latest = financial_year(timezone.localdate())
    years = sorted(set(range(FIRST_YEAR, latest + 1)) | imported, reverse=True)
    default_year = max(imported) if imported else latest - 1
    data = {
        "year": request.GET.get("year") or default_year,
        "tolerance": request.GET.get("tolerance", ""),
        "above": request.GET.get("above", ""),
    }
    form = ReconciliationForm(data, years=years, imported=imported)
    form.is_valid()
    cleaned = form.cleaned_data
    return (
        form,
        cleaned.get("year", default_year),
        cleaned.get("tolerance") or parse_tolerance(DEFAULT_TOLERANCE),
        bool(cleaned.get("above")),
    )


@login_required
@require_GET
def reconciliation(request):
    commissioner = _commissioner(request)
    if commissioner is None:
        return render(request, "reimbursement/reconciliation_no_commissioner.html")
    form, year, tolerance, above_only = _choices(request)
    result = reconcile(year=year, commissioner=commissioner)
    above = result.apply(tolerance)
    groups = [
        group
        for group in result.by_pcn()
        if not above_only or any(r.above_tolerance for r in group[3])
    ]
    page = Paginator(groups, PCNS_PER_PAGE).get_page(request.GET.get("page"))
    for _, _, _, rows in page.object_list:
        for row in rows:
            row.app_text = _shown(row.app)
            row.reported_text = _shown(row.reported)
            row.difference_text = _shown(row.difference)
    query = {"year": year, "tolerance": tolerance.text}
    if access.sees_everything(request.user):
        query["commissioner"] = commissioner.code
    if above_only:
        query["above"] = "on"
    return render(
        request,
        "reimbursement/reconciliation.html",
        {
            "commissioner": commissioner,
            "commissioners": (
                access.reconciliation_commissioners(request.user).order_by("code")
                if access.sees_everything(request.user)
                else None
            ),
            "form": form,
            "result": result,
            "year_label": year_label(year),
            "tolerance": tolerance,
            "above_count": above,
            "no_rate_count": sum(1 for row in result.rows if row.basis == "No rate"),
            "pcn_count": len(result.by_pcn()),
            "page": page,
            "query": urlencode(query),
            "no_pcn_text": money_text(result.no_pcn) if result.no_pcn else "",
            "import_command": f"python manage.py import_reported_payments PATH --year {year}",
        },
    )


def _shown(value) -> str:
    return "" if value is None else money_text(value)


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


@login_required
@require_GET
def reconciliation_csv(request):
    commissioner = _commissioner(request)
    if commissioner is None:
        raise Http404("No commissioner is registered yet. Import the ePCN file first.")
    _, year, tolerance, _ = _choices(request)
    result = reconcile(year=year, commissioner=commissioner)
    if result.source is None:
        raise Http404(
            f"No NHS Payments to General Practice file has been imported for {year_label(year)}."
        )
    result.apply(tolerance)
    filename = f"{commissioner.code}-{year}-{(year + 1) % 100:02d}-reconciliation.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        # Amounts are written as plain numbers (a recovery is negative, and must still sum);
        # only the names and notes are text a spreadsheet could run.
        writer.writerow(
            [
                defused(row.pcn_code),
                defused(row.pcn_name),
                "yes" if row.in_register else "no",
                row.stream.code,
                defused(row.stream.name),
                _money(row.app),
                row.basis,
                _money(row.paid),
                _money(row.would_have_paid),
                _money(row.reported),
                _money(row.difference),
                "" if row.percent is None else f"{row.percent}",
                "yes" if row.above_tolerance else "no",
                defused(row.note),
            ]
        )
    return response
