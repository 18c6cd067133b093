"""The reimbursement admin: claims under review, payment batches, and the Network Contract DES
payment streams with their rates."""

from . import batches, claims, streams  # noqa: F401  (registers the admin classes)
