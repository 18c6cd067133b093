"""Fixtures for the claim tests (defined with the factories they use)."""

from tests.reimbursement.factories import world  # noqa: F401
