"""The demo's claim cycle: a window, a layout and reminders recorded; loaded again, the same."""

from io import StringIO

import pytest
from django.core import mail

from claim_cycle import seed
from claim_cycle.models import ClaimWindow, FinanceLayout, ReminderMessage
from tests.networks.factories import CommissionerFactory
from tests.pcn_admin.factories import CommissionerStaffFactory

pytestmark = pytest.mark.django_db


def _counts():
    return (
        ClaimWindow.objects.count(),
        ClaimWindow.history.count(),
        FinanceLayout.objects.count(),
        FinanceLayout.history.count(),
        ReminderMessage.objects.count(),
    )


def test_the_demo_commissioner_gets_a_window_and_a_layout_once(django_capture_on_commit_callbacks):
    commissioner = CommissionerFactory(code="00L")
    CommissionerStaffFactory(username="demo-commissioner", commissioner=commissioner)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        seed.seed_demo(stdout=out)
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        seed.seed_demo(stdout=out)

    assert _counts() == first
    window = ClaimWindow.objects.get(commissioner=commissioner)
    assert (window.rule, window.day) == ("working_day", 3)
    headers = list(FinanceLayout.objects.get().columns.values_list("header", flat=True))
    assert headers[:3] == ["Supplier Number", "Supplier Name", "Invoice Number"]
    assert mail.outbox == []  # recorded as sent, to nobody's mailbox
    assert "Claim cycle: 0 claim window, 0 finance layout" in out.getvalue()


def test_without_the_demo_register_it_says_so():
    out = StringIO()

    seed.seed_demo(stdout=out)

    assert "skipped" in out.getvalue()
    assert not ClaimWindow.objects.exists()
