"""API endpoints of the roles app, registered on the project router."""

from pcn_admin.api import router  # noqa: F401
