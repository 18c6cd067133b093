"""The reimbursement admin: claims under review, and payment batches."""

from . import batches, claims  # noqa: F401  (registers the admin classes)
