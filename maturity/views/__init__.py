"""Pages for PCN development: the maturity matrix, self-assessment rounds (commissioner staff open
them and read the heat map; the clinical director completes the PCN's assessment), a PCN's
progress over rounds, and the prospectus checklist. Thin: reads from maturity.selectors, writes
through maturity.services, who may do what from pcn_admin/access.py."""

from .assessments import assessment_detail, assessment_edit, place_assessment, system_view
from .progress import checklist, pcn_progress, pcn_progress_csv
from .rounds import index, matrix, round_close, round_create, round_csv, round_detail

__all__ = [
    "assessment_detail",
    "assessment_edit",
    "checklist",
    "index",
    "matrix",
    "pcn_progress",
    "pcn_progress_csv",
    "place_assessment",
    "round_close",
    "round_create",
    "round_csv",
    "round_detail",
    "system_view",
]
