"""The reimbursement app's API: claims and their lines, payment batches, and each PCN's ARR
sum (the entitlement). Split by concern; pcn_admin/urls.py registers ROUTES on the one router.
"""

from .batches import BatchViewSet
from .claims import ClaimViewSet
from .entitlement import EntitlementViewSet

# (URL prefix, viewset, basename): pcn_admin/urls.py registers these on the one router.
ROUTES = [
    ("claims", ClaimViewSet, "claim"),
    ("batches", BatchViewSet, "batch"),
    (r"pcns/(?P<pcn_code>U\d{5})/entitlement", EntitlementViewSet, "pcn-entitlement"),
]
