"""The public self-referral form: no sign-in, rate-limited, and it reveals nothing."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from referrals.models import AuditEvent, Referral, ReferralReason
from tests.networks.factories import MembershipFactory
from tests.referrals.factories import AssignedReferralFactory

pytestmark = pytest.mark.django_db
URL = "/referrals/self-referral/"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member():
    return MembershipFactory()


def form_data(member, **overrides):
    data = {
        "given_name": "Ivy",
        "family_name": "Armstrong",
        "date_of_birth": "1951-09-14",
        "nhs_number": "",
        "phone": "07700 900456",
        "preferred_contact_method": "phone",
        "practice": member.practice.pk,
        "reasons": [ReferralReason.objects.get(name="Bereavement").pk],
        "consent_given": "on",
    }
    data.update(overrides)
    return data


def test_the_form_is_public_and_at_its_address(client):
    assert reverse("referrals:self_referral") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert b"Ask for a social prescribing link worker" in response.content


def test_a_self_referral_goes_to_the_practices_current_pcn(client, member):
    response = client.post(URL, form_data(member, nhs_number="999 000 0018"))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:self_referral_received")
    referral = Referral.objects.get()
    assert referral.pcn == member.pcn and referral.practice == member.practice
    assert referral.source.name == "Self referral"
    assert referral.created_by is None and referral.nhs_number == "9990000018"
    event = AuditEvent.objects.get(action="create")
    assert event.user is None and event.record_id == str(referral.pk)


def test_the_reply_is_the_same_whether_or_not_the_person_is_known(client, member):
    known = AssignedReferralFactory(pcn=member.pcn, practice=member.practice)
    first = client.post(URL, form_data(member, nhs_number=known.nhs_number), follow=True)
    second = client.post(URL, form_data(member, nhs_number="999 000 0026"), follow=True)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert known.given_name.encode() not in first.content


def test_an_invalid_nhs_number_is_explained_and_what_was_typed_is_kept(client, member):
    response = client.post(URL, form_data(member, nhs_number="943 476 5918"))
    assert response.status_code == 200
    assert b"not a valid NHS number" in response.content
    assert b'value="Armstrong"' in response.content
    assert not Referral.objects.exists()


def test_without_consent_nothing_is_recorded(client, member):
    response = client.post(URL, form_data(member, consent_given=""))
    assert b"Tick the box to agree" in response.content
    assert not Referral.objects.exists()


def test_asking_for_a_phone_call_needs_a_phone_number(client, member):
    response = client.post(URL, form_data(member, phone=""))
    assert b"Give a phone number" in response.content


def test_the_sixth_request_in_an_hour_from_one_address_is_refused(client, member):
    for _ in range(5):
        assert client.post(URL, form_data(member)).status_code == 302
    response = client.post(URL, form_data(member))
    assert response.status_code == 429
    assert b"try again in an hour" in response.content
    assert Referral.objects.count() == 5


def test_the_rate_limit_can_be_switched_off(client, member, settings):
    settings.RATELIMIT_ENABLE = False
    for _ in range(7):
        assert client.post(URL, form_data(member)).status_code == 302
