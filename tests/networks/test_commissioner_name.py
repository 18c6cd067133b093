"""A commissioner reads as its area's name and code, "Northumberland, 00L", never as the ODS
name that names only its ICB and repeats the code (issue 14, item 11)."""

import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from networks.models import Commissioner
from pcn_admin.models import User
from tests.networks.factories import CommissionerFactory
from tests.pcn_admin.factories import CommissionerStaffFactory

pytestmark = pytest.mark.django_db

ODS_NAME = "NHS NORTH EAST AND NORTH CUMBRIA ICB - 00L"


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_a_named_area_reads_as_its_name_and_code():
    commissioner = CommissionerFactory(code="00L", name=ODS_NAME, area_name="Northumberland")

    assert commissioner.display_name == "Northumberland, 00L"


def test_without_an_area_name_the_ods_name_is_tidied_and_the_code_given_once():
    assert CommissionerFactory(code="00L", name=ODS_NAME).display_name == (
        "NHS North East and North Cumbria ICB, 00L"
    )
    assert CommissionerFactory(code="99Z", name="99Z").display_name == "99Z"


def test_commissioner_staff_see_their_area_by_its_name_when_signed_in(client):
    commissioner = CommissionerFactory(code="00L", name=ODS_NAME, area_name="Northumberland")
    client.force_login(CommissionerStaffFactory(commissioner=commissioner))

    page = _text(client.get(reverse("home")).content.decode())

    assert "for Northumberland, 00L." in page
    assert ODS_NAME not in page and "00L NHS" not in page


def test_the_demo_area_is_named_and_naming_it_again_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    demo = Commissioner.objects.get(code="00L")
    history = demo.history.count()

    call_command("seed_demo", stdout=io.StringIO())

    assert demo.display_name == "Northumberland, 00L"
    assert User.objects.get(username="demo-commissioner").organisation_name == demo.display_name
    assert demo.history.count() == history
