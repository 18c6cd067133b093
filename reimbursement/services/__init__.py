"""Writes for claims: create, fill in, submit, review. The only way claims and lines change.

Keyword-only and transactional; each validates with full_clean() and records `by` on the
history row. Who may call them is decided at the edge (views, API, admin) by pcn_admin.access;
what state a claim must be in is decided here. Figures come only from calculations.py.

Drafting and submitting are in claims.py, the review in review.py (and the month's bulk
review in bulk_review.py), copying last month's costs in copy_forward.py, payroll uploads in
payroll.py, national pay awards (new maxima and the adjustments they make due) in
pay_awards.py, declared Network Contract DES amounts in declared.py and the streams' rates in
stream_rates.py, what NHS England reported as paid (for the
reconciliation) in reported.py; callers import from here, never from the submodules.
"""

from .bulk_review import (
    BulkApproveResult,
    BulkReviewPlan,
    bulk_review_plan,
    claim_lines_bulk_approve,
    line_hold_reasons,
)
from .claims import (
    PENNY,
    PLACES,
    ZERO,
    LinesSaved,
    claim_create,
    claim_line_preview,
    claim_line_update,
    claim_lines_update,
    claim_refresh_lines,
    claim_submit,
    line_key,
)
from .copy_forward import CopyForwardResult, claim_copy_forward, previous_month
from .declared import IMPORT_HEADERS as DECLARED_IMPORT_HEADERS
from .declared import (
    DeclaredImport,
    DeclaredRow,
    declared_approve,
    declared_check_file,
    declared_enter,
    declared_import,
    declared_reject,
    declared_streams,
)
from .pay_awards import GROUPS as PAY_AWARD_GROUPS
from .pay_awards import PayAwardResult, pay_award_apply, pay_award_plan
from .payroll import (
    payroll_matching,
    payroll_staff,
    payroll_upload_confirm,
    payroll_upload_receive,
)
from .reported import FIRST_YEAR as REPORTED_FIRST_YEAR
from .reported import ReportedImportOutcome, reported_import
from .review import claim_approve_remaining, claim_line_approve, claim_line_reject, claim_return
from .stream_rates import stream_rate_save, stream_save

__all__ = [
    "BulkApproveResult",
    "BulkReviewPlan",
    "CopyForwardResult",
    "PAY_AWARD_GROUPS",
    "PENNY",
    "PLACES",
    "PayAwardResult",
    "REPORTED_FIRST_YEAR",
    "ReportedImportOutcome",
    "ZERO",
    "bulk_review_plan",
    "claim_copy_forward",
    "claim_lines_bulk_approve",
    "line_hold_reasons",
    "payroll_matching",
    "payroll_staff",
    "payroll_upload_confirm",
    "payroll_upload_receive",
    "previous_month",
    "claim_approve_remaining",
    "claim_create",
    "claim_line_approve",
    "claim_line_preview",
    "claim_line_reject",
    "LinesSaved",
    "claim_line_update",
    "claim_lines_update",
    "claim_refresh_lines",
    "claim_return",
    "claim_submit",
    "line_key",
    "pay_award_apply",
    "pay_award_plan",
    "reported_import",
    "DECLARED_IMPORT_HEADERS",
    "DeclaredImport",
    "DeclaredRow",
    "declared_approve",
    "declared_check_file",
    "declared_enter",
    "declared_import",
    "declared_reject",
    "declared_streams",
    "stream_rate_save",
    "stream_save",
]
