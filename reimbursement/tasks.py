"""Celery tasks for payment batches: thin shells that load by id and call reimbursement.batches.

A dropped database connection is retried: every build is idempotent, so running it again
finishes the work without doubling anything. Celery's Django fix-up closes a broken connection
after each task in a worker, so the retry starts on a fresh one.
"""

import datetime as dt

from celery import shared_task
from django.db import transaction

from networks.models import Commissioner

from . import batches
from .models import BatchRun


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
    run = batches.batch_run_execute(run_id=run_id)
    return run.message


def batch_run_request(*, commissioner: Commissioner, month: dt.date, by) -> BatchRun:
    """Record the request and queue the build once the request is committed. It lives beside
    the task it queues, so the build (batches.py) never imports the tasks that call it."""
    run = BatchRun.objects.create(
        commissioner=commissioner, month=month.replace(day=1), requested_by=by
    )
    transaction.on_commit(lambda: run_batch_build.delay(run.pk))
    return run
