"""Two commissioner staff approving backfill from the same funding at once, under real
PostgreSQL transactions: the commitment's row lock makes them take turns, so the second sees
the first's spend and nothing is spent twice."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from development import services
from development.models import BackfillClaim, Spend
from reimbursement.models import DeclaredPayment
from tests.pcn_admin.factories import CommissionerStaffFactory
from tests.reimbursement.test_batches_postgres import in_thread, waiting_for_a_lock

from .factories import YEAR, BackfillClaimFactory, BackfillCommitmentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvals_at_once_cannot_overspend_a_commitment(monkeypatch):
    commitment = BackfillCommitmentFactory(amount=Decimal("500.00"))
    claims = [
        BackfillClaimFactory(
            commitment=commitment,
            person_name=name,
            date=dt.date(YEAR, 9, 18),
            hours=Decimal("4"),
            hourly_rate=Decimal("100.00"),  # £400 each: only one fits
        )
        for name in ("First", "Second")
    ]
    staff = CommissionerStaffFactory(commissioner=commitment.allocation.commissioner)
    first_holds_lock, release = threading.Event(), threading.Event()
    spent = services._spent

    def slow_for_first(row):
        if threading.current_thread().name == "first":
            first_holds_lock.set()
            release.wait(timeout=20)
        return spent(row)

    monkeypatch.setattr(services, "_spent", slow_for_first)
    results = {}
    first = in_thread(
        lambda: services.backfill_claim_approve(claim=claims[0], by=staff), results, "first"
    )
    second = in_thread(
        lambda: services.backfill_claim_approve(claim=claims[1], by=staff), results, "second"
    )
    first.start()
    assert first_holds_lock.wait(timeout=20)
    second.start()
    deadline = time.monotonic() + 10
    while not waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert waiting_for_a_lock() == 1
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    connections.close_all()

    assert isinstance(results["first"], BackfillClaim), results["first"]
    assert isinstance(results["second"], ValidationError)
    assert "Only £100.00" in str(results["second"])
    assert Spend.objects.get().amount == Decimal("400.00")
    assert DeclaredPayment.objects.count() == 1
