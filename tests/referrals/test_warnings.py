"""Warnings that let the link worker carry on: the same NHS number referred twice in a day, and
GP appointments "after" recorded before the six months after referral are over. The first post
shows the warning in the NHS.UK warning callout and saves nothing; sent again, it saves."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from tests.networks.factories import MembershipFactory
from tests.pcn_admin.factories import LinkWorkerUserFactory
from tests.referrals.factories import (
    AssignedReferralFactory,
    ReferralFactory,
    ReferralReasonFactory,
    ReferralSourceFactory,
)

pytestmark = pytest.mark.django_db
CALLOUT = 'class="nhsuk-card nhsuk-card--warning"'


def _seen(page: str) -> str:
    """The fingerprint of the warnings the page showed, as the browser sends it back."""
    return re.search(r'name="warnings_seen" value="([0-9a-f]+)"', page).group(1)


@pytest.fixture
def intake():
    member = MembershipFactory()
    worker = LinkWorkerUserFactory(pcn=member.pcn)
    data = {
        "given_name": "Jean",
        "family_name": "Robson",
        "nhs_number": "999 000 0018",
        "date_of_birth": "1948-02-01",
        "preferred_contact_method": "phone",
        "phone": "07700 900000",
        "practice": member.practice.pk,
        "source": ReferralSourceFactory().pk,
        "reasons": [ReferralReasonFactory().pk],
        "link_worker": worker.pk,
        "consent_given": "on",
    }
    return member, worker, data


def test_the_same_nhs_number_twice_in_a_day_is_a_warning_then_a_referral(client, intake):
    member, worker, data = intake
    ReferralFactory(pcn=member.pcn, nhs_number="9990000018", received_on=timezone.localdate())
    client.force_login(worker)

    first = client.post(reverse("referrals:create"), data)

    page = first.content.decode()
    assert first.status_code == 200 and CALLOUT in page
    today = timezone.localdate()
    assert (
        f"NHS number 999 000 0018 was already referred to this PCN once on {today.day} "
        f"{today:%B %Y}. Check this is not the same referral recorded twice"
    ) in page
    assert "Nothing has been saved yet" in page
    assert 'value="Robson"' in page  # what was typed is kept
    assert Referral.objects.filter(nhs_number="9990000018").count() == 1

    second = client.post(reverse("referrals:create"), {**data, "warnings_seen": _seen(page)})

    assert second.status_code == 302
    assert Referral.objects.filter(nhs_number="9990000018").count() == 2


def test_the_same_nhs_number_on_another_day_or_in_another_pcn_is_no_warning(client, intake):
    member, worker, data = intake
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReferralFactory(pcn=member.pcn, nhs_number="9990000018", received_on=yesterday)
    ReferralFactory(nhs_number="9990000018", received_on=timezone.localdate())  # another PCN
    client.force_login(worker)
    assert client.post(reverse("referrals:create"), data).status_code == 302


def test_a_warning_not_yet_seen_is_shown_even_after_another_was(client, intake):
    member, worker, data = intake
    ReferralFactory(pcn=member.pcn, nhs_number="9990000018", received_on=timezone.localdate())
    ReferralFactory(pcn=member.pcn, nhs_number="9990000026", received_on=timezone.localdate())
    client.force_login(worker)
    seen = _seen(client.post(reverse("referrals:create"), data).content.decode())

    changed = {**data, "nhs_number": "999 000 0026", "warnings_seen": seen}
    response = client.post(reverse("referrals:create"), changed)

    assert response.status_code == 200
    assert "NHS number 999 000 0026 was already referred" in response.content.decode()
    assert Referral.objects.filter(nhs_number="9990000026").count() == 1


# GP appointments after referral ---------------------------------------------------------------


def test_gp_appointments_after_recorded_too_soon_are_a_warning_then_saved(client):
    # The 1st of last month, so six months on is the 1st of a month too.
    received = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    referral = AssignedReferralFactory(received_on=received)
    client.force_login(referral.link_worker)
    url = reverse("referrals:gp_appointments", args=[referral.pk])
    data = {"gp_appointments_before": "7", "gp_appointments_after": "3"}

    first = client.post(url, data)

    page = first.content.decode()
    months = received.month - 1 + 6
    ends = received.replace(year=received.year + months // 12, month=months % 12 + 1)
    assert first.status_code == 200 and CALLOUT in page
    assert f"The six months after this referral end on {ends.day} {ends:%B %Y}." in page
    referral.refresh_from_db()
    assert referral.gp_appointments_after is None

    second = client.post(url, {**data, "warnings_seen": _seen(page)})

    assert second.status_code == 302
    referral.refresh_from_db()
    assert (referral.gp_appointments_before, referral.gp_appointments_after) == (7, 3)


def test_gp_appointments_after_the_six_months_or_before_only_need_no_warning(client):
    referral = AssignedReferralFactory(received_on=timezone.localdate() - dt.timedelta(days=200))
    recent = AssignedReferralFactory(pcn=referral.pcn, link_worker=referral.link_worker)
    client.force_login(referral.link_worker)
    both = {"gp_appointments_before": "7", "gp_appointments_after": "3"}
    response = client.post(reverse("referrals:gp_appointments", args=[referral.pk]), both)
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).gp_appointments_after == 3
    before_only = {"gp_appointments_before": "5", "gp_appointments_after": ""}
    response = client.post(reverse("referrals:gp_appointments", args=[recent.pk]), before_only)
    assert response.status_code == 302
    assert Referral.objects.get(pk=recent.pk).gp_appointments_before == 5
