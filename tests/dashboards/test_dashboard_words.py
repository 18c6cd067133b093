"""The dashboards' words say what the figures are (issue 14, items 8 and 11): the amount left
over is projected, the batch shown is the latest one and names its month as the batch month,
the area reads as its name, and a missing ARR sum rate points to an admin entry that exists."""

import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from roles.models import EntitlementRate
from tests.dashboards.test_dashboards import (
    APRIL,
    YEAR,
    build_pcn,
    commissioner_url,
    pcn_url,
)
from tests.networks.factories import CommissionerFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory
from tests.reimbursement.factories import BatchFactory
from tests.roles.factories import EntitlementRateFactory

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def staff():
    EntitlementRateFactory(year=YEAR, per_weighted_patient=Decimal("26.631"))
    commissioner = CommissionerFactory(
        code="00L", name="NHS NORTH EAST AND NORTH CUMBRIA ICB - 00L"
    )
    build_pcn(commissioner)
    return CommissionerStaffFactory(commissioner=commissioner)


def test_what_is_left_over_is_projected_unclaimed_not_heading_unclaimed(client, staff):
    director = ClinicalDirectorUserFactory(pcn=staff.commissioner.pcns.get())
    client.force_login(staff)
    commissioner_page = _text(client.get(commissioner_url()).content.decode())
    client.force_login(director)
    pcn_page = _text(client.get(pcn_url(director.pcn)).content.decode())

    for page in (commissioner_page, pcn_page):
        assert "Projected unclaimed" in page
        assert "Heading unclaimed" not in page and "heading to leave" not in page


def test_the_batch_shown_is_the_latest_and_its_month_is_the_batch_month(client, staff):
    BatchFactory(commissioner=staff.commissioner, month=APRIL)
    client.force_login(staff)

    page = _text(client.get(commissioner_url()).content.decode())

    assert "Latest payment batch" in page and "This month's payment batch" not in page
    assert f"Batch month {APRIL:%B %Y} (the claim month it pays)" in page
    assert "Month paid for" not in page


def test_the_commissioners_area_reads_as_its_name_and_code(client, staff):
    staff.commissioner.area_name = "Northumberland"
    staff.commissioner.save()
    client.force_login(staff)

    page = _text(client.get(commissioner_url()).content.decode())

    assert "Commissioner dashboard, " in page and "Northumberland, 00L" in page
    assert "00L NHS NORTH EAST AND NORTH CUMBRIA ICB - 00L" not in page  # not in the header


def test_a_year_without_an_arr_sum_rate_names_an_admin_entry_that_exists(client, staff):
    EntitlementRate.objects.filter(year=YEAR).delete()
    client.force_login(staff)

    page = _text(client.get(commissioner_url(year=YEAR)).content.decode())
    admin = client.get(reverse("admin:index")).content.decode()

    entry = re.search(r"in the administration, under ([^.›]+) › ([^.]+)\.", page)
    assert entry, "the notice should say where in the administration the rate is added"
    section, model = (name.strip() for name in entry.groups())
    assert section in _text(admin)
    # The entry is the admin's own link to the ARR sum rates, under the name the notice uses.
    link = reverse("admin:roles_entitlementrate_changelist")
    assert re.search(rf'<a href="{link}"[^>]*>\s*{re.escape(model)}\s*</a>', admin)
