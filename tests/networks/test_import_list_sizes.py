"""Registered and weighted list-size imports, from extracts of the real national CSVs.

tests/fixtures holds Northumberland's rows of gp-reg-pat-prac-all (January 2021) and of NHS
Payments to General Practice 2019/20, byte for byte, plus a few rows that keep the files'
quirks (0 registered and 0 weighted patients; practices no longer in the register).
"""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from networks import services
from networks.importers import FileNotRecognised, ImportFailed
from networks.models import ImportRecord, ListSize
from tests.networks.factories import ListSizeFactory, PracticeFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REGISTERED = FIXTURES / "gp-reg-pat-prac-all-2021-01-extract.csv"
PAYMENTS = FIXTURES / "nhs-payments-to-general-practice-2019-20-extract.csv"
JAN_2021 = dt.date(2021, 1, 1)


@pytest.fixture
def register(db):
    """Northumberland's practices, less A84047, which the tests expect to be skipped."""
    with open(REGISTERED, newline="") as handle:
        codes = {row["CODE"] for row in csv.DictReader(handle) if row["CCG_CODE"] == "00L"}
    return {code: PracticeFactory(code=code) for code in sorted(codes - {"A84047"})}


def sizes(field):
    return dict(ListSize.objects.values_list("practice__code", field))


def test_registered_list_sizes_come_from_the_total_row_dated_by_extract_date(register):
    outcome = services.list_sizes_import(path=REGISTERED)
    assert outcome.counts == {"list_sizes_created": 39, "list_sizes_updated": 0}
    size = ListSize.objects.get(practice__code="A84002")
    assert (size.date, size.registered_patients, size.weighted_patients) == (JAN_2021, 5903, None)
    assert outcome.record.kind == ImportRecord.Kind.REGISTERED


def test_practices_not_in_the_register_are_skipped_and_named(register):
    outcome = services.list_sizes_import(path=REGISTERED)
    assert "A84047" not in sizes("registered_patients")
    assert "F85008" not in sizes("registered_patients")
    assert any("practice A84047 is not in the register; skipped" in w for w in outcome.warnings)
    assert len(outcome.warnings) == 2


def test_weighted_list_sizes_are_decimals_to_two_places_on_the_date_given(register):
    outcome = services.list_sizes_import(path=PAYMENTS, date=dt.date(2020, 1, 1))
    assert outcome.record.kind == ImportRecord.Kind.WEIGHTED
    weighted = sizes("weighted_patients")
    assert weighted["A84002"] == Decimal("7773.17")
    assert weighted["A84016"] == Decimal("6553.30")
    assert (
        ListSize.objects.filter(date=dt.date(2020, 1, 1)).count()
        == outcome.counts["list_sizes_created"]
    )
    assert not ListSize.objects.exclude(registered_patients=None).exists()


def test_a_payments_row_with_no_patients_at_all_is_not_recorded_as_zero(register):
    PracticeFactory(code="F85008")
    outcome = services.list_sizes_import(path=PAYMENTS, date=dt.date(2020, 1, 1))
    assert "F85008" not in sizes("weighted_patients")
    assert any(
        "practice F85008 has no registered or weighted patients" in w for w in outcome.warnings
    )


def test_the_payments_file_needs_a_date(register):
    with pytest.raises(CommandError, match="carries no date: say which date .* with --date"):
        call_command("import_list_sizes", str(PAYMENTS))
    assert not ListSize.objects.exists()
    call_command("import_list_sizes", str(PAYMENTS), "--date", "2020-01-01", stdout=io.StringIO())
    assert ListSize.objects.filter(date=dt.date(2020, 1, 1)).count() == 39


def test_each_import_keeps_the_other_figure(register):
    ListSizeFactory(
        practice=register["A84002"],
        date=JAN_2021,
        registered_patients=1,
        weighted_patients=Decimal("999.99"),
    )
    services.list_sizes_import(path=PAYMENTS, date=JAN_2021)
    services.list_sizes_import(path=REGISTERED)
    size = ListSize.objects.get(practice__code="A84002")
    assert (size.registered_patients, size.weighted_patients) == (5903, Decimal("7773.17"))
    assert ListSize.objects.filter(practice__code="A84002").count() == 1


def test_reimporting_the_same_file_changes_nothing(register):
    services.list_sizes_import(path=REGISTERED)
    again = services.list_sizes_import(path=REGISTERED)
    assert again.counts == {"list_sizes_created": 0, "list_sizes_updated": 0}


def test_codes_are_matched_and_stored_upper_case(register, tmp_path):
    path = tmp_path / "gp-reg-pat-prac-all.csv"
    path.write_text(REGISTERED.read_text().replace("A84002", "a84002"))
    services.list_sizes_import(path=path)
    assert sizes("registered_patients")["A84002"] == 5903


def test_a_file_with_bad_rows_commits_nothing_and_names_each_one(register, tmp_path):
    lines = REGISTERED.read_bytes().split(b"\r\n")
    lines[1] = lines[1].replace(b"A84002", b"A8400X")
    lines[2] = lines[2].replace(b"01JAN2021", b"31FEB2021")
    lines[3] = lines[3].rsplit(b",", 1)[0] + b",many"
    path = tmp_path / "gp-reg-pat-prac-all.csv"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ImportFailed) as failure:
        services.list_sizes_import(path=path)
    assert [(e.row, e.column, e.value) for e in failure.value.errors] == [
        (2, "CODE", "A8400X"),
        (3, "EXTRACT_DATE", "31FEB2021"),
        (4, "NUMBER_OF_PATIENTS", "many"),
    ]
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="3 rows have errors; nothing was imported"):
        call_command("import_list_sizes", str(path), stderr=stderr)
    assert "gp-reg-pat-prac-all.csv, row 4, NUMBER_OF_PATIENTS: 'many': is not a whole number" in (
        stderr.getvalue()
    )
    assert not ListSize.objects.exists()
    assert not ImportRecord.objects.exists()


def test_a_csv_of_another_kind_is_refused_in_one_line(register, tmp_path):
    path = tmp_path / "pcn-workforce.csv"
    path.write_text("UNIQUE_IDENTIFIER,PCN_CODE,STAFF_ROLE,FTE\r\n1,U12345,Pharmacist,1\r\n")
    with pytest.raises(FileNotRecognised) as refused:
        services.list_sizes_import(path=path)
    assert str(refused.value) == (
        "pcn-workforce.csv is not a list-size file (its headers are not those of either): "
        "import NHS Digital's gp-reg-pat-prac-all.csv or an NHS Payments to General Practice CSV."
    )
    with pytest.raises(FileNotRecognised, match="import it without --date"):
        services.list_sizes_import(path=REGISTERED, date=JAN_2021)
