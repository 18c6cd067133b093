"""Fixtures for the claim tests (the `world` fixture is defined with the factories it uses)."""

from tests.reimbursement.factories import world  # noqa: F401
