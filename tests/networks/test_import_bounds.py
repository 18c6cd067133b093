"""Imports refuse files too big, too long, empty or absurd, quickly and in a sentence, and list
at most a hundred bad rows; nothing is written and no command prints a traceback."""

import datetime as dt
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from networks import services
from networks.importers import FileNotRecognised, FileTooLarge, ImportFailed
from networks.models import ListSize
from tests.networks.factories import CommissionerFactory, PracticeFactory
from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
REGISTERED_HEADER = (
    "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS"
)
PCN_HEADER = [
    "PCN Code",
    "PCN Name",
    "Current Sub ICB Loc Code",
    "Sub ICB Location",
    "Open Date",
    "Close Date",
]
PARTNER_HEADER = [
    "Partner Organisation Code",
    "Partner Name",
    "Practice Parent Sub ICB Loc Code",
    "Practice Parent Sub ICB Loc Name",
    "PCN Code",
    "PCN Parent Sub ICB Loc Code",
    "PCN Parent Sub ICB Loc Name",
    "Practice to PCN Relationship Start Date",
    "Practice to PCN Relationship End Date",
]


def registered_row(code="A84002", patients="5903"):
    return f"GP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,{code},NE65 7UW,ALL,ALL,{patients}"


def registered_csv(tmp_path, rows, name="gp-reg-pat-prac-all.csv"):
    path = tmp_path / name
    path.write_text("\r\n".join([REGISTERED_HEADER, *rows]) + "\r\n")
    return path


def workbook(tmp_path, pcn_rows=(), partner_rows=(), name="ePCN.xlsx"):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, header, rows in (
        ("PCNDetails", PCN_HEADER, pcn_rows),
        ("PCN Core Partner Details", PARTNER_HEADER, partner_rows),
    ):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    path = tmp_path / name
    book.save(path)
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """An .xlsx-shaped zip of about 315 KB whose sheet inflates to 320 MB of white space
    (deflate packs one repeated byte about 1,000 to 1). Built once: it takes about a second."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    chunk = b" " * 1024 * 1024
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(320):
                sheet.write(chunk)
    return path


def copy_of(source, target):
    target.write_bytes(source.read_bytes())
    return target


# Too big, too long, empty -----------------------------------------------------------------


def test_a_zip_bomb_workbook_is_refused_unopened_in_well_under_a_second(tmp_path, zip_bomb):
    path = copy_of(zip_bomb, tmp_path / "ePCN.xlsx")
    assert path.stat().st_size < 400 * 1024
    started = time.perf_counter()
    with pytest.raises(FileTooLarge) as refused:
        services.epcn_import(path=path)
    assert time.perf_counter() - started < 0.5
    assert "ePCN.xlsx is" in str(refused.value)
    assert "MB (unzipped); an import takes at most 50 MB" in str(refused.value)


def test_a_csv_larger_than_the_limit_is_refused_unread(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024
    path = registered_csv(tmp_path, [registered_row()] * 50)
    with pytest.raises(FileTooLarge, match="an import takes at most"):
        services.list_sizes_import(path=path)


def test_a_list_size_file_with_too_many_rows_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 10
    path = registered_csv(tmp_path, [registered_row(f"A{n:05d}") for n in range(11)])
    with pytest.raises(FileTooLarge, match="has more than 10 rows"):
        services.list_sizes_import(path=path)


def test_an_epcn_sheet_with_too_many_rows_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 10
    pcns = [(f"U{n:05d}", f"PCN {n}", "00L", "NHS North", "20190701", "") for n in range(11)]
    path = workbook(tmp_path, pcns, [])
    with pytest.raises(FileTooLarge, match=r"\('PCNDetails' sheet\) has more than 10 rows"):
        services.epcn_import(path=path)


@pytest.mark.parametrize("name", ["ePCN.xlsx", "gp-reg-pat-prac-all.csv"])
def test_an_empty_file_is_refused_as_empty(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    importer = services.epcn_import if name.endswith(".xlsx") else services.list_sizes_import
    with pytest.raises(FileNotRecognised, match=f"{name} is empty"):
        importer(path=path)


def test_a_list_size_file_with_only_its_headers_is_refused(tmp_path):
    path = registered_csv(tmp_path, [])
    with pytest.raises(FileNotRecognised, match="has its headers but no rows"):
        services.list_sizes_import(path=path)


def test_an_epcn_file_with_only_its_headers_is_refused(tmp_path):
    with pytest.raises(FileNotRecognised, match="'PCNDetails' sheet has its headers but no rows"):
        services.epcn_import(path=workbook(tmp_path))


# Absurd figures and many bad rows -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "patients, why",
    [
        ("2147483648", "is more than 1,000,000 patients, far more than any practice has"),
        ("1000001", "is more than 1,000,000 patients, far more than any practice has"),
        ("²", "is not a whole number"),  # a digit to str.isdigit(), not to int()
    ],
)
def test_an_impossible_list_size_is_an_error_on_its_row(tmp_path, patients, why):
    PracticeFactory(code="A84002")
    path = registered_csv(tmp_path, [registered_row("A84002", patients)])
    with pytest.raises(ImportFailed) as failure:
        services.list_sizes_import(path=path)
    [error] = failure.value.errors
    assert (error.row, error.column, error.value) == (2, "NUMBER_OF_PATIENTS", patients)
    assert error.why.startswith(why)
    assert not ListSize.objects.exists()


@pytest.mark.django_db
def test_a_weighted_list_size_past_a_million_is_an_error(tmp_path):
    header = (
        "Practice Code,Number of Registered Patients (Last Known Figure),"
        "Number of Weighted Patients (Last Known Figure)"
    )
    path = tmp_path / "payments.csv"
    path.write_text(f"{header}\nA84002,5000,1e999\n")
    PracticeFactory(code="A84002")
    with pytest.raises(ImportFailed) as failure:
        services.list_sizes_import(path=path, date=dt.date(2020, 1, 1))
    assert "more than 1,000,000 patients" in failure.value.errors[0].why


def test_the_command_reports_an_impossible_list_size_without_a_traceback(tmp_path):
    path = registered_csv(tmp_path, [registered_row("A84002", "2147483648")])
    result = subprocess.run(
        [sys.executable, "manage.py", "import_list_sizes", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "row 2, NUMBER_OF_PATIENTS: '2147483648': is more than 1,000,000" in result.stderr
    assert "CommandError:" in result.stderr


@pytest.mark.django_db
def test_the_command_lists_the_first_hundred_bad_rows_then_counts_the_rest(tmp_path):
    path = registered_csv(tmp_path, [registered_row(f"A{n:05d}", "lots") for n in range(250)])
    err = io.StringIO()
    with pytest.raises(CommandError, match="250 rows have errors; nothing was imported"):
        call_command("import_list_sizes", str(path), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 101
    assert lines[99].startswith("gp-reg-pat-prac-all.csv, row 101,")
    assert lines[-1] == "... and 150 more errors."


@pytest.mark.django_db
def test_a_value_the_register_refuses_is_a_command_error_not_a_traceback(tmp_path):
    header = [*PCN_HEADER, "Postcode"]
    book = openpyxl.Workbook()
    book.remove(book.active)
    pcns = book.create_sheet("PCNDetails")
    pcns.append(header)
    pcns.append(["U12345", "Blyth PCN", "00L", "NHS North", "20190701", "", "NE24 1DX" * 3])
    partners = book.create_sheet("PCN Core Partner Details")
    partners.append(PARTNER_HEADER)
    partners.append(
        ["A84002", "The Surgery", "00L", "NHS North", "U12345", "00L", "NHS North", "20190701"]
    )
    path = tmp_path / "ePCN.xlsx"
    book.save(path)
    with pytest.raises(CommandError, match="Nothing was imported: the register refused a value"):
        call_command("import_epcn", str(path))


# The admin ------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_the_admin_national_upload_reports_an_impossible_list_size(client, superuser, tmp_path):
    PracticeFactory(code="A84002")
    path = registered_csv(tmp_path, [registered_row("A84002", "2147483648")])
    client.force_login(superuser)
    response = client.post(
        "/admin/networks/importrecord/upload/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes(), "text/csv")},
    )
    assert response.status_code == 200
    assert "is more than 1,000,000 patients" in response.content.decode()
    assert not ListSize.objects.exists()


def test_the_admin_national_upload_refuses_a_zip_bomb(client, superuser, tmp_path, zip_bomb):
    path = copy_of(zip_bomb, tmp_path / "ePCN.xlsx")
    client.force_login(superuser)
    response = client.post(
        "/admin/networks/importrecord/upload/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert "an import takes at most 50 MB" in response.content.decode()


@pytest.fixture
def staff(db):
    return CommissionerStaffFactory(commissioner=CommissionerFactory(code="00L"), is_staff=True)


def admin_import(client, model, name, content, format_index):
    return client.post(
        f"/admin/networks/{model}/import/",
        {
            "resource": "0",
            "format": str(format_index),
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def format_index(client, model, extension):
    """The position of a format in the admin's import form (its order is the library's)."""
    form = client.get(f"/admin/networks/{model}/import/").context["form"]
    labels = [label for _, label in form.fields["format"].choices]
    return next(i for i, label in enumerate(labels) if label == extension) - 1


def test_the_admin_import_refuses_a_zip_bomb_before_reading_it(client, staff, tmp_path, zip_bomb):
    client.force_login(staff)
    path = copy_of(zip_bomb, tmp_path / "pcns.xlsx")
    response = admin_import(
        client, "pcn", path.name, path.read_bytes(), format_index(client, "pcn", "xlsx")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert "an import takes at most 50 MB" in errors[0]


def test_the_admin_import_refuses_a_file_with_too_many_rows(client, staff, settings):
    settings.IMPORT_MAX_ROWS = 5
    client.force_login(staff)
    rows = "".join(f"A{n:05d},2021-01-01,100,\n" for n in range(6))
    content = f"practice,date,registered_patients,weighted_patients\n{rows}".encode()
    response = admin_import(
        client, "listsize", "sizes.csv", content, format_index(client, "listsize", "csv")
    )
    result = response.context["result"]
    assert "has more than 5 rows" in str(result.base_errors[0].error)
    assert result.base_errors[0].traceback == ""
    assert result.totals["new"] == 0 and not result.invalid_rows


def test_the_admin_import_refuses_an_impossible_list_size_on_its_row(client, staff):
    PracticeFactory(code="A84002", commissioner=staff.commissioner)
    client.force_login(staff)
    content = (
        b"practice,date,registered_patients,weighted_patients\n"
        b"A84002,2021-01-01,3000000000,\nA84002,2021-02-01,,inf\n"
    )
    response = admin_import(
        client, "listsize", "sizes.csv", content, format_index(client, "listsize", "csv")
    )
    first, second = response.context["result"].invalid_rows
    assert "between 0 and 1,000,000 patients" in str(first.error_dict["registered_patients"])
    assert "weighted_patients" in second.error_dict
    assert not ListSize.objects.exists()


def test_the_admin_import_lists_a_hundred_bad_rows_then_how_many_more(client, staff):
    PracticeFactory(code="A84002", commissioner=staff.commissioner)
    client.force_login(staff)
    rows = "".join(f"A84002,2021-01-{n % 28 + 1:02d},{n}000000000,\n" for n in range(1, 131))
    content = f"practice,date,registered_patients,weighted_patients\n{rows}".encode()
    response = admin_import(
        client, "listsize", "sizes.csv", content, format_index(client, "listsize", "csv")
    )
    invalid = response.context["result"].invalid_rows
    assert len(invalid) == 101
    assert "and 30 more rows with errors" in invalid[-1].non_field_specific_errors[0]
    assert "and 30 more rows with errors" in response.content.decode()


def test_the_admin_import_lists_a_hundred_unknown_practices_then_how_many(client, staff):
    client.force_login(staff)
    rows = "".join(f"Z{n:05d},2021-01-01,100,\n" for n in range(130))  # no such practices
    content = f"practice,date,registered_patients,weighted_patients\n{rows}".encode()
    response = admin_import(
        client, "listsize", "sizes.csv", content, format_index(client, "listsize", "csv")
    )
    result = response.context["result"]
    assert len(result.row_errors()) == 100
    assert str(result.base_errors[0].error) == (
        "130 rows have errors; the first 100 are listed. Correct them and import again."
    )
    assert "No practice has the code Z00099" in response.content.decode()
    assert "No practice has the code Z00100" not in response.content.decode()
