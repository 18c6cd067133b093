"""The PCN dashboard opens with "Needs your attention": claims returned to the PCN, the
entitlement projected to go unclaimed, referrals waiting for a link worker and stale directory
entries, each counted as the rest of the service counts it and linking to its section."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reimbursement.models import Claim
from roles.models import EntitlementRate
from tests.networks.factories import CommissionerFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.referrals.factories import AssignedReferralFactory, ReferralFactory, ServiceFactory
from tests.reimbursement.factories import ClaimFactory

from .test_dashboards import APRIL, TODAY, YEAR, build_pcn, rate  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The panel's items (testid -> data-value and href) and every id on the page."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.items: dict[str, dict] = {}
        self._item = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        testid = attrs.get("data-testid") or ""
        if tag == "li" and testid.startswith("attention-"):
            self._item = self.items[testid.removeprefix("attention-")] = {
                "value": attrs.get("data-value")
            }
        elif tag == "a" and self._item is not None:
            self._item["href"] = attrs["href"]
            self._item = None


def _dashboard(client, pcn) -> tuple[str, _Page]:
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
    html = client.get(reverse("dashboards:pcn_dashboard", args=[pcn.code])).content.decode()
    page = _Page()
    page.feed(html)
    return html, page


@pytest.mark.usefixtures("rate")
def test_the_dashboard_opens_with_what_needs_attention_each_linking_to_its_section(client):
    pcn = build_pcn(CommissionerFactory())
    elsewhere = build_pcn(CommissionerFactory())
    ClaimFactory(pcn=pcn, month=APRIL.replace(month=6), status=Claim.Status.RETURNED)
    ClaimFactory(pcn=elsewhere, month=APRIL.replace(month=6), status=Claim.Status.RETURNED)
    for _ in range(2):
        ReferralFactory(pcn=pcn)  # no link worker yet
    ReferralFactory(pcn=elsewhere)
    AssignedReferralFactory(pcn=pcn)
    year_and_more = TODAY - dt.timedelta(days=400)
    ServiceFactory(last_reviewed=year_and_more)
    ServiceFactory(last_reviewed=year_and_more - dt.timedelta(days=30))
    ServiceFactory(last_reviewed=year_and_more, is_active=False)  # gone from the directory
    ServiceFactory(last_reviewed=TODAY - dt.timedelta(days=30))

    html, page = _dashboard(client, pcn)

    assert html.index("Needs your attention") < html.index("Key figures")
    assert {key: item["value"] for key, item in page.items.items() if key != "unclaimed"} == {
        "returned": "1",
        "unassigned": "2",
        "stale": "2",
    }
    # The unclaimed entitlement is the key figure's, which is well over a tenth of the sum.
    unclaimed = re.search(r'data-testid="unclaimed" data-value="([-\d.]+)"', html).group(1)
    assert page.items["unclaimed"]["value"] == unclaimed
    for item in page.items.values():
        assert item["href"].removeprefix("#") in page.ids, item
    assert "1 claim returned by your commissioner to correct and submit again" in html
    assert "2 referrals waiting for a link worker" in html
    assert "2 community directory entries not reviewed for more than 183 days" in html


def test_when_nothing_needs_attention_the_panel_says_so_in_one_line(client):
    EntitlementRate.objects.filter(year=YEAR).delete()  # no entitlement to fall short of
    pcn = build_pcn(CommissionerFactory())
    ServiceFactory(last_reviewed=TODAY - dt.timedelta(days=30))

    html, page = _dashboard(client, pcn)

    assert page.items == {}
    assert 'data-testid="attention-none"' in html
