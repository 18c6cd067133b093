"""The social prescribing demo: every state, valid never-issued NHS numbers, safe to repeat."""

import io

import pytest

from pcn_admin.models import Role, User
from referrals import seed
from referrals.models import (
    AuditEvent,
    OnwardReferral,
    Organisation,
    OutcomeMeasurement,
    Referral,
    Service,
    Status,
)
from referrals.validators import is_valid_nhs_number
from tests.networks.factories import MembershipFactory
from tests.pcn_admin.factories import CommunityOrganisationUserFactory, LinkWorkerUserFactory
from tests.referrals.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users():
    member = MembershipFactory()
    MembershipFactory(pcn=member.pcn)
    worker = LinkWorkerUserFactory(username="demo-linkworker", pcn=member.pcn)
    charity = OrganisationFactory(name=seed.DEMO_CHARITY, email="")
    CommunityOrganisationUserFactory(username="demo-charity", organisation=charity)
    return worker


def counts():
    return (
        Organisation.objects.count(),
        Service.objects.count(),
        Referral.objects.count(),
        OnwardReferral.objects.count(),
        OutcomeMeasurement.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_demo_covers_every_state_and_running_it_twice_changes_nothing(demo_users):
    seed.seed_demo(stdout=io.StringIO())
    first = counts()
    seed.seed_demo(stdout=io.StringIO())
    assert counts() == first
    assert first[:3] == (8, 15, 42)  # forty people on the path, two waiting for a worker
    assert set(Referral.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(OnwardReferral.objects.values_list("status", flat=True)) == {
        "pending",
        "accepted",
        "declined",
    }
    assert all(
        number.startswith("999") and is_valid_nhs_number(number)
        for number in Referral.objects.values_list("nhs_number", flat=True)
    )
    assert Referral.objects.filter(status="closed", gp_appointments_after__isnull=False).exists()
    assert OutcomeMeasurement.objects.filter(time_point="follow_up").exists()


def test_the_demo_charity_user_belongs_to_a_directory_organisation_with_referrals(demo_users):
    seed.seed_demo(stdout=io.StringIO())
    charity_user = User.objects.get(username="demo-charity", role=Role.COMMUNITY_ORGANISATION)
    assert charity_user.organisation.services.count() == 3
    assert charity_user.organisation.email  # filled in from the placeholder
    assert OnwardReferral.objects.filter(
        service__organisation=charity_user.organisation, status="pending"
    ).exists()


def test_the_demo_leaves_a_self_referral_waiting_in_the_new_referrals_queue(demo_users):
    from referrals import selectors

    seed.seed_demo(stdout=io.StringIO())
    waiting = list(selectors.new_referrals(pcn_id=demo_users.pcn_id))
    assert [(r.given_name, r.source.name, r.created_by) for r in waiting][-1] == (
        "Norah",
        "Self referral",
        None,
    )
    counts = selectors.new_referral_counts(pcn_id=demo_users.pcn_id)
    assert (counts.waiting, counts.too_long) == (2, 1)  # the GP's referral has waited too long
