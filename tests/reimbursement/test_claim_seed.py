"""The demo claims: one month in each state, made through the services, safe to run twice."""

import datetime as dt
import io

import pytest

from reimbursement.models import Claim, ClaimLine
from reimbursement.seed import seed_demo
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    PracticeManagerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(world):
    ClinicalDirectorUserFactory(username="demo-director", pcn=world.pcn)
    PracticeManagerFactory(username="demo-practice", practice=world.payee_practice)
    CommissionerStaffFactory(username="demo-commissioner", commissioner=world.pcn.commissioner)
    return world


def test_the_demo_has_claims_in_every_state(
    demo_users, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo(stdout=io.StringIO())

    statuses = set(Claim.objects.values_list("status", flat=True))
    assert statuses == {
        Claim.Status.DRAFT,
        Claim.Status.SUBMITTED,
        Claim.Status.RETURNED,
        Claim.Status.PARTLY_APPROVED,
        Claim.Status.APPROVED,
    }
    assert ClaimLine.objects.filter(status=ClaimLine.Status.REJECTED).exists()
    assert not ClaimLine.objects.filter(calculation_error__gt="").exists()
    assert mailoutbox == []


def test_running_the_demo_twice_changes_nothing(demo_users):
    seed_demo(stdout=io.StringIO())
    before = list(ClaimLine.objects.order_by("pk").values_list("pk", "status", "reimbursable"))

    out = io.StringIO()
    seed_demo(stdout=out)

    assert (
        list(ClaimLine.objects.order_by("pk").values_list("pk", "status", "reimbursable")) == before
    )
    assert "0 demo claim(s) added" in out.getvalue()


def test_without_posts_the_demo_adds_no_claims(db):
    from tests.networks.factories import PCNFactory

    ClinicalDirectorUserFactory(username="demo-director", pcn=PCNFactory())
    CommissionerStaffFactory(username="demo-commissioner")
    out = io.StringIO()

    seed_demo(stdout=out)

    assert not Claim.objects.exists()
    assert "no ARRS posts yet" in out.getvalue()


def test_the_full_demo_shows_a_resubmitted_claim_and_a_line_paid_late(db):
    from django.core.management import call_command

    from reimbursement.models import Batch

    call_command("seed_demo", stdout=io.StringIO())

    august = Claim.objects.get(month=dt.date(2025, 8, 1), kind=Claim.Kind.NORMAL)
    assert august.status_text == "Resubmitted, awaiting review"
    june = Batch.objects.get(month=dt.date(2025, 6, 1))
    assert june.status == Batch.Status.DRAFT and june.late_line_count == 1
    assert june.lines.get(late=True).claim_month == dt.date(2025, 5, 1)
