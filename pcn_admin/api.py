"""The one API router: each app registers its viewsets in its own api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# Import for their side effect of registering routes on `router`.
from networks import api as _networks_api  # noqa: E402,F401
from referrals import api as _referrals_api  # noqa: E402,F401
from reimbursement import api as _reimbursement_api  # noqa: E402,F401
from roles import api as _roles_api  # noqa: E402,F401
