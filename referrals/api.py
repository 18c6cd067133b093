"""API endpoints of the referrals app, registered on the project router."""

from pcn_admin.api import router  # noqa: F401
