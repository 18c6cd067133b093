"""The practice sees the month's deadline where it prepares the claim."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.claim_cycle.factories import ClaimWindowFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.reimbursement.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def _page(client, claim) -> str:
    client.force_login(ClinicalDirectorUserFactory(pcn=claim.pcn))
    return client.get(reverse("reimbursement:claim_edit", args=[claim.pk])).content.decode()


def _long(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_a_draft_shows_the_date_it_is_due_by(client):
    claim = ClaimFactory(month=timezone.localdate().replace(day=1))
    window = ClaimWindowFactory(commissioner=claim.pcn.commissioner, day=3)

    text = _page(client, claim)

    deadline = window.deadline_for(claim.month)
    assert f"Submit by {_long(deadline)}" in text
    assert "the 3rd working day of the month after the claim month" in text


def test_a_draft_past_its_deadline_says_so(client):
    claim = ClaimFactory(month=dt.date(2025, 6, 1))
    ClaimWindowFactory(commissioner=claim.pcn.commissioner, day=3)

    text = _page(client, claim)

    assert "The deadline for this claim was Thursday 3 July 2025." in text


def test_without_a_claim_window_no_deadline_is_shown(client):
    claim = ClaimFactory(month=dt.date(2025, 6, 1))

    assert 'data-testid="claim-deadline"' not in _page(client, claim)
