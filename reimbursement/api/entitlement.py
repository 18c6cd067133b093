"""API for a PCN's Additional Roles Reimbursement Sum: /api/v1/pcns/{code}/entitlement/?year=2024.

Money, so it lives here beside claims and batches; the figures come from
reimbursement/entitlement.py, as on the PCN dashboard.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from pcn_admin import access
from pcn_admin.bounds import EARLIEST, a_year_ahead
from pcn_admin.drf import api_validation_error

from ..entitlement import Entitlement, pcn_entitlement


def _money(value) -> str | None:
    return None if value is None else str(value)


def entitlement_data(entitlement: Entitlement) -> dict:
    gp_pot = entitlement.gp_pot
    return {
        "pcn": entitlement.pcn.code,
        "year": entitlement.year,
        "financial_year": entitlement.label,
        "population_date": entitlement.population_date,
        "per_weighted_patient": str(entitlement.per_weighted_patient),
        "weighted_population": str(entitlement.weighted_population),
        "practices": [
            {
                "code": p.code,
                "name": p.name,
                "weighted_patients": _money(p.weighted_patients),
                "figure_date": p.figure_date,
            }
            for p in entitlement.practices
        ],
        "members_without_figure": entitlement.members_without_figure,
        # The dates the weighted list sizes really have (population_date is the day they are
        # taken on): a warning when any is older than population_date.
        "list_sizes_dates": entitlement.list_dates,
        "list_sizes_warning": entitlement.lists_warning,
        "arr_sum": str(entitlement.arr_sum),
        "spend_to_date": str(entitlement.spend_to_date),
        "spend_note": entitlement.spend_note,
        "forecast": str(entitlement.forecast),
        "forecast_from": entitlement.forecast_from,
        "forecast_note": entitlement.forecast_note,
        "forecast_gaps": [vars(gap) for gap in entitlement.forecast_gaps],
        # The maxima the forecast used that were derived rather than published.
        "forecast_derived": [
            {
                "role": rate.role.code,
                "annual_max": str(rate.annual_max),
                "effective_from": rate.effective_from,
                "provenance": rate.provenance,
                "basis": rate.basis,
            }
            for rate in entitlement.forecast_derived
        ],
        "unclaimed": str(entitlement.unclaimed),
        "over_committed": entitlement.over_committed,
        "gp_pot": gp_pot
        and {
            k: _money(v) if k not in ("from", "to", "over_committed") else v
            for k, v in gp_pot.items()
        },
        "rounding_note": entitlement.rounding_note,
    }


class EntitlementViewSet(viewsets.ViewSet):
    """A PCN's Additional Roles Reimbursement Sum for a financial year, with its inputs."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT, required=True, description="2024 for 2024/25."
            )
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request, pcn_code=None):
        # The PCN dashboard shows the same figures: one permission answers both.
        pcn = access.load(
            request.user,
            access.Permission.VIEW_PCN_DASHBOARD,
            access.visible_pcns(request.user),
            code=pcn_code,
        )
        try:
            year = int(request.query_params["year"])
        except (KeyError, ValueError):
            raise APIValidationError(
                {"year": "Give the financial year's start, e.g. ?year=2024 for 2024/25."}
            ) from None
        latest = a_year_ahead().year
        if not EARLIEST.year <= year <= latest:
            raise APIValidationError(
                {
                    "year": f"Give a financial year from {EARLIEST.year}, when the ARRS began, "
                    f"to {latest}."
                }
            )
        try:
            entitlement = pcn_entitlement(pcn=pcn, year=year)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return Response(entitlement_data(entitlement))
