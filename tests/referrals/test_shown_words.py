"""Referral identifiers as people read them (issue 14, item 11): an NHS number in groups of
three, three and four wherever a page shows one, and an onward referral's reference, SP-23, the
same on the organisation's inbox, its confirmation and the link worker's page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from referrals import services
from tests.pcn_admin.factories import CommunityOrganisationUserFactory
from tests.referrals.factories import AssignedReferralFactory, OnwardReferralFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("9997654323", "999 765 4323"),
        ("999 765 4323", "999 765 4323"),
        ("", ""),
        (None, None),
        ("12345", "12345"),  # not an NHS number: left as it is
    ],
)
def test_an_nhs_number_is_shown_three_three_four(stored, shown):
    from pcn_admin.templatetags.nhs_format import nhs_number

    assert nhs_number(stored) == shown


def test_the_referral_and_the_message_to_the_gp_show_the_nhs_number_grouped(client):
    referral = AssignedReferralFactory(nhs_number="9997654323")
    for status in ("contacted", "assessment", "plan_agreed", "connected"):
        services.referral_change_status(referral=referral, to=status, by=referral.link_worker)
    services.referral_change_status(
        referral=referral,
        to="closed",
        by=referral.link_worker,
        outcome="needs_met",
        closure_notes="Goes to the walking group.",
    )
    client.force_login(referral.link_worker)
    message_url = reverse("referrals:gp_message", args=[referral.pk])

    pages = [
        client.get(reverse("referrals:detail", args=[referral.pk])).content.decode(),
        client.get(message_url).content.decode(),
        client.get(message_url, {"format": "txt"}).content.decode(),
    ]

    for page in pages:
        assert "999 765 4323" in page and "9997654323" not in page


def test_the_inbox_confirms_a_reply_with_the_reference_it_shows(client):
    onward = OnwardReferralFactory()
    client.force_login(CommunityOrganisationUserFactory(organisation=onward.service.organisation))

    inbox = client.get(reverse("referrals:inbox")).content.decode()
    response = client.post(
        reverse("referrals:inbox_respond", args=[onward.pk]), {"decision": "accept"}
    )

    assert f"SP-{onward.pk}" in inbox
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        f"SP-{onward.pk} answered: accepted."
    ]


def test_the_link_worker_sees_the_reference_the_organisation_is_quoted(client):
    onward = OnwardReferralFactory(consent_to_share=False)
    client.force_login(onward.referral.link_worker)

    page = client.get(reverse("referrals:detail", args=[onward.referral.pk])).content.decode()

    assert f"SP-{onward.pk}" in page
