"""Payment batches under real PostgreSQL transactions: two workers at once, a failure half-way,
and the constraints, with every transaction really committed (not the test's savepoints)."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from reimbursement import batches
from reimbursement.models import Batch, BatchLine, BatchPayee
from tests.reimbursement.test_batches import JUNE, approved, pcn_with_payee

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def in_thread(target, results, name):
    def run():
        try:
            results[name] = target()
        except Exception as error:  # reported to the test, not lost in the thread
            results[name] = error
        finally:
            connections.close_all()

    return threading.Thread(target=run, name=name)


def test_two_workers_building_at_once_make_one_batch(monkeypatch):
    pcn = pcn_with_payee()
    for amount in ("10.00", "20.00", "30.00"):
        approved(pcn, amount=amount)
    first_holds_lock, release = threading.Event(), threading.Event()
    gather = batches._add_waiting_lines

    def slow_for_first(batch):
        if threading.current_thread().name == "first":
            first_holds_lock.set()
            release.wait(timeout=20)
        return gather(batch)

    monkeypatch.setattr(batches, "_add_waiting_lines", slow_for_first)

    def build():
        return batches.batch_build(commissioner_id=pcn.commissioner_id, month=JUNE)

    results = {}
    first = in_thread(build, results, "first")
    second = in_thread(build, results, "second")
    first.start()
    assert first_holds_lock.wait(timeout=20)
    second.start()
    deadline = time.monotonic() + 10
    while not waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    # The second worker is queued behind the first's lock on the commissioner, not racing it.
    assert waiting_for_a_lock() == 1
    assert second.is_alive()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert not isinstance(results["first"], Exception), results["first"]
    assert not isinstance(results["second"], Exception), results["second"]
    assert results["first"].added == 3
    assert results["second"].added == 0
    assert results["first"].batch.pk == results["second"].batch.pk
    assert Batch.objects.count() == 1
    assert BatchLine.objects.count() == 3
    assert Batch.objects.get().total == Decimal("60.00")


def test_running_again_after_commit_changes_nothing():
    pcn = pcn_with_payee()
    approved(pcn, amount="1.11")
    approved(pcn, amount="2.22")
    first = batches.batches_build(month=JUNE)
    snapshot = list(BatchLine.objects.order_by("pk").values_list("pk", "line_id", "amount"))

    again = batches.batches_build(month=JUNE)

    assert [r.added for r in first] == [2]
    assert [r.added for r in again] == [0]
    assert list(BatchLine.objects.order_by("pk").values_list("pk", "line_id", "amount")) == (
        snapshot
    )
    assert Batch.objects.get().total == Decimal("3.33")


def test_a_failure_after_the_lines_were_written_leaves_no_partial_batch(monkeypatch):
    pcn = pcn_with_payee()
    approved(pcn)
    refresh = batches._refresh_subtotals

    def fail_after_writing(batch):
        refresh(batch)
        assert BatchPayee.objects.filter(batch=batch).exists()  # written, not yet committed
        raise RuntimeError("worker killed")

    monkeypatch.setattr(batches, "_refresh_subtotals", fail_after_writing)

    [result] = batches.batches_build(month=JUNE)

    assert result.failed
    assert not Batch.objects.exists()
    assert not BatchLine.objects.exists()
    assert not BatchPayee.objects.exists()

    monkeypatch.setattr(batches, "_refresh_subtotals", refresh)
    [result] = batches.batches_build(month=JUNE)
    assert result.added == 1 and not result.failed


def test_postgres_refuses_a_line_in_a_second_batch():
    pcn = pcn_with_payee()
    line = approved(pcn)
    batches.batch_build(commissioner_id=pcn.commissioner_id, month=JUNE)
    july = Batch.objects.create(
        commissioner=pcn.commissioner,
        month=dt.date(2025, 7, 1),
        reference="R-2025-07",
        built_at=timezone.now(),
    )

    with pytest.raises(IntegrityError, match="claim_line_in_at_most_one_batch"):
        with transaction.atomic():
            BatchLine.objects.create(
                batch=july, line=line, pcn=pcn, claim_month=JUNE, amount=Decimal("1")
            )
    assert BatchLine.objects.filter(line=line).count() == 1


def test_two_workers_at_once_pay_each_stream_amount_once(monkeypatch):
    from reimbursement.models import StreamPayment
    from tests.reimbursement.test_streams import MAY, network

    pcn, _ = network()
    first_holds_lock, release = threading.Event(), threading.Event()
    add = batches._add_stream_payments

    def slow_for_first(batch, rows):
        if threading.current_thread().name == "first":
            first_holds_lock.set()
            release.wait(timeout=20)
        return add(batch, rows)

    monkeypatch.setattr(batches, "_add_stream_payments", slow_for_first)

    def build():
        return batches.batch_build(commissioner_id=pcn.commissioner_id, month=MAY)

    results = {}
    first = in_thread(build, results, "first")
    second = in_thread(build, results, "second")
    first.start()
    assert first_holds_lock.wait(timeout=20)
    second.start()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert not isinstance(results["first"], Exception), results["first"]
    assert not isinstance(results["second"], Exception), results["second"]
    assert StreamPayment.objects.count() == 4
    batch = Batch.objects.get()
    assert batch.stream_payment_count == 4
    assert batch.total == sum(p.amount for p in StreamPayment.objects.all())


def test_a_build_failing_after_the_streams_leaves_no_stream_payment(monkeypatch):
    from reimbursement.models import StreamPayment
    from tests.reimbursement.test_streams import MAY, network

    pcn, _ = network()

    def fail(batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(batches, "_refresh_subtotals", fail)

    with pytest.raises(RuntimeError):
        batches.batch_build(commissioner_id=pcn.commissioner_id, month=MAY)

    assert not Batch.objects.exists()
    assert not StreamPayment.objects.exists()
