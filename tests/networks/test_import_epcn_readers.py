"""The ePCN parser reads workbooks with calamine; openpyxl, its old reader, is kept as the bench's
reference. Both must read the real files alike, refuse what is not a workbook in one line, and
(on PostgreSQL, where new rows go in with COPY) leave the same register and history."""

import datetime as dt
import gc
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from networks import services
from networks.importers import FileNotRecognised, ImportFailed
from networks.importers.epcn import parse_epcn
from networks.models import PCN, Commissioner, Membership, Practice
from tests.networks.test_import_epcn import small_copy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("name", ["epcn-2019-12.xlsx", "epcn-2024-10.xlsx"])
def test_calamine_and_openpyxl_read_each_real_file_alike(name):
    with_calamine = parse_epcn(FIXTURES / name)
    with_openpyxl = parse_epcn(FIXTURES / name, engine="openpyxl")
    assert with_calamine == with_openpyxl
    assert not with_calamine.errors
    # The CCG-era file holds its dates as numbers, which calamine reads as floats.
    assert all(type(m.start_date) is dt.date for m in with_calamine.memberships)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_bad_cells_are_named_alike_by_either_reader(tmp_path, engine):
    def spoil(pcn_rows, partner_rows):
        partner_rows[0][0] = "A8400"  # malformed practice code
        partner_rows[1][8] = "20230231"  # 31 February

    path = small_copy(tmp_path, {"U25545"}, spoil)
    errors = {(e.row, e.column, e.value, e.why) for e in parse_epcn(path, engine=engine).errors}
    assert errors == {
        (
            2,
            "Partner Organisation Code",
            "A8400",
            "A practice code is one letter and five digits, for example A81001.",
        ),
        (3, "Practice to PCN Relationship Start Date", "20230231", "is not a real date"),
    }


def test_an_error_cell_is_refused_as_the_file_has_it_not_read_as_blank(tmp_path):
    # A broken lookup's #N/A in an end date must not make the membership a current one.
    def spoil(pcn_rows, partner_rows):
        partner_rows[0][9] = "#N/A"  # openpyxl saves it as an error cell

    path = small_copy(tmp_path, {"U25545"}, spoil)
    [error] = parse_epcn(path).errors
    assert (error.row, error.column, error.value) == (
        2,
        "Practice to PCN Relationship End Date",
        "#N/A",
    )
    assert error.why == "is not a date written YYYYMMDD"


def not_a_workbook(path: Path) -> str:
    return (
        f"{path.name} is not an Excel workbook (.xlsx): download the ePCN file from "
        "NHS England's ODS pages and import that."
    )


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_zip_that_is_not_a_workbook_is_refused_in_one_line(tmp_path, engine):
    path = tmp_path / "ePCN.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a spreadsheet")
    with pytest.raises(FileNotRecognised) as refused:
        parse_epcn(path, engine=engine)
    assert str(refused.value) == not_a_workbook(path)


@pytest.mark.parametrize(
    "name, content",
    [
        ("ePCN.xlsx", b"PCN Code,PCN Name\n"),  # a CSV renamed
        # calamine would read an .ods or .xls; the import takes what it always took, .xlsx.
        ("ePCN.ods", (FIXTURES / "epcn-2024-10.xlsx").read_bytes()),
        ("ePCN.xls", (FIXTURES / "epcn-2024-10.xlsx").read_bytes()),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused_in_one_line(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileNotRecognised) as refused:
        parse_epcn(path)
    assert str(refused.value) == not_a_workbook(path)


def bad_practice_code(pcn_rows, partner_rows):
    partner_rows[0][0] = "X"


def postcode_too_long(pcn_rows, partner_rows):
    pcn_rows[0][11] = "NE24 1DX" * 3  # the parser takes it; the register refuses it


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spoil, refusal", [(bad_practice_code, ImportFailed), (postcode_too_long, ValidationError)]
)
def test_the_garbage_collector_is_back_on_after_an_import_that_fails(tmp_path, spoil, refusal):
    # The import holds Python's cycle collector off while it reads and writes (for speed).
    path = small_copy(tmp_path, {"U25545"}, spoil)
    assert gc.isenabled()
    with pytest.raises(refusal):
        services.epcn_import(path=path)
    assert gc.isenabled()
    assert not Practice.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_each_new_row_has_its_row_and_one_history_row_naming_the_file():
    outcome = services.epcn_import(path=FIXTURES / "epcn-2024-10.xlsx")
    for model, created in (
        (Commissioner, "commissioners_created"),
        (PCN, "pcns_created"),
        (Practice, "practices_created"),
        (Membership, "memberships_created"),
    ):
        assert model.objects.count() == outcome.counts[created]
        history = model.history.filter(history_type="+")
        assert history.count() == outcome.counts[created]
        assert set(history.values_list("history_change_reason", flat=True)) == {
            "ePCN import of epcn-2024-10.xlsx"
        }
    # The rows hold what the file says (a multi-line address, dates, codes), as their history.
    pcn = PCN.objects.get(code="U24977")
    assert pcn.address.count("\n") >= 2 and pcn.history.get().address == pcn.address
    fields = ("practice__code", "pcn__code", "start_date", "end_date")
    assert set(Membership.history.values_list(*fields)) == set(
        Membership.objects.values_list(*fields)
    )
    assert Membership.objects.get(practice__code="A87017", end_date=None).start_date == (
        dt.date(2024, 6, 1)
    )
    # The sequences moved past the ids COPY used: the next row the admin adds is not refused.
    Practice.objects.create(code="Z99999", name="A NEW PRACTICE")
