"""Writes for claims: create, fill in, submit, review. The only way claims and lines change.

Keyword-only and transactional; each validates with full_clean() and records `by` on the
history row. Who may call them is decided at the edge (views, API, admin) by pcn_admin.access;
what state a claim must be in is decided here. Figures come only from calculations.py.

Drafting and submitting are in claims.py, the review in review.py; callers import from here,
never from the submodules.
"""

from .claims import (
    PENNY,
    PLACES,
    ZERO,
    claim_create,
    claim_line_update,
    claim_refresh_lines,
    claim_submit,
    line_key,
)
from .review import claim_approve_remaining, claim_line_approve, claim_line_reject, claim_return

__all__ = [
    "PENNY",
    "PLACES",
    "ZERO",
    "claim_approve_remaining",
    "claim_create",
    "claim_line_approve",
    "claim_line_reject",
    "claim_line_update",
    "claim_refresh_lines",
    "claim_return",
    "claim_submit",
    "line_key",
]
