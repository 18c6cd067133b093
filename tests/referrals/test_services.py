"""Referral writes: the status path, the GP code, onward referrals and their audit."""

import pytest
from django.core.exceptions import ValidationError

from referrals import services
from referrals.models import (
    SNOMED_REFERRAL_ACCEPTED,
    SNOMED_REFERRAL_DECLINED,
    AuditEvent,
    OnwardReferral,
    Referral,
    Service,
    Status,
)
from tests.networks.factories import MembershipFactory, PCNFactory
from tests.pcn_admin.factories import CommunityOrganisationUserFactory, LinkWorkerUserFactory
from tests.referrals.factories import (
    AssignedReferralFactory,
    OnwardReferralFactory,
    ReferralReasonFactory,
    ReferralSourceFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def _walk(referral, *statuses, **kwargs):
    for status in statuses:
        services.referral_change_status(
            referral=referral, to=status, by=referral.link_worker, **kwargs
        )


def test_creating_a_referral_records_its_first_status_and_an_audit_event():
    member = MembershipFactory()
    worker = LinkWorkerUserFactory(pcn=member.pcn)
    referral = services.referral_create(
        by=worker,
        reasons=[ReferralReasonFactory()],
        given_name="Jean",
        family_name="Robson",
        nhs_number="999 000 0018",
        date_of_birth="1948-02-01",
        practice=member.practice,
        pcn=member.pcn,
        source=ReferralSourceFactory(),
        consent_given=True,
        link_worker=worker,
    )
    assert referral.nhs_number == "9990000018"
    assert [(c.from_status, c.to_status) for c in referral.status_changes.all()] == [
        ("", "received")
    ]
    assert AuditEvent.objects.filter(
        action="create", model="referrals.Referral", record_id=str(referral.pk), user=worker
    ).exists()


def test_a_referral_without_consent_is_refused():
    member = MembershipFactory()
    with pytest.raises(ValidationError, match="agrees to be referred"):
        services.referral_create(
            by=None,
            reasons=[ReferralReasonFactory()],
            given_name="Jean",
            family_name="Robson",
            date_of_birth="1948-02-01",
            practice=member.practice,
            pcn=member.pcn,
            source=ReferralSourceFactory(),
            consent_given=False,
        )
    assert not Referral.objects.exists()


def test_a_link_worker_of_another_pcn_cannot_be_assigned():
    referral = AssignedReferralFactory()
    outsider = LinkWorkerUserFactory(pcn=PCNFactory())
    with pytest.raises(ValidationError, match="link worker of this referral's PCN"):
        services.referral_assign(referral=referral, link_worker=outsider, by=outsider)


def test_the_full_path_is_recorded_step_by_step_with_who_and_when():
    referral = AssignedReferralFactory()
    _walk(referral, "contacted", "assessment", "plan_agreed", "connected")
    services.referral_change_status(
        referral=referral, to="closed", by=referral.link_worker, outcome="needs_met"
    )
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert referral.closed_on is not None
    changes = list(referral.status_changes.values_list("to_status", "changed_by"))
    assert [c[0] for c in changes] == [
        "contacted",
        "assessment",
        "plan_agreed",
        "connected",
        "closed",
    ]
    assert all(by == referral.link_worker.pk for _, by in changes)


def test_a_step_cannot_be_skipped_and_the_error_says_what_is_allowed():
    referral = AssignedReferralFactory()
    with pytest.raises(ValidationError, match="cannot move to connected. Choose one of"):
        _walk(referral, "connected")
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert not referral.status_changes.exists()


def test_an_ended_referral_cannot_move_again():
    referral = AssignedReferralFactory()
    _walk(referral, "declined")
    with pytest.raises(ValidationError, match="It has ended"):
        _walk(referral, "contacted")


def test_closing_needs_an_outcome():
    referral = AssignedReferralFactory()
    _walk(referral, "contacted", "assessment", "plan_agreed")
    with pytest.raises(ValidationError, match="outcome"):
        _walk(referral, "closed")


def test_first_contact_codes_the_referral_as_accepted_for_the_gp():
    referral = AssignedReferralFactory()
    _walk(referral, "contacted")
    assert Referral.objects.get().gp_code == SNOMED_REFERRAL_ACCEPTED
    # Declining later does not rewrite what the first contact recorded.
    _walk(referral, "declined")
    assert Referral.objects.get().gp_code == SNOMED_REFERRAL_ACCEPTED


def test_declining_at_first_contact_codes_the_referral_as_declined():
    referral = AssignedReferralFactory()
    _walk(referral, "declined")
    assert Referral.objects.get().gp_code == SNOMED_REFERRAL_DECLINED


def test_an_organisation_declines_an_onward_referral_only_with_a_reason():
    onward = OnwardReferralFactory()
    staff = CommunityOrganisationUserFactory(organisation=onward.service.organisation)
    with pytest.raises(ValidationError, match="Say why"):
        services.onward_referral_respond(onward_referral=onward, accept=False, by=staff)
    services.onward_referral_respond(
        onward_referral=onward, accept=False, reason="Group is full until spring", by=staff
    )
    onward.refresh_from_db()
    assert onward.status == OnwardReferral.Status.DECLINED
    assert onward.responded_by == staff


def test_an_onward_referral_is_answered_once_only():
    onward = OnwardReferralFactory()
    staff = CommunityOrganisationUserFactory(organisation=onward.service.organisation)
    services.onward_referral_respond(onward_referral=onward, accept=True, by=staff)
    with pytest.raises(ValidationError, match="already been answered"):
        services.onward_referral_respond(
            onward_referral=onward, accept=False, reason="changed our mind", by=staff
        )
    assert OnwardReferral.objects.get().status == OnwardReferral.Status.ACCEPTED


def test_a_service_closed_to_referrals_cannot_be_referred_to():
    referral = AssignedReferralFactory()
    service = ServiceFactory(capacity=Service.Capacity.CLOSED)
    with pytest.raises(ValidationError, match="not taking referrals"):
        services.onward_referral_create(
            referral=referral, service=service, consent_to_share=True, by=referral.link_worker
        )


def test_without_consent_to_share_no_message_goes_to_the_organisation():
    referral = AssignedReferralFactory()
    onward = services.onward_referral_create(
        referral=referral,
        service=ServiceFactory(),
        consent_to_share=False,
        message="Lives alone after losing her husband",
        by=referral.link_worker,
    )
    assert onward.message == ""
