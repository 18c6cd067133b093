"""The demo's development funding: an allocation shaped like the seed paper's (its earmark the
same share, the clinical directors' 10% asked for), backfill claims in each state, baseline
posts; and running the seed again changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from development import seed, selectors
from development.models import Allocation, BackfillClaim, BaselinePost, Commitment, Spend
from reimbursement.models import DeclaredPayment
from roles.models import Role
from tests.networks.factories import MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    PracticeManagerFactory,
)
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_area():
    pcn = PCNFactory()
    PCNFactory(commissioner=pcn.commissioner)
    practice = MembershipFactory(pcn=pcn).practice
    CommissionerStaffFactory(username="demo-commissioner", commissioner=pcn.commissioner)
    ClinicalDirectorUserFactory(username="demo-director", pcn=pcn)
    PracticeManagerFactory(username="demo-practice", practice=practice)
    PostFactory(
        pcn=pcn,
        role=Role.objects.get(code="social_prescribing_link_worker"),
        person_name="Margaret Dodd",
        start_date=dt.date(2017, 5, 2),
        in_post_at_baseline=True,
    )
    return pcn


def _state():
    models = (Allocation, Commitment, Spend, BackfillClaim, BaselinePost, DeclaredPayment)
    return {model.__name__: (model.objects.count(), model.history.count()) for model in models}


def test_the_demo_allocation_is_shaped_like_the_seed_and_says_so(demo_area):
    seed.seed_demo(stdout=io.StringIO())
    allocation = Allocation.objects.get()
    assert "Not Northumberland's real figure" in allocation.note
    summary = selectors.allocation_summary(allocation)
    [earmark] = summary.earmarks
    # The seed's share: £400k of £1.293m.
    assert earmark.amount == (allocation.amount * 400 / 1293).quantize(Decimal("0.01"))
    assert summary.reconciles
    # Short of the clinical directors' 10%, so the demo shows the warning.
    assert summary.cd_warning and summary.cd_shortfall == Decimal("5000.00")
    statuses = sorted(BackfillClaim.objects.values_list("status", flat=True))
    assert statuses == ["approved", "rejected", "submitted"]
    assert DeclaredPayment.objects.filter(stream__code="backfill").count() == 1
    funded = BaselinePost.objects.get(pcn=demo_area)
    assert funded.post.person_name == "Margaret Dodd"
    assert funded.funding_end == dt.date(2024, 3, 31)


def test_running_the_seed_again_changes_nothing(demo_area):
    seed.seed_demo(stdout=io.StringIO())
    before = _state()
    seed.seed_demo(stdout=io.StringIO())
    assert _state() == before
