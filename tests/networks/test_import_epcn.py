"""The ePCN import, against the real October 2024 file (tests/fixtures/epcn-2024-10.xlsx).

The file is imported once for the module (about 4 s on SQLite) inside a transaction that is
rolled back when the module ends; each test runs in a savepoint within it, so tests can change
the register freely without seeing each other's changes.
"""

import datetime as dt
import functools
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from networks import services
from networks.importers import FileNotRecognised, ImportFailed
from networks.models import PCN, Commissioner, ImportRecord, Membership, Practice

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EPCN_2024 = FIXTURES / "epcn-2024-10.xlsx"
PCN_SHEET, PARTNER_SHEET = "PCNDetails", "PCN Core Partner Details"


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        outcome = services.epcn_import(path=EPCN_2024)
        yield outcome
        transaction.set_rollback(True)


def register_snapshot():
    return (
        Commissioner.objects.count(),
        PCN.objects.count(),
        Practice.objects.count(),
        set(
            Membership.objects.values_list("practice__code", "pcn__code", "start_date", "end_date")
        ),
        set(PCN.objects.values_list("code", "name", "close_date")),
    )


@functools.cache
def real_sheets():
    """Header and rows of both sheets of the real file, to cut small copies from."""
    workbook = openpyxl.load_workbook(EPCN_2024, read_only=True)
    sheets = {}
    for title in (PCN_SHEET, PARTNER_SHEET):
        rows = [list(r) for r in workbook[title].iter_rows(values_only=True)]
        sheets[title] = rows
    workbook.close()
    return sheets


def small_copy(tmp_path, pcn_codes, change=None, name="ePCN.xlsx"):
    """A copy of the real file holding only some PCNs and their partner rows.

    `change(pcn_rows, partner_rows)` may edit the rows (lists of cell values) before saving.
    """
    sheets = real_sheets()
    pcn_header, *pcn_rows = sheets[PCN_SHEET]
    partner_header, *partner_rows = sheets[PARTNER_SHEET]
    pcn_rows = [list(r) for r in pcn_rows if r[0] in pcn_codes]
    partner_rows = [list(r) for r in partner_rows if r[4] in pcn_codes]
    if change:
        change(pcn_rows, partner_rows)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in (
        (PCN_SHEET, pcn_header, pcn_rows),
        (PARTNER_SHEET, partner_header, partner_rows),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


@pytest.mark.django_db
def test_october_2024_file_loads_every_pcn_practice_and_membership(imported):
    assert PCN.objects.count() == 1366
    assert PCN.objects.filter(close_date__isnull=False).count() == 81
    assert Membership.objects.count() == 7705
    assert Membership.objects.filter(end_date__isnull=False).count() == 1481
    assert Practice.objects.count() == 6813
    assert imported.counts["pcns_created"] == 1366
    assert imported.counts["memberships_created"] == 7705
    record = imported.record
    assert record.kind == ImportRecord.Kind.EPCN
    assert record.file_name == "epcn-2024-10.xlsx"
    assert len(record.sha256) == 64
    assert record.counts == imported.counts


@pytest.mark.django_db
def test_a_pcn_belongs_to_its_lead_sub_icb_and_a_practice_to_its_parent(imported):
    # Woodlands Park (parent 99C) is in Cramlington Seaton Valley PCN, led by 00L.
    practice = Practice.objects.get(code="A87017")
    assert practice.name == "WOODLANDS PARK HEALTH CTR"
    assert practice.commissioner.code == "99C"
    current = Membership.objects.current().get(practice=practice)
    assert current.pcn.code == "U24977"
    assert current.pcn.commissioner.code == "00L"
    assert current.pcn.commissioner.name == "NHS NORTH EAST AND NORTH CUMBRIA ICB - 00L"
    assert current.start_date == dt.date(2024, 6, 1)


@pytest.mark.django_db
def test_a_closed_pcn_keeps_its_dates_and_members_history(imported):
    # Milltown Alliance was re-coded: U04503 opened on 1 July 2024 and closed the next day.
    pcn = PCN.objects.get(code="U04503")
    assert (pcn.open_date, pcn.close_date) == (dt.date(2024, 7, 1), dt.date(2024, 7, 2))
    assert not pcn.is_open
    assert pcn.memberships.count() == 7
    assert not pcn.memberships.current().exists()


@pytest.mark.django_db
def test_overlapping_memberships_from_a_re_coded_pcn_are_kept_and_warned(imported):
    # F82001 left U86966 on 1 July 2022, the day it joined U11211: ODS publishes both.
    memberships = Membership.objects.filter(practice__code="F82001").order_by("start_date")
    assert [(m.pcn.code, m.start_date, m.end_date) for m in memberships] == [
        ("U86966", dt.date(2019, 10, 1), dt.date(2022, 7, 1)),
        ("U11211", dt.date(2022, 7, 1), None),
    ]
    assert Membership.objects.on(dt.date(2022, 7, 1)).filter(practice__code="F82001").count() == 2
    f82001 = [w for w in imported.warnings if "F82001" in w]
    assert len(f82001) == 1
    assert "U86966 and U11211 for 1 day from 01 July 2022" in f82001[0]
    assert any("P85004" in w and "for 2 days" in w for w in imported.warnings)


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(imported):
    before = register_snapshot()
    with CaptureQueriesContext(connection) as queries:
        outcome = services.epcn_import(path=EPCN_2024)
    assert set(outcome.counts.values()) == {0}
    assert register_snapshot() == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # The only write is the record of the import itself; reads are a handful of queries.
    assert len(writes) == 1 and "networks_importrecord" in writes[0]
    assert len(queries.captured_queries) < 15


@pytest.mark.django_db
def test_the_command_reports_counts_and_warnings(imported, tmp_path):
    path = small_copy(tmp_path, {"U04503", "U17156"})
    stdout = io.StringIO()
    call_command("import_epcn", str(path), stdout=stdout)
    assert "Warning: PCN Core Partner Details, rows" in stdout.getvalue()
    assert "Imported ePCN.xlsx: no changes, already up to date." in stdout.getvalue()
    records = ImportRecord.objects.filter(file_name="ePCN.xlsx")
    assert records.count() == 1
    assert set(records.get().counts.values()) == {0}
    assert any("P85004" in w for w in records.get().warnings)


@pytest.mark.django_db
def test_a_file_with_bad_rows_commits_nothing_and_names_each_one(imported, tmp_path):
    def spoil(pcn_rows, partner_rows):
        pcn_rows[0][1] = "RENAMED, BUT THE FILE IS BAD"  # a good change that must not land
        partner_rows[0][0] = "A8400"  # malformed practice code
        partner_rows[1][4] = "U99999"  # a PCN the PCN sheet does not list
        partner_rows[2][8] = "20230231"  # 31 February
        # A84009 is current in U25489; make a current U25545 row claim it too.
        well_up_north = next(r for r in partner_rows[3:] if r[4] == "U25545" and r[9] is None)
        well_up_north[0] = "A84009"

    path = small_copy(tmp_path, {"U25545", "U25489"}, spoil)
    before = register_snapshot()
    records = ImportRecord.objects.count()

    with pytest.raises(ImportFailed) as failure:
        services.epcn_import(path=path)
    found = {(e.sheet, e.row, e.column, e.value) for e in failure.value.errors}
    assert ("PCN Core Partner Details", 2, "Partner Organisation Code", "A8400") in found
    assert ("PCN Core Partner Details", 3, "PCN Code", "U99999") in found
    assert (
        "PCN Core Partner Details",
        4,
        "Practice to PCN Relationship Start Date",
        "20230231",
    ) in found
    assert any("A84009" in e.why and "two PCNs" in e.why for e in failure.value.errors), [
        str(e) for e in failure.value.errors
    ]
    assert len(failure.value.errors) == 4
    assert "is not a real date" in str(
        next(e for e in failure.value.errors if e.value == "20230231")
    )

    stderr = io.StringIO()
    with pytest.raises(CommandError, match="4 rows have errors; nothing was imported"):
        call_command("import_epcn", str(path), stderr=stderr)
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 4
    assert "PCN Core Partner Details, row 2, Partner Organisation Code: 'A8400'" in lines[0]
    assert register_snapshot() == before
    assert ImportRecord.objects.count() == records


@pytest.mark.django_db
def test_codes_are_stored_upper_case(imported, tmp_path):
    def lower(pcn_rows, partner_rows):
        pcn_rows[0][0] = pcn_rows[0][0].lower()
        for row in partner_rows:
            row[0], row[4] = row[0].lower(), row[4].lower()

    Membership.objects.filter(pcn__code="U04503").delete()
    path = small_copy(tmp_path, {"U04503"}, lower)
    outcome = services.epcn_import(path=path)
    assert outcome.counts["memberships_created"] == 7
    assert PCN.objects.filter(code="U04503").count() == 1
    assert not Practice.objects.filter(code__regex="[a-z]").exists()


@pytest.mark.django_db
def test_a_workbook_that_is_not_an_epcn_file_is_refused_in_one_line(imported, tmp_path):
    path = tmp_path / "workforce.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Staff"
    workbook.save(path)
    with pytest.raises(FileNotRecognised) as refused:
        services.epcn_import(path=path)
    message = str(refused.value)
    assert "\n" not in message
    assert "workforce.xlsx is not an ePCN file: it has no 'PCNDetails' sheet" in message


@pytest.mark.django_db
def test_a_sheet_missing_a_column_is_refused_by_name(imported, tmp_path):
    path = small_copy(tmp_path, {"U04503"})
    workbook = openpyxl.load_workbook(path)
    workbook[PCN_SHEET]["E1"] = "Opened"
    workbook.save(path)
    with pytest.raises(FileNotRecognised, match="'PCNDetails' sheet has no 'Open Date' column"):
        services.epcn_import(path=path)


def test_the_command_refuses_a_csv_with_one_line_and_a_failing_exit_status():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_epcn",
            "tests/fixtures/gp-reg-pat-prac-all-2021-01-extract.csv",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "CommandError: gp-reg-pat-prac-all-2021-01-extract.csv is not an Excel workbook "
        "(.xlsx): download the ePCN file from NHS England's ODS pages and import that."
    ]


@pytest.mark.django_db
def test_an_extract_cannot_put_a_practice_in_a_second_current_pcn(imported, tmp_path):
    def move_woodlands_park(pcn_rows, partner_rows):
        # A87017 is current in U24977, which this extract does not list.
        next(r for r in partner_rows if r[9] is None)[0] = "A87017"

    path = small_copy(tmp_path, {"U25545"}, move_woodlands_park)
    before = register_snapshot()
    with pytest.raises(ImportFailed) as failure:
        services.epcn_import(path=path)
    [error] = failure.value.errors
    assert error.value == "A87017"
    assert "current in U24977, which this file does not list" in error.why
    assert register_snapshot() == before
