"""The demo's payment streams: approved declared amounts for the demo commissioner's PCNs and a
batch for each month of 2025/26 that has ended, each paying the streams beside ARRS; running
the demo again changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from reimbursement.models import Batch, DeclaredPayment, StreamPayment
from reimbursement.seed import batch_plan, seed_demo
from reimbursement.streams import year_months
from tests.networks.factories import ListSizeFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    PracticeManagerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(world):
    ClinicalDirectorUserFactory(username="demo-director", pcn=world.pcn)
    PracticeManagerFactory(username="demo-practice", practice=world.payee_practice)
    CommissionerStaffFactory(username="demo-commissioner", commissioner=world.pcn.commissioner)
    for membership in world.pcn.memberships.all():
        ListSizeFactory(practice=membership.practice, date=dt.date(2023, 1, 1))
    return world


def _state():
    return (
        sorted(
            DeclaredPayment.objects.values_list("pk", "stream__code", "month", "amount", "status")
        ),
        sorted(StreamPayment.objects.values_list("pk", "key", "amount")),
        sorted(Batch.objects.values_list("pk", "month", "status", "total", "built_at")),
    )


def test_the_demo_pays_every_stream_for_a_year_and_is_safe_to_run_again(demo, mailoutbox):
    seed_demo(stdout=io.StringIO())

    declared = DeclaredPayment.objects.filter(pcn=demo.pcn)
    assert set(declared.values_list("stream__code", flat=True)) == {
        "enhanced_access",
        "care_home_premium",
        "iif",
        "capacity_access",
    }
    assert set(declared.values_list("status", flat=True)) == {"approved"}
    months = [month for month, _ in batch_plan()]
    assert list(Batch.objects.order_by("month").values_list("month", flat=True)) == months
    paid = StreamPayment.objects.filter(pcn=demo.pcn)
    # The rate-based streams (the newest list sizes the register has) and the declared ones.
    assert {"core", "participation", "iif", "care_home_premium"} <= set(
        paid.values_list("stream__code", flat=True)
    )
    for batch in Batch.objects.all():
        assert batch.total == sum(batch.payees.values_list("amount", flat=True))
    assert Batch.objects.get(month=dt.date(2025, 4, 1)).status == Batch.Status.PAID

    before = _state()
    out = io.StringIO()
    seed_demo(stdout=out)

    assert _state() == before
    assert "0 approved declared amount(s) added" in out.getvalue()
    assert "0 demo payment batch(es) added" in out.getvalue()


def test_the_year_is_batched_up_to_last_month_only():
    in_june = batch_plan(dt.date(2025, 6, 15))
    assert [month for month, _ in in_june] == [
        dt.date(2025, 4, 1),
        dt.date(2025, 5, 1),
        dt.date(2025, 6, 1),  # as before: June's draft batch, with May's late line
    ]
    later = batch_plan(dt.date(2026, 11, 30))
    assert [month for month, _ in later] == year_months(2025)
    assert {status for month, status in later if month > dt.date(2025, 6, 1)} == {"draft"}


def test_the_demo_amounts_are_pounds_and_pence(demo):
    seed_demo(stdout=io.StringIO())

    amounts = DeclaredPayment.objects.values_list("amount", flat=True)
    assert all(amount == amount.quantize(Decimal("0.01")) and amount > 0 for amount in amounts)
    assert all(
        note == "Demo amount, invented for the demo."
        for note in DeclaredPayment.objects.values_list("note", flat=True)
    )
