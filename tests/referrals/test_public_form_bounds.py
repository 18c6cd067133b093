"""The public self-referral form takes a self-referral, not megabytes: a body past the cap is
answered 413 with a page saying what to do, every field has a maximum, and so do the link
workers' notes."""

import datetime as dt

import pytest
from django.core.cache import cache

from pcn_admin.bounds import NOTES_MAX_LENGTH
from referrals.forms import ContactForm, StatusChangeForm
from referrals.models import Referral, ReferralReason
from referrals.views import SELF_REFERRAL_MAX_BYTES
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
    return {
        "given_name": "Ivy",
        "family_name": "Armstrong",
        "date_of_birth_day": "14",
        "date_of_birth_month": "9",
        "date_of_birth_year": "1951",
        "nhs_number": "",
        "phone": "07700 900456",
        "preferred_contact_method": "phone",
        "practice": member.practice.pk,
        "reasons": [ReferralReason.objects.get(name="Bereavement").pk],
        "consent_given": "on",
        **overrides,
    }


def test_a_body_past_the_cap_is_a_413_page_and_nothing_is_stored(client, member):
    text = "x" * (SELF_REFERRAL_MAX_BYTES + 1)
    response = client.post(URL, form_data(member, what_matters=text))
    assert response.status_code == 413
    assert "Your answers are too long to send" in response.content.decode()
    assert not Referral.objects.exists()


def test_two_and_a_half_megabytes_of_text_is_refused_not_stored(client, member):
    response = client.post(URL, form_data(member, what_matters="x" * 2_500_000))
    assert response.status_code in (400, 413)  # past Django's own limit it is a 400
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "field, length, message",
    [
        ("given_name", 101, "Your first name must be 100 characters or fewer."),
        ("family_name", 101, "Your last name must be 100 characters or fewer."),
        ("nhs_number", 21, "Your NHS number is 10 digits, for example 943 476 5919."),
        ("phone", 31, "Your phone number must be 30 characters or fewer."),
        ("address", 501, "Your address must be 500 characters or fewer."),
        ("postcode", 11, "Your postcode must be 10 characters or fewer"),
        ("what_matters", 2_001, "must be 2000 characters or fewer: it has 2001."),
    ],
)
def test_each_field_of_the_public_form_has_a_maximum(client, member, field, length, message):
    response = client.post(URL, form_data(member, **{field: "7" * length}))
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["form"].errors
    assert message in errors[field][0]
    assert not Referral.objects.exists()


def test_the_form_tells_the_browser_each_maximum(client):
    page = client.get(URL).content.decode()
    assert 'maxlength="2000"' in page  # what matters to the person
    assert 'maxlength="500"' in page  # address


def test_a_full_but_honest_self_referral_is_accepted(client, member):
    response = client.post(URL, form_data(member, what_matters="Lonely since I was widowed. " * 70))
    assert response.status_code == 302
    assert Referral.objects.count() == 1


def test_a_link_workers_contact_note_has_a_maximum():
    form = ContactForm(
        data={
            "date": dt.date(2025, 6, 2),
            "kind": "phone",
            "duration_minutes": "15",
            "notes": "x" * (NOTES_MAX_LENGTH + 1),
        }
    )
    assert not form.is_valid()
    assert f"must be {NOTES_MAX_LENGTH} characters or fewer" in form.errors["notes"][0]
    assert form.fields["notes"].widget.attrs["maxlength"] == str(NOTES_MAX_LENGTH)


def test_a_status_change_note_has_a_maximum():
    referral = AssignedReferralFactory()
    form = StatusChangeForm(
        data={"to": "contacted", "note": "x" * (NOTES_MAX_LENGTH + 1)}, referral=referral
    )
    assert not form.is_valid()
    assert "note" in form.errors
