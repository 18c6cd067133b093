"""The admin: commissioner staff keep the directory but never reach a person's identity."""

import pytest
from django.urls import reverse

from pcn_admin.templatetags.nhs_format import nhs_number as nhs_number_shown
from referrals.models import AuditEvent
from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory
from tests.referrals.factories import (
    AssignedReferralFactory,
    AuditEventFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    return AssignedReferralFactory(given_name="Dorothy", family_name="Charlton")


def test_commissioner_staff_cannot_reach_referrals_in_the_admin(client, referral):
    client.force_login(CommissionerStaffFactory(commissioner=referral.pcn.commissioner))
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:referrals_referral_changelist") not in index.content.decode()
    assert reverse("admin:referrals_organisation_changelist") in index.content.decode()
    assert client.get(reverse("admin:referrals_referral_changelist")).status_code == 403
    change = reverse("admin:referrals_referral_change", args=[referral.pk])
    assert client.get(change).status_code == 403


def test_commissioner_staff_edit_the_directory(client):
    organisation = OrganisationFactory(name="Blyth Food Bank")
    client.force_login(CommissionerStaffFactory())
    response = client.get(reverse("admin:referrals_organisation_change", args=[organisation.pk]))
    assert response.status_code == 200
    assert b'name="_save"' in response.content


def test_superusers_see_referrals_without_identifiers_and_cannot_change_them(client, referral):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in (
        reverse("admin:referrals_referral_changelist"),
        reverse("admin:referrals_referral_change", args=[referral.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        shown = nhs_number_shown(referral.nhs_number)
        for identifier in ("Dorothy", "Charlton", referral.nhs_number, shown, "1950"):
            assert identifier not in response.content.decode()
    assert b'name="_save"' not in response.content


def test_the_audit_log_is_read_only_in_the_admin(client):
    event = AuditEventFactory()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    change = reverse("admin:referrals_auditevent_change", args=[event.pk])
    response = client.get(change)
    assert response.status_code == 200 and b'name="_save"' not in response.content
    assert client.post(change, {"detail": "edited"}).status_code == 403
    delete = reverse("admin:referrals_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, detail="").exists()
