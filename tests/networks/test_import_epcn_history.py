"""Importing December 2019's ePCN file and then October 2024's brings the register up to date.

Both real files are imported once for the module, in a transaction rolled back at its end;
the register as it stood after the 2019 file is captured in between.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.db import transaction

from networks import services
from networks.models import PCN, Membership, Practice

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        first = services.epcn_import(path=FIXTURES / "epcn-2019-12.xlsx")
        after_2019 = {
            "pcns": PCN.objects.count(),
            "closed": PCN.objects.filter(close_date__isnull=False).count(),
            "memberships": Membership.objects.count(),
            "current": Membership.objects.current().count(),
            "U03186": PCN.objects.get(code="U03186").name,
            "U52261 address": PCN.objects.get(code="U52261").address,
            "A84002": list(
                Membership.objects.filter(practice__code="A84002").values_list(
                    "pcn__code", "start_date", "end_date"
                )
            ),
        }
        second = services.epcn_import(path=FIXTURES / "epcn-2024-10.xlsx")
        yield {"first": first, "after_2019": after_2019, "second": second}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_december_2019_file_loads_with_its_ccg_era_headers(history):
    after_2019 = history["after_2019"]
    assert after_2019["pcns"] == 1250
    assert after_2019["closed"] == 0
    assert after_2019["memberships"] == after_2019["current"] == 6757
    assert history["first"].counts["practices_created"] == 6757
    assert after_2019["A84002"] == [("U25545", dt.date(2019, 10, 1), None)]


@pytest.mark.django_db
def test_a_zero_in_an_address_line_is_left_out_and_warned(history):
    # The 2019 file has 0 (a lookup of an empty cell) as U52261's fifth address line.
    assert history["after_2019"]["U52261 address"].splitlines()[-1] == "NORTHAMPTON"
    assert any(
        "row 438, Address Line 5: 0 is not an address line" in w for w in history["first"].warnings
    )


@pytest.mark.django_db
def test_the_october_2024_file_renames_closes_and_moves(history):
    counts = history["second"].counts
    assert counts["pcns_created"] == 116
    assert counts["pcns_renamed"] == 103
    assert counts["pcns_closed"] == 74
    assert counts["memberships_ended"] == 1298
    assert counts["memberships_created"] == 961
    assert counts["memberships_withdrawn"] == 13
    assert history["after_2019"]["U03186"] == "THE FOX'S PCN"
    assert PCN.objects.get(code="U03186").name == "THE LEICESTER FOXES PCN"
    phoenix = PCN.objects.get(code="U00567")
    assert phoenix.close_date == dt.date(2020, 3, 31)
    assert phoenix.commissioner.name == "NHS HUMBER AND NORTH YORKSHIRE ICB - 03H"


@pytest.mark.django_db
def test_a_practice_that_moved_pcn_keeps_its_history(history):
    # The Rothbury Practice left Well Up North PCN for Northumbria PCN in April 2022.
    memberships = Membership.objects.filter(practice__code="A84002").order_by("start_date")
    assert [(m.pcn.code, m.start_date, m.end_date) for m in memberships] == [
        ("U25545", dt.date(2019, 10, 1), dt.date(2022, 3, 31)),
        ("U09980", dt.date(2022, 4, 1), None),
    ]
    assert Membership.objects.on(dt.date(2021, 1, 1)).get(practice__code="A84002").pcn.code == (
        "U25545"
    )


@pytest.mark.django_db
def test_the_register_then_matches_the_october_2024_file(history):
    assert PCN.objects.count() == 1366
    assert PCN.objects.filter(close_date__isnull=False).count() == 81
    assert Membership.objects.count() == 7705
    assert Membership.objects.filter(end_date__isnull=False).count() == 1481
    # Practices stay in the register even when the file no longer lists them (G84021 closed).
    assert Practice.objects.count() == 6813 + 4
    assert not Membership.objects.filter(practice__code="G84021").exists()


@pytest.mark.django_db
def test_memberships_ods_re_dated_are_replaced_and_named(history):
    # K83013 joined U09772 on 1 December 2019 in the 2019 file; later files say 1 October.
    assert list(
        Membership.objects.filter(practice__code="K83013").values_list("pcn__code", "start_date")
    ) == [("U09772", dt.date(2019, 10, 1))]
    assert PCN.objects.get(code="U09772").open_date == dt.date(2019, 10, 1)
    assert any(
        "Removed practice K83013's membership of U09772 from 01 December 2019" in w
        for w in history["second"].warnings
    )
