"""The admin is for commissioner staff, and shows and changes only their own area."""

import datetime as dt

import pytest
import tablib

from networks.models import PCN
from networks.resources import PCNResource
from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    ours, theirs = CommissionerFactory(code="00L"), CommissionerFactory(code="99Z")
    our_pcn = PCNFactory(code="U11111", commissioner=ours, name="Blyth PCN")
    their_pcn = PCNFactory(code="U22222", commissioner=theirs, name="Faraway PCN")
    member = MembershipFactory(pcn=our_pcn)
    ListSizeFactory(practice=member.practice, registered_patients=12_345, date=dt.date(2021, 1, 1))
    return {"ours": ours, "theirs": theirs, "our_pcn": our_pcn, "their_pcn": their_pcn}


def test_commissioner_staff_see_only_their_pcns_in_the_admin(client, area):
    client.force_login(CommissionerStaffFactory(commissioner=area["ours"]))
    page = client.get("/admin/networks/pcn/")
    assert page.status_code == 200
    assert b"Blyth PCN" in page.content
    assert b"Faraway PCN" not in page.content
    other = client.get(f"/admin/networks/pcn/{area['their_pcn'].pk}/change/")
    assert other.status_code == 302  # the admin treats a row outside the queryset as missing


def test_pcn_page_shows_members_population_and_the_small_pcn_warning(client, area):
    client.force_login(CommissionerStaffFactory(commissioner=area["ours"]))
    page = client.get(f"/admin/networks/pcn/{area['our_pcn'].pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "12,345" in text
    assert "below 30,000" in text
    assert "Membership history" in text


def test_commissioner_staff_can_rename_their_own_pcn(client, area):
    client.force_login(CommissionerStaffFactory(commissioner=area["ours"]))
    page = client.get(f"/admin/networks/pcn/{area['our_pcn'].pk}/change/")
    assert b'name="name"' in page.content  # editable, not read-only


def test_other_roles_are_kept_out_of_the_admin(client, area):
    client.force_login(ClinicalDirectorUserFactory(pcn=area["our_pcn"]))
    assert client.get("/admin/networks/pcn/").status_code == 302


def test_searching_pcns_by_code(client, area):
    PCNFactory(code="U11112", commissioner=area["ours"], name="Morpeth PCN")
    client.force_login(CommissionerStaffFactory(commissioner=area["ours"]))
    page = client.get("/admin/networks/pcn/?q=U11112")
    assert b"Morpeth PCN" in page.content
    assert b"Blyth PCN" not in page.content


def test_import_refuses_rows_outside_the_users_area_and_writes_nothing(area):
    user = CommissionerStaffFactory(commissioner=area["ours"])
    dataset = tablib.Dataset(headers=["code", "name", "commissioner", "open_date"])
    dataset.append(["U55555", "New Northumberland PCN", "00L", "2024-04-01"])
    dataset.append(["U66666", "Someone else's PCN", "99Z", "2024-04-01"])

    result = PCNResource(user=user).import_data(dataset, dry_run=False, use_transactions=True)

    assert result.has_validation_errors()
    assert "outside your area" in str(result.invalid_rows[0].error)
    assert not PCN.objects.filter(code__in=["U55555", "U66666"]).exists()


def test_import_of_own_area_creates_the_pcn_with_upper_case_codes(area):
    user = CommissionerStaffFactory(commissioner=area["ours"])
    dataset = tablib.Dataset(headers=["code", "name", "commissioner", "open_date"])
    dataset.append(["u55555", "New Northumberland PCN", "00l", "2024-04-01"])

    result = PCNResource(user=user).import_data(dataset, dry_run=False, use_transactions=True)

    assert not result.has_errors() and not result.has_validation_errors()
    assert PCN.objects.get(code="U55555").commissioner == area["ours"]


@pytest.mark.parametrize("size", [3, 30])
def test_pcn_admin_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, size):
    commissioner = CommissionerFactory(code="00L")
    for _ in range(size):
        pcn = PCNFactory(commissioner=commissioner)
        MembershipFactory(pcn=pcn)
        MembershipFactory(pcn=pcn)
    client.force_login(CommissionerStaffFactory(commissioner=commissioner))
    with django_assert_max_num_queries(12):
        page = client.get("/admin/networks/pcn/")
    assert page.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_practice_admin_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    commissioner = CommissionerFactory(code="00L")
    pcn = PCNFactory(commissioner=commissioner)
    for _ in range(size):
        MembershipFactory(pcn=pcn)
    client.force_login(CommissionerStaffFactory(commissioner=commissioner))
    with django_assert_max_num_queries(12):
        page = client.get("/admin/networks/practice/")
    assert page.status_code == 200
