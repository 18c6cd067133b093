"""The batch job end to end: a real Celery worker, started here, takes the tasks from Redis and
builds the batches in PostgreSQL. Skipped, saying why, where no broker is configured."""

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from pcn_admin.celery import app
from reimbursement import tasks
from reimbursement.models import Batch, BatchRun
from tests.reimbursement.test_batches import JUNE, approved, pcn_with_payee

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker():
    """A worker process on the test database, like `make worker`."""
    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pcn_admin", "worker", "--pool=solo"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, worker, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The worker stopped: {worker.stdout.read().decode()[-2000:]}")
        time.sleep(0.25)
    pytest.fail("The worker did not finish in time.")


def test_the_admins_request_is_built_by_a_real_worker(worker):
    pcn = pcn_with_payee()
    approved(pcn, amount="250.00")
    approved(pcn, amount="0.50")

    with transaction.atomic():
        run = tasks.batch_run_request(commissioner=pcn.commissioner, month=JUNE, by=None)

    def finished():
        run.refresh_from_db()
        return run.is_finished

    wait_for(finished, worker)
    assert run.status == BatchRun.Status.DONE, run.message
    assert run.batch.total == Decimal("250.50")
    assert run.batch.payees.get().amount == Decimal("250.50")


def test_the_scheduled_task_runs_on_a_real_worker_and_twice_changes_nothing(worker):
    pcn = pcn_with_payee()
    approved(pcn, amount="99.99")

    first = tasks.generate_claim_batches.delay(month="2025-06")
    assert "1 line(s) added" in first.get(timeout=90)[0]
    second = tasks.generate_claim_batches.delay(month="2025-06")
    assert "0 line(s) added" in second.get(timeout=90)[0]

    assert Batch.objects.get().total == Decimal("99.99")
    assert Batch.objects.get().line_count == 1
