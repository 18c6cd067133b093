"""A finalised batch only moves on to paid, and a paid batch never changes, whatever saves it:
the services, the admin, or an earlier version restored from the history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reimbursement import batches
from reimbursement.models import Batch
from tests.pcn_admin.factories import CommissionerStaffFactory
from tests.reimbursement.factories import BatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalised():
    """Built as a draft, then finalised: its history holds both versions."""
    batch = BatchFactory(total=Decimal("5155.56"), line_count=3)
    batch.status = Batch.Status.FINALISED
    batch.finalised_at = timezone.now() - dt.timedelta(days=1)
    batch.save()
    return batch


def _stored(batch: Batch) -> tuple:
    fresh = Batch.objects.get(pk=batch.pk)
    return (fresh.status, fresh.total, fresh.line_count, fresh.finalised_at)


def test_a_finalised_batch_cannot_go_back_to_draft(finalised):
    before = _stored(finalised)
    finalised.status = Batch.Status.DRAFT

    with pytest.raises(ValidationError, match="cannot go back to draft"):
        finalised.save()

    assert _stored(finalised) == before


def test_a_finalised_batch_keeps_its_figures(finalised):
    before = _stored(finalised)
    finalised.total = Decimal("9999.99")

    with pytest.raises(ValidationError, match="figures cannot change"):
        finalised.save()

    assert _stored(finalised) == before


def test_an_earlier_draft_version_cannot_be_saved_over_a_finalised_batch(finalised):
    draft = finalised.history.earliest("history_date").instance  # as the history revert did
    assert draft.status == Batch.Status.DRAFT

    with pytest.raises(ValidationError):
        draft.save()

    assert Batch.objects.get(pk=finalised.pk).status == Batch.Status.FINALISED


def test_a_finalised_batch_can_still_be_recorded_as_paid(finalised):
    staff = CommissionerStaffFactory(commissioner=finalised.commissioner)

    batches.batch_mark_paid(
        batch=finalised, paid_on=timezone.localdate(), payment_reference="BACS-0042", by=staff
    )

    finalised.refresh_from_db()
    assert finalised.status == Batch.Status.PAID
    assert finalised.payment_reference == "BACS-0042"
    assert finalised.total == Decimal("5155.56")


def test_a_paid_batch_cannot_be_changed(finalised):
    finalised.status = Batch.Status.PAID
    finalised.paid_on = timezone.localdate()
    finalised.payment_reference = "BACS-0042"
    finalised.save()
    finalised.payment_reference = "BACS-9999"

    with pytest.raises(ValidationError, match="has been paid"):
        finalised.save()

    assert Batch.objects.get(pk=finalised.pk).payment_reference == "BACS-0042"


def test_a_draft_batch_is_still_free_to_change():
    batch = BatchFactory()
    batch.total = Decimal("12.34")
    batch.save()

    assert Batch.objects.get(pk=batch.pk).total == Decimal("12.34")
