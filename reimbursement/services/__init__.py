"""Writes for claims: create, fill in, submit, review. The only way claims and lines change.

Keyword-only and transactional; each validates with full_clean() and records `by` on the
history row. Who may call them is decided at the edge (views, API, admin) by pcn_admin.access;
what state a claim must be in is decided here. Figures come only from calculations.py.

Drafting and submitting are in claims.py, the review in review.py (and the month's bulk
review in bulk_review.py), copying last month's costs in copy_forward.py, payroll uploads in
payroll.py, national pay awards (new maxima and the adjustments they make due) in
pay_awards.py; callers import from here, never from the submodules.
"""

from .claims import (
    PENNY,
    PLACES,
    ZERO,
    claim_create,
    claim_line_preview,
    claim_line_update,
    claim_refresh_lines,
    claim_submit,
    line_key,
)
from .bulk_review import (
    BulkApproveResult,
    BulkReviewPlan,
    bulk_review_plan,
    claim_lines_bulk_approve,
    line_hold_reasons,
)
from .copy_forward import CopyForwardResult, claim_copy_forward, previous_month
from .pay_awards import GROUPS as PAY_AWARD_GROUPS
from .pay_awards import PayAwardResult, pay_award_apply, pay_award_plan
from .payroll import (
    payroll_matching,
    payroll_staff,
    payroll_upload_confirm,
    payroll_upload_receive,
)
from .review import claim_approve_remaining, claim_line_approve, claim_line_reject, claim_return

__all__ = [
    "BulkApproveResult",
    "BulkReviewPlan",
    "CopyForwardResult",
    "PAY_AWARD_GROUPS",
    "PENNY",
    "PLACES",
    "PayAwardResult",
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
    "claim_line_update",
    "claim_refresh_lines",
    "claim_return",
    "claim_submit",
    "line_key",
    "pay_award_apply",
    "pay_award_plan",
]
