"""The referrals API pages by cursor: newest first, each page following on from the last with
nothing missed or repeated (many referrals share a day), and each page's referrals audited."""

import datetime as dt

import pytest

from referrals.models import AuditEvent
from tests.pcn_admin.factories import LinkWorkerUserFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_a_link_worker_pages_through_every_referral_newest_first(client):
    worker = LinkWorkerUserFactory()
    made = [
        ReferralFactory(pcn=worker.pcn, received_on=dt.date(2025, 4, 1) + dt.timedelta(days=n // 7))
        for n in range(120)
    ]
    client.force_login(worker)
    seen, url, pages = [], "/api/v1/referrals/", 0
    while url:
        body = client.get(url).json()
        assert "count" not in body  # no count of them all: pages follow `next`
        seen += [(row["received_on"], row["id"]) for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert seen == sorted(
        ((r.received_on.isoformat(), r.pk) for r in made), reverse=True
    )  # every referral once, newest first (the latest made first within a day)
    listed = AuditEvent.objects.filter(action=AuditEvent.Action.LIST, user=worker)
    assert listed.count() == 120


def test_the_next_page_goes_back_with_its_previous_link(client):
    worker = LinkWorkerUserFactory()
    for n in range(60):
        ReferralFactory(pcn=worker.pcn, received_on=dt.date(2025, 5, 1) + dt.timedelta(days=n))
    client.force_login(worker)
    first = client.get("/api/v1/referrals/").json()
    second = client.get(first["next"]).json()
    assert first["previous"] is None and len(second["results"]) == 10
    assert client.get(second["previous"]).json()["results"] == first["results"]
