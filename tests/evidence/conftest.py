"""Fixtures for the evidence tests: the claim tests' `world` (a PCN, its payee practice, two
posts and a user of each persona)."""

from tests.reimbursement.factories import world  # noqa: F401
