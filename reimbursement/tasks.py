"""Celery tasks for payment batches: thin shells that load by id and call reimbursement.batches.

A dropped database connection is retried: every build is idempotent, so running it again
finishes the work without doubling anything.
"""

from celery import shared_task
from django.db import close_old_connections

from . import batches


def _fresh_connection():
    # After a drop, Django's connection object is unusable until it is closed.
    close_old_connections()


@shared_task(
    bind=True,
    autoretry_for=batches.DATABASE_DOWN,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def generate_claim_batches(self, month: str | None = None, commissioner_codes=None):
    """The scheduled run (06:00 on the 5th by default): every commissioner's batch for the
    month before, or `month` (YYYY-MM)."""
    _fresh_connection()
    paid_month = batches.parse_month(month) if month else batches.default_month()
    results = batches.batches_build(month=paid_month, commissioner_codes=commissioner_codes)
    return [result.message for result in results]


@shared_task(
    bind=True,
    autoretry_for=batches.DATABASE_DOWN,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def run_batch_build(self, run_id: int):
    """A build asked for from the admin's button, with its progress kept on the BatchRun."""
    _fresh_connection()
    run = batches.batch_run_execute(run_id=run_id)
    return run.message
