"""The public self-referral form: no sign-in, rate-limited per person and connection, it reveals
nothing, and it reads as a patient would expect (practice names, date of birth, privacy)."""

import datetime as dt

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
        "date_of_birth_day": "14",
        "date_of_birth_month": "9",
        "date_of_birth_year": "1951",
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


def test_the_same_persons_request_from_one_connection_stops_at_the_third(client, member):
    for _ in range(3):
        assert client.post(URL, form_data(member)).status_code == 302
    response = client.post(URL, form_data(member, phone="07700 900999"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "We already have this request" in page
    assert "You do not need to send it again" in page
    assert Referral.objects.count() == 3


def test_a_shared_computer_can_send_for_several_people(client, member):
    """A surgery or library computer helping people one after another is not locked out: the
    limit is per person and connection together, not per connection."""
    people = [("Ivy", "Armstrong"), ("Jack", "Milburn"), ("Rose", "Charlton"), ("Tom", "Hedley")]
    for given, family in people * 2:  # each sent twice: well within each person's limit
        response = client.post(URL, form_data(member, given_name=given, family_name=family))
        assert response.status_code == 302
    assert Referral.objects.count() == 8


def test_the_person_is_known_by_name_and_date_of_birth_as_typed_give_or_take_spaces(client, member):
    for given in ("Ivy", " ivy ", "IVY"):
        assert client.post(URL, form_data(member, given_name=given)).status_code == 302
    repeat = form_data(member, given_name="Ivy", date_of_birth_day="014")
    assert client.post(URL, repeat).status_code == 429


def test_the_same_person_from_another_connection_is_not_refused(client, member):
    for _ in range(3):
        client.post(URL, form_data(member))
    elsewhere = client.post(URL, form_data(member), REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302


def test_a_flood_of_invented_people_from_one_connection_is_stopped(client, member):
    for n in range(20):
        assert client.post(URL, form_data(member, family_name=f"Person{n}")).status_code == 302
    response = client.post(URL, form_data(member, family_name="Onemore"))
    assert response.status_code == 429
    assert "Too many requests from this connection" in response.content.decode()
    assert Referral.objects.count() == 20


def test_a_form_with_mistakes_does_not_count_against_the_limit(client, member):
    for _ in range(5):
        assert client.post(URL, form_data(member, phone="")).status_code == 200
    assert client.post(URL, form_data(member)).status_code == 302


def test_the_rate_limit_can_be_switched_off(client, member, settings):
    settings.RATELIMIT_ENABLE = False
    for _ in range(7):
        assert client.post(URL, form_data(member)).status_code == 302


# What the public sees --------------------------------------------------------------------------


def test_practices_are_offered_by_name_in_title_case_without_codes(client):
    member = MembershipFactory(practice__name="HUMSHAUGH & WARK MED GRP", practice__code="A84040")
    page = client.get(URL).content.decode()
    assert f'<option value="{member.practice.pk}">Humshaugh &amp; Wark Med Grp</option>' in page
    assert "A84040" not in page and "HUMSHAUGH" not in page


def test_the_form_links_to_a_privacy_notice_that_says_who_sees_what(client):
    form = client.get(URL).content.decode()
    notice_url = reverse("referrals:privacy_notice")
    assert f'href="{notice_url}"' in form and "privacy notice" in form
    notice = client.get(notice_url)
    assert notice.status_code == 200
    text = notice.content.decode()
    for said in ("link workers", "8 years after your support ends", "ico.org.uk"):
        assert said in text


def test_the_date_of_birth_is_three_labelled_boxes_in_a_fieldset(client):
    page = client.get(URL).content.decode()
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">' in page
    for part in ("day", "month", "year"):
        assert f'name="date_of_birth_{part}"' in page
        assert f'for="id_date_of_birth_{part}">{part.capitalize()}</label>' in page
    assert 'inputmode="numeric"' in page and 'type="date"' not in page


@pytest.mark.parametrize(
    "day, month, year, message",
    [
        ("", "", "", "Enter your date of birth."),
        ("14", "", "1951", "Your date of birth must include a month."),
        ("", "", "1951", "Your date of birth must include a day and a month."),
        ("31", "2", "1951", "Your date of birth must be a real date"),
        ("14", "9", "51", "The year must have 4 numbers"),
        ("14", "Sept", "1951", "Enter your date of birth in numbers"),
        ("1", "1", "2999", "Your date of birth must be in the past."),
    ],
)
def test_a_date_of_birth_that_will_not_do_says_what_to_fix_and_keeps_what_was_typed(
    client, member, day, month, year, message
):
    data = form_data(
        member, date_of_birth_day=day, date_of_birth_month=month, date_of_birth_year=year
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'href="#id_date_of_birth_day"' in page  # the error summary leads to the boxes
    assert 'name="date_of_birth_year" type="text" inputmode="numeric"' in page
    assert f'value="{year}"' in page or not year
    assert not Referral.objects.exists()


def test_a_date_of_birth_typed_with_leading_zeros_is_read(client, member):
    data = form_data(member, date_of_birth_day="03", date_of_birth_month="07")
    assert client.post(URL, data).status_code == 302
    assert Referral.objects.get().date_of_birth == dt.date(1951, 7, 3)


def test_a_self_referral_waits_in_the_pcns_new_referrals_queue(client, member):
    client.post(URL, form_data(member))
    referral = Referral.objects.get()
    assert referral.link_worker is None
    from referrals import selectors

    assert list(selectors.new_referrals(pcn_id=member.pcn_id)) == [referral]
