"""The PCN dashboard (its clinical director's) and the commissioner's dashboard, with a CSV
download of each chart's figures. Thin: the figures come from the dashboards' reads in this
package, who may see what from pcn_admin/access.py."""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from pcn_admin import access
from pcn_admin.spreadsheets import defused

from . import reads as dashboards


def _pcn_or_404(request, code: str):
    pcns = access.pcn_dashboard_pcns(request.user).select_related("commissioner")
    return access.load(
        request.user, access.Permission.VIEW_PCN_DASHBOARD, pcns, code=code.strip().upper()
    )


def _commissioner_or_404(request):
    access.require(request.user, access.Permission.VIEW_COMMISSIONER_DASHBOARD)
    commissioners = access.commissioner_dashboard_commissioners(request.user)
    code = request.GET.get("commissioner", "").strip().upper()
    if code:
        return get_object_or_404(commissioners, code=code)
    commissioner = commissioners.order_by("code").first()
    if commissioner is None:
        raise Http404("No commissioner is registered yet. Import the ePCN file first.")
    return commissioner


def _sort(request) -> tuple[str, bool]:
    key = request.GET.get("sort", "code")
    if key not in dashboards.SORT_KEYS:
        key = "code"
    return key, request.GET.get("order") == "desc"


def _by_name(charts: dict) -> dict:
    """Charts keyed so a template can reach them: charts.referrals_by_month."""
    return {slug.replace("-", "_"): chart for slug, chart in charts.items()}


@login_required
def pcn_dashboard(request, code: str):
    pcn = _pcn_or_404(request, code)
    today = timezone.localdate()
    year = dashboards.select_year(requested=request.GET.get("year"), today=today)
    board = dashboards.pcn_dashboard(pcn=pcn, year=year, today=today)
    query = urlencode({"year": year.year})
    for chart in board.charts.values():
        url = reverse("dashboards:pcn_dashboard_csv", args=[pcn.code, chart.slug])
        chart.csv_url = f"{url}?{query}"
    can_see_commissioner = access.has(request.user, access.Permission.VIEW_COMMISSIONER_DASHBOARD)
    return render(
        request,
        "dashboards/pcn_dashboard.html",
        {
            "board": board,
            "pcn": pcn,
            "year": year,
            "charts": _by_name(board.charts),
            # The new-referrals queue is the PCN's own users' (its clinical director's here).
            "queue_url": reverse("referrals:queue")
            if access.has(request.user, access.Permission.VIEW_REFERRALS)
            and request.user.pcn_id == pcn.pk
            else "",
            "commissioner_url": (
                reverse("dashboards:commissioner_dashboard")
                + "?"
                + urlencode({"commissioner": pcn.commissioner.code, "year": year.year})
            )
            if can_see_commissioner
            else "",
        },
    )


@login_required
def commissioner_dashboard(request):
    commissioner = _commissioner_or_404(request)
    today = timezone.localdate()
    year = dashboards.select_year(requested=request.GET.get("year"), today=today)
    sort, descending = _sort(request)
    board = dashboards.commissioner_dashboard(
        commissioner=commissioner, year=year, today=today, sort=sort, descending=descending
    )
    base = {"year": year.year}
    if access.sees_everything(request.user):
        base["commissioner"] = commissioner.code
    # The CSV keeps the table's order, as on screen.
    in_order = {**base, "sort": sort, "order": "desc" if descending else "asc"}
    for chart in board.charts.values():
        url = reverse("dashboards:commissioner_dashboard_csv", args=[chart.slug])
        chart.csv_url = f"{url}?{urlencode(in_order)}"
    headers = []
    for key, label, numeric in COMMISSIONER_COLUMNS:
        current = key == sort
        order = "asc" if current and descending else ("desc" if current else "asc")
        if not current and numeric:
            order = "desc"  # the biggest figures are usually the ones wanted first
        headers.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "href": "?" + urlencode({**base, "sort": key, "order": order}),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    show_admin = access.has(request.user, access.Permission.USE_ADMIN)
    # The batch's own page (NHS-styled), where its staff finalise and pay it.
    batch_url = (
        reverse("reimbursement:batch_detail", args=[board.batch.reference])
        if board.batch and access.has(request.user, access.Permission.MANAGE_BATCHES)
        else ""
    )
    return render(
        request,
        "dashboards/commissioner_dashboard.html",
        {
            "board": board,
            "commissioner": commissioner,
            "year": year,
            "headers": headers,
            "charts": _by_name(board.charts),
            "keep": [("sort", sort), ("order", "desc" if descending else "asc")],
            "batch_url": batch_url,
            "show_admin": show_admin,
            "commissioners": (
                access.commissioner_dashboard_commissioners(request.user).order_by("code")
                if access.sees_everything(request.user)
                else None
            ),
        },
    )


# (sort key, heading, numeric) for the commissioner's PCN table.
COMMISSIONER_COLUMNS = [
    ("code", "PCN", False),
    ("population", "Population", True),
    ("entitlement", "Entitlement", True),
    ("claimed", "Claimed to date", True),
    ("forecast", "Forecast", True),
    ("used", "Used", True),
    ("unclaimed", "Projected unclaimed", True),
    ("review", "Awaiting review", True),
    ("referrals", "Referrals", True),
]


def _csv_response(chart: dashboards.Chart, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in chart.csv_rows():
        # Directory entries are typed by community organisations: defuse would-be formulas.
        writer.writerow([defused(value) for value in row])
    return response


@login_required
def pcn_dashboard_csv(request, code: str, chart: str):
    pcn = _pcn_or_404(request, code)
    if chart not in dashboards.PCN_CHARTS:
        raise Http404(f"There is no chart called “{chart}” on the PCN dashboard.")
    today = timezone.localdate()
    year = dashboards.select_year(requested=request.GET.get("year"), today=today)
    board = dashboards.pcn_dashboard(pcn=pcn, year=year, today=today)
    filename = f"{pcn.code}-{year.year}-{(year.year + 1) % 100:02d}-{chart}.csv"
    return _csv_response(board.charts[chart], filename)


@login_required
def commissioner_dashboard_csv(request, chart: str):
    commissioner = _commissioner_or_404(request)
    if chart not in dashboards.COMMISSIONER_CHARTS:
        raise Http404(f"There is no chart called “{chart}” on the commissioner dashboard.")
    today = timezone.localdate()
    year = dashboards.select_year(requested=request.GET.get("year"), today=today)
    sort, descending = _sort(request)
    board = dashboards.commissioner_dashboard(
        commissioner=commissioner, year=year, today=today, sort=sort, descending=descending
    )
    filename = f"{commissioner.code}-{year.year}-{(year.year + 1) % 100:02d}-{chart}.csv"
    return _csv_response(board.charts[chart], filename)
