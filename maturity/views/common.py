"""What the PCN development pages share: the permission names, a CSV response and the
round loader (403 without the permission to manage rounds, 404 outside the user's area)."""

import csv

from django.http import HttpResponse

from pcn_admin import access
from pcn_admin.spreadsheets import defused

from ..models import AssessmentRound

P = access.Permission
PAGE_SIZE = 25


def csv_response(filename: str, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        # Evidence and names are typed by people: defuse would-be formulas.
        writer.writerow([defused(value) for value in row])
    return response


def load_round(request, pk: int) -> AssessmentRound:
    rounds = access.visible_assessment_rounds(request.user).select_related(
        "commissioner", "matrix_version"
    )
    return access.load(request.user, P.MANAGE_ASSESSMENT_ROUNDS, rounds, pk=pk)
