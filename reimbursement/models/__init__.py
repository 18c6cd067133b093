"""Monthly ARRS claims: one per PCN and month, one line per member of staff in post.

Every figure of the calculation's breakdown is stored on its line, so a reviewer sees how the
total was reached; the figures come only from reimbursement.calculations.

Claims and their lines are in claims.py, payment batches in batches.py, the
Network Contract DES streams and reported payments in streams.py, payroll uploads in
payroll.py; callers import from here, never from the submodules.
"""

from .batches import Batch, BatchLine, BatchPayee, BatchRun
from .claims import (
    BREAKDOWN_FIELDS,
    FRACTION,
    MONEY,
    OVER_CAP_WARNING,
    Claim,
    ClaimLine,
    ClaimLineQuerySet,
    over_cap_warning,
)
from .payroll import PayrollUpload
from .streams import (
    DeclaredPayment,
    PaymentStream,
    ReportedPayment,
    ReportedPaymentImport,
    StreamPayment,
    StreamRate,
)

__all__ = [
    "BREAKDOWN_FIELDS",
    "FRACTION",
    "MONEY",
    "OVER_CAP_WARNING",
    "Batch",
    "BatchLine",
    "BatchPayee",
    "BatchRun",
    "Claim",
    "ClaimLine",
    "ClaimLineQuerySet",
    "DeclaredPayment",
    "PayrollUpload",
    "PaymentStream",
    "ReportedPayment",
    "ReportedPaymentImport",
    "StreamPayment",
    "StreamRate",
    "over_cap_warning",
]
