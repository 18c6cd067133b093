"""Register names as people write them: the ODS capitals turned to title case."""

import pytest

from pcn_admin.names import title_case
from tests.networks.factories import PracticeFactory


@pytest.mark.parametrize(
    "register, shown",
    [
        ("THE SELE MEDICAL PRACTICE", "The Sele Medical Practice"),
        ("HUMSHAUGH & WARK MED GRP", "Humshaugh & Wark Med Grp"),
        ("ST JOHN'S SURGERY", "St John's Surgery"),
        ("O'BRIEN FAMILY PRACTICE", "O'Brien Family Practice"),
        ("NEWBIGGIN-BY-THE-SEA HC", "Newbiggin-by-the-Sea HC"),
        ("HAYDON BRIDGE AND ALLENDALE", "Haydon Bridge and Allendale"),
        (
            "MCKENZIE SURGERY (THE DR MCKENZIE PARTNERSHIP)",
            "McKenzie Surgery (The Dr McKenzie Partnership)",
        ),
        ("WEST NORTHUMBERLAND PCN", "West Northumberland PCN"),
    ],
)
def test_register_capitals_become_title_case(register, shown):
    assert title_case(register) == shown


def test_a_name_someone_typed_in_mixed_case_is_left_alone():
    assert title_case("Seaton Park medical group") == "Seaton Park medical group"


@pytest.mark.django_db
def test_a_practice_is_shown_by_its_name_as_people_write_it():
    assert PracticeFactory(name="BURN BRAE MEDICAL GROUP").display_name == "Burn Brae Medical Group"
