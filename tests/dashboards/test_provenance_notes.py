"""The dashboards say when a forecast rests on maxima derived rather than published by NHS
England (roles.models.Provenance), and name them; a forecast on published figures says nothing."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from pcn_admin.dates import financial_year
from roles.models import Provenance
from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory
from tests.roles.factories import (
    EntitlementRateFactory,
    PostFactory,
    RateFactory,
    ReimbursementPercentageFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

YEAR = financial_year(timezone.localdate())  # the forecast runs in the current year
DERIVED_FIGURE = (
    "Band 5 practitioner: Maximum £40,000 a year from 1 April 2020 (derived from the same band)"
)


def _role(name: str, provenance: str):
    """A role of its own (no seeded figure competes) with one maximum of this provenance."""
    role = RoleFactory(name=name)
    ReimbursementPercentageFactory(role=role, percentage=Decimal("100"))
    RateFactory(
        role=role,
        afc_band="5",
        annual_max=Decimal("40000"),
        provenance=provenance,
        basis="Same band as the link worker.",
    )
    return role


def _pcn_with_staff(*, derived: bool):
    """A PCN with an ARR sum this year and two posts in post: one on a published maximum and,
    if `derived`, one on a derived maximum."""
    EntitlementRateFactory(year=YEAR, per_weighted_patient=Decimal("26.631"))
    pcn = PCNFactory(commissioner=CommissionerFactory())
    practice = MembershipFactory(pcn=pcn).practice
    ListSizeFactory(practice=practice, date=dt.date(YEAR, 1, 1))
    roles = [_role("Published practitioner", Provenance.PUBLISHED)]
    if derived:
        roles.append(_role("Band 5 practitioner", Provenance.DERIVED_BAND))
    for role in roles:
        PostFactory(pcn=pcn, role=role, employing_practice=practice, start_date=dt.date(2024, 4, 1))
    return pcn


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_pcn_dashboard_names_the_derived_maxima_its_forecast_uses(client):
    pcn = _pcn_with_staff(derived=True)
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))

    html = client.get(reverse("dashboards:pcn_dashboard", args=[pcn.code])).content.decode()

    assert 'data-testid="forecast-derived"' in html
    spend = _squash(html.split('data-testid="chart-spend"', 1)[1].split("</section>", 1)[0])
    assert "The forecast uses maxima derived rather than published by NHS England" in spend
    assert DERIVED_FIGURE in spend
    assert "Published practitioner" not in spend


def test_a_forecast_on_published_maxima_says_nothing_of_derived_figures(client):
    pcn = _pcn_with_staff(derived=False)
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))

    html = client.get(reverse("dashboards:pcn_dashboard", args=[pcn.code])).content.decode()

    assert 'data-testid="forecast-derived"' not in html
    assert "derived rather than published" not in html


def test_the_commissioner_table_notes_which_pcns_forecasts_use_derived_maxima(client):
    pcn = _pcn_with_staff(derived=True)
    client.force_login(CommissionerStaffFactory(commissioner=pcn.commissioner))

    html = client.get(reverse("dashboards:commissioner_dashboard")).content.decode()

    note = _squash(html.split('data-testid="forecast-derived"', 1)[1].split("</p>", 1)[0])
    assert (
        f"The forecasts of 1 PCN ({pcn.code}) use maxima derived rather than published by NHS "
        "England: Band 5 practitioner (derived from the same band)."
    ) in note


def test_the_commissioner_table_on_published_maxima_has_no_such_note(client):
    pcn = _pcn_with_staff(derived=False)
    client.force_login(CommissionerStaffFactory(commissioner=pcn.commissioner))

    html = client.get(reverse("dashboards:commissioner_dashboard")).content.decode()

    assert "derived rather than published" not in html


def test_the_entitlement_api_lists_the_derived_maxima_the_forecast_uses():
    pcn = _pcn_with_staff(derived=True)
    api = APIClient()
    api.force_authenticate(ClinicalDirectorUserFactory(pcn=pcn))

    response = api.get(f"/api/v1/pcns/{pcn.code}/entitlement/", {"year": YEAR})

    assert response.status_code == 200, response.json()
    derived = response.json()["forecast_derived"]
    assert [(row["provenance"], row["annual_max"], row["basis"]) for row in derived] == [
        ("derived-band", "40000.00", "Same band as the link worker.")
    ]
