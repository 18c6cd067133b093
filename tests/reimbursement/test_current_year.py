"""The current financial year works (issue 13): the dashboards open on it even when it has no
ARR sum rate (none is published for 2026/27), showing its entitlement as unknown rather than
last year's; a claim in such a year is accepted with a warning, never refused; and the
entitlement names the dates of the list sizes it really uses, warning when they are older than
the 1 January before the year."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dashboards import reads as dashboards
from pcn_admin.dates import financial_year, year_label
from reimbursement import services
from reimbursement.entitlement import pcn_entitlement
from reimbursement.models import Claim
from roles.models import EntitlementRate
from tests.networks.factories import ListSizeFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory
from tests.reimbursement.factories import filled_claim
from tests.roles.factories import EntitlementRateFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = financial_year(TODAY)  # the current financial year, whatever day the tests run
RATE_2025 = Decimal("26.631")


def _no_rate_from(year: int) -> None:
    EntitlementRate.objects.filter(year__gte=year).delete()
    EntitlementRateFactory(year=year - 1, per_weighted_patient=RATE_2025)


def _pcn_with_lists(*dates: dt.date, weighted: str = "10000.00", **pcn):
    """A PCN with one member practice for each date, its weighted list size of that date."""
    pcn = PCNFactory(**pcn)
    for date in dates:
        practice = MembershipFactory(pcn=pcn).practice
        ListSizeFactory(practice=practice, date=date, weighted_patients=Decimal(weighted))
    return pcn


def _figure(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*data-value="([^"]*)"', html)
    assert match, f"no figure {testid}"
    return match.group(1)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# The year the dashboards open on -----------------------------------------------------------


def test_in_november_2026_the_dashboards_open_on_2026_27_not_on_the_last_year_with_a_rate():
    _no_rate_from(2026)

    year = dashboards.select_year(requested=None, today=dt.date(2026, 11, 15))

    assert (year.year, year.rate) == (2026, None)
    assert year.notice.startswith(
        "No ARR sum rate has been published for 2026/27: the entitlement is unknown"
    )
    assert [c.year for c in year.choices if c.has_rate][0] == 2025


def test_a_year_with_its_rate_opens_without_a_notice():
    year = dashboards.select_year(requested=None, today=dt.date(2025, 11, 15))
    assert (year.year, year.rate.per_weighted_patient, year.notice) == (2025, RATE_2025, "")


def test_2019_20_is_said_to_have_had_no_sum_rather_than_an_unpublished_one():
    year = dashboards.select_year(requested="2019", today=dt.date(2026, 11, 15))
    assert year.year == 2019
    assert year.notice.startswith("2019/20 had no ARR sum: the scheme reimbursed one clinical")


def test_the_pcn_dashboard_shows_this_years_entitlement_as_unknown_without_a_rate(client):
    _no_rate_from(YEAR)
    pcn = _pcn_with_lists(dt.date(YEAR, 1, 1))
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))

    html = client.get(reverse("dashboards:pcn_dashboard", args=[pcn.code])).content.decode()

    assert f"PCN dashboard, {year_label(YEAR)}" in html
    assert _figure(html, "entitlement") == ""
    text = _text(html)
    assert f"No ARR sum rate has been published for {year_label(YEAR)}" in text
    assert f"No ARR sum rate published for {year_label(YEAR)}" in text
    assert "Not known" in text
    assert "Not configured" not in text


def test_the_commissioner_dashboard_shows_this_years_entitlements_as_unknown(client):
    _no_rate_from(YEAR)
    pcn = _pcn_with_lists(dt.date(YEAR, 1, 1))
    client.force_login(CommissionerStaffFactory(commissioner=pcn.commissioner))

    html = client.get(reverse("dashboards:commissioner_dashboard")).content.decode()

    assert f"Commissioner dashboard, {year_label(YEAR)}" in html
    assert f"No ARR sum rate has been published for {year_label(YEAR)}" in _text(html)
    assert _figure(html, "entitlement") == ""


# Claims in a year without a rate ----------------------------------------------------------


def test_a_claim_in_a_year_with_no_arr_sum_rate_is_accepted_with_a_warning(world):
    _no_rate_from(YEAR)
    claim = filled_claim(world, dt.date(YEAR, 4, 1))

    claim = _submit(claim, world)

    assert claim.status == Claim.Status.SUBMITTED
    messages = [w["message"] for w in claim.warnings]
    assert (
        f"No ARR sum rate has been published for {year_label(YEAR)}: the PCN's entitlement is "
        "unknown, so this claim could not be checked against it. The claim is accepted"
    ) in " ".join(messages)


def _submit(claim, world):
    return services.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )


# The dates of the list sizes used ------------------------------------------------------------


def test_the_entitlement_names_the_date_of_the_lists_it_used_and_warns_they_are_old():
    pcn = _pcn_with_lists(dt.date(2022, 1, 1), dt.date(2022, 1, 1))

    entitlement = pcn_entitlement(pcn=pcn, year=2025, today=dt.date(2025, 11, 1))

    assert entitlement.population_date == dt.date(2025, 1, 1)
    assert entitlement.list_dates == [dt.date(2022, 1, 1)]
    assert entitlement.lists_text == "list sizes dated 1 January 2022"
    assert (
        "The 2025/26 ARR sum uses list sizes of 1 January 2022, older than 1 January 2025"
        in entitlement.lists_warning
    )
    # The figures are still used: the sum is worked out on the newest lists there are.
    assert entitlement.arr_sum == Decimal("532620.00")


def test_lists_of_the_1_january_before_the_year_raise_no_warning():
    pcn = _pcn_with_lists(dt.date(2025, 1, 1))

    entitlement = pcn_entitlement(pcn=pcn, year=2025, today=dt.date(2025, 11, 1))

    assert entitlement.lists_text == "list sizes dated 1 January 2025"
    assert entitlement.lists_warning == ""


def test_only_the_practices_with_old_lists_are_named():
    pcn = _pcn_with_lists(dt.date(2025, 1, 1), dt.date(2020, 1, 1))
    old = pcn.memberships.get(practice__list_sizes__date=dt.date(2020, 1, 1)).practice

    entitlement = pcn_entitlement(pcn=pcn, year=2025, today=dt.date(2025, 11, 1))

    assert entitlement.lists_text == "list sizes dated 1 January 2020 to 1 January 2025"
    assert (
        f"uses list sizes of 1 January 2020 for {old.code}, older than 1 January 2025"
        in entitlement.lists_warning
    )


def test_the_pcn_dashboard_says_which_lists_it_used_not_1_january_of_the_year(client):
    # Issue 13: it said "on 1 January 2025" while every figure it used was dated 2020.
    pcn = _pcn_with_lists(dt.date(2020, 1, 1), dt.date(2020, 1, 1))
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))

    url = reverse("dashboards:pcn_dashboard", args=[pcn.code]) + "?year=2025"
    text = _text(client.get(url).content.decode())

    assert "figures on 1 January 2025" not in text
    assert "here, list sizes dated 1 January 2020" in text
    assert (
        "The 2025/26 ARR sum uses list sizes of 1 January 2020, older than 1 January 2025" in text
    )


def test_the_commissioner_dashboard_warns_of_old_lists(client):
    pcn = _pcn_with_lists(dt.date(2020, 1, 1))
    _pcn_with_lists(dt.date(2025, 1, 1), commissioner=pcn.commissioner)
    client.force_login(CommissionerStaffFactory(commissioner=pcn.commissioner))

    url = reverse("dashboards:commissioner_dashboard") + "?year=2025"
    text = _text(client.get(url).content.decode())

    assert (
        "1 of 2 PCNs' entitlements use list sizes of 1 January 2020, older than 1 January 2025"
        in text
    )


def test_the_entitlement_api_gives_the_dates_of_the_lists_and_the_warning():
    pcn = _pcn_with_lists(dt.date(2022, 1, 1))
    api = APIClient()
    api.force_authenticate(ClinicalDirectorUserFactory(pcn=pcn))

    body = api.get(f"/api/v1/pcns/{pcn.code}/entitlement/", {"year": 2025}).json()

    assert body["population_date"] == "2025-01-01"
    assert body["list_sizes_dates"] == ["2022-01-01"]
    assert (
        "uses list sizes of 1 January 2022, older than 1 January 2025"
        in (body["list_sizes_warning"])
    )
