"""Form posts are safe to repeat: the same form sent twice (a double click, a page sent again)
makes its change once, and the second post is answered as the first was, with a message saying
so. The claim forms are tried in tests/reimbursement/test_claim_double_posts.py, and
tests/reimbursement/test_concurrent_posts.py sends posts at the same moment."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from pcn_admin.models import FormSubmission
from pcn_admin.submissions import ALREADY_DONE, FIELD, KEEP_FOR
from referrals.models import Contact, Referral, ReferralReason, ReferralSource, Status
from roles.models import Post, Role
from tests.networks.factories import MembershipFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, LinkWorkerUserFactory
from tests.referrals.factories import AssignedReferralFactory

pytestmark = pytest.mark.django_db


def token_on(page: bytes) -> str:
    """The one-off token of the (first) form on a page."""
    match = re.search(rf'name="{FIELD}" value="([0-9a-f-]+)"', page.decode())
    assert match, "the form carries no submission token"
    return match.group(1)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def post_twice(client, url, data):
    return client.post(url, data), client.post(url, data)


@pytest.fixture
def referral():
    return AssignedReferralFactory()


def referral_data(referral, **overrides) -> dict:
    data = {
        "given_name": "Ivy",
        "family_name": "Armstrong",
        "date_of_birth": "1951-09-14",
        "phone": "07700 900456",
        "preferred_contact_method": "phone",
        "practice": referral.practice.pk,
        "source": ReferralSource.objects.filter(is_active=True).first().pk,
        "reasons": [ReferralReason.objects.filter(is_active=True).first().pk],
        "link_worker": referral.link_worker.pk,
        "consent_given": "on",
    }
    return data | overrides


# The token on the page ------------------------------------------------------------------------


def test_each_showing_of_a_form_gets_its_own_token(client, referral):
    client.force_login(referral.link_worker)
    url = reverse("referrals:create")
    assert token_on(client.get(url).content) != token_on(client.get(url).content)


def test_a_form_shown_again_with_errors_keeps_its_token(client, referral):
    client.force_login(referral.link_worker)
    token = str(uuid.uuid4())
    response = client.post(
        reverse("referrals:create"), referral_data(referral, given_name="", **{FIELD: token})
    )
    assert response.status_code == 200
    assert token_on(response.content) == token


def test_a_refused_form_corrected_and_sent_with_its_token_makes_the_change(client, referral):
    client.force_login(referral.link_worker)
    url = reverse("referrals:create")
    token = token_on(client.get(url).content)
    refused = client.post(url, referral_data(referral, given_name="", **{FIELD: token}))
    assert refused.status_code == 200 and not Referral.objects.filter(given_name="Ivy").exists()

    corrected = client.post(url, referral_data(referral, **{FIELD: token}))

    assert corrected.status_code == 302
    assert Referral.objects.filter(given_name="Ivy").count() == 1
    assert ALREADY_DONE not in messages_of(corrected)


def test_a_post_without_a_token_still_works(client, referral):
    """An older page, or a client that sends no token: no refusal, just no protection."""
    client.force_login(referral.link_worker)
    response = client.post(reverse("referrals:create"), referral_data(referral))
    assert response.status_code == 302 and Referral.objects.filter(given_name="Ivy").exists()
    assert not FormSubmission.objects.exists()


def test_every_page_loads_the_script_that_stops_a_second_press(client, referral):
    client.force_login(referral.link_worker)
    page = client.get(reverse("referrals:create")).content.decode()
    assert "js/submit-once.js" in page


# Each form that makes something ---------------------------------------------------------------


def test_recording_a_referral_twice_from_one_form_records_one(client, referral):
    client.force_login(referral.link_worker)
    url = reverse("referrals:create")
    data = referral_data(referral, **{FIELD: token_on(client.get(url).content)})

    first, second = post_twice(client, url, data)

    made = Referral.objects.get(given_name="Ivy")
    detail = reverse("referrals:detail", args=[made.pk])
    assert (first.status_code, first.url) == (302, detail)
    assert (second.status_code, second.url) == (302, detail)  # answered as the first was
    assert ALREADY_DONE in messages_of(second)


def test_recording_a_contact_twice_from_one_form_records_one(client, referral):
    client.force_login(referral.link_worker)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    data = {
        "date": timezone.localdate().isoformat(),
        "kind": "phone",
        "duration_minutes": "20",
        FIELD: token_on(page.content),
    }

    first, second = post_twice(client, reverse("referrals:contact_add", args=[referral.pk]), data)

    assert first.status_code == second.status_code == 302
    assert Contact.objects.filter(referral=referral).count() == 1


def test_a_status_change_sent_twice_is_answered_as_the_first_was(client, referral):
    """The second post could not pass the form (contacted cannot move to contacted): it is
    answered from the first before the form is read."""
    client.force_login(referral.link_worker)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    data = {"to": "contacted", "note": "Rang", FIELD: token_on(page.content)}

    first, second = post_twice(client, reverse("referrals:change_status", args=[referral.pk]), data)

    assert first.status_code == second.status_code == 302
    assert ALREADY_DONE in messages_of(second)
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED and referral.status_changes.count() == 1


def test_another_persons_post_of_the_same_token_is_not_answered_from_the_first(client, referral):
    colleague = LinkWorkerUserFactory(pcn=referral.pcn)
    client.force_login(referral.link_worker)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    data = {"to": "contacted", FIELD: token_on(page.content)}
    client.post(reverse("referrals:change_status", args=[referral.pk]), data)

    client.force_login(colleague)
    again = client.post(reverse("referrals:change_status", args=[referral.pk]), data)

    assert again.status_code == 400  # judged on its own: contacted cannot move to contacted
    assert ALREADY_DONE not in messages_of(again)


def test_adding_a_post_twice_from_one_form_adds_it_once(client):
    member = MembershipFactory()
    client.force_login(ClinicalDirectorUserFactory(pcn=member.pcn))
    url = reverse("roles:post_create")
    data = {
        "pcn": member.pcn.pk,
        "role": Role.objects.get(code="social_prescribing_link_worker").pk,
        "person_name": "Nia Graham",
        "employing_practice": member.practice.pk,
        "start_date": "2025-05-01",
        "region": "national",
        "hours": "30",
        FIELD: token_on(client.get(url).content),
    }

    first, second = post_twice(client, url, data)

    assert first.status_code == 302
    assert second.status_code == 302 and second.url == first.url
    assert Post.objects.filter(person_name="Nia Graham").count() == 1


# Housekeeping ---------------------------------------------------------------------------------


def test_tokens_older_than_a_day_are_cleared_when_a_form_is_sent(client, referral):
    stale = FormSubmission.objects.create(token=uuid.uuid4(), answer_url="/old/")
    FormSubmission.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - KEEP_FOR - dt.timedelta(minutes=1)
    )
    client.force_login(referral.link_worker)
    client.post(reverse("referrals:create"), referral_data(referral, **{FIELD: str(uuid.uuid4())}))

    assert not FormSubmission.objects.filter(pk=stale.pk).exists()
    assert FormSubmission.objects.count() == 1
