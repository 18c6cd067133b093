"""ARRS reference data (roles, maximum rates, reimbursement percentages, ARR sum rates) and
the staff in post that PCNs claim for.

Every figure here is a dated row that national administrators edit: nothing about money
is a constant in code (docs/decisions/0002-rates-and-percentages.md). Callers import from here,
never from the submodules.
"""

from .posts import (
    AFC_BANDS,
    AFC_BANDS_TEXT,
    BASELINE_DATE,
    GP_SCHEME_START,
    Post,
    PostHours,
    afc_band_error,
    normalise_afc_band,
)
from .reference import (
    FULL_TIME,
    REGION_FALLBACK,
    EntitlementRate,
    LockedRateError,
    Provenance,
    ProvenanceLabels,
    Rate,
    RateQuerySet,
    Region,
    ReimbursementPercentage,
    Role,
    Sourced,
    Unit,
)

__all__ = [
    "AFC_BANDS",
    "AFC_BANDS_TEXT",
    "BASELINE_DATE",
    "FULL_TIME",
    "GP_SCHEME_START",
    "EntitlementRate",
    "LockedRateError",
    "Post",
    "PostHours",
    "Provenance",
    "ProvenanceLabels",
    "Sourced",
    "REGION_FALLBACK",
    "Rate",
    "RateQuerySet",
    "Region",
    "ReimbursementPercentage",
    "Role",
    "Unit",
    "afc_band_error",
    "normalise_afc_band",
]
