"""Importing NHS England's NHS Payments to General Practice file: what was reported as paid to
each practice in each PCN stream, kept under the PCN the file names, all or nothing."""

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from networks.importers import FileNotRecognised, ImportFailed
from reimbursement.models import ReportedPayment, ReportedPaymentImport
from reimbursement.reconciliation import reconcile
from reimbursement.services import reported_import
from tests.networks.factories import CommissionerFactory, PCNFactory, PracticeFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# A real extract of the 2022/23 file: every row of 11 PCNs, and practices in no PCN (see
# networks/demo_data/make_extracts.py): byte for byte, BOM and CRLF kept.
EXTRACT_2022 = FIXTURES / "nhs-payments-to-general-practice-2022-23-pcns.csv"
EXTRACT_2019 = FIXTURES / "nhs-payments-to-general-practice-2019-20-extract.csv"
# The stream codes for the file's columns, written out here rather than read from the
# app, so the test checks the app's mapping too.
COLUMN_STREAMS = {
    "PCN Participation": "participation",
    "PCN Support": "core",
    "PCN Leadership": "clinical_director",
    "PCN Extended Hours Access": "extended_hours",
    "PCN Enhanced Access": "enhanced_access",
    "PCN Workforce": "arrs",
    "PCN Investment and impact Fund": "iif",
    "PCN Care Home Premium": "care_home_premium",
}
NO_PCN = "Unknown or no PCN"


def file_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_totals(path: Path, pcn_column: str = "Code") -> dict[tuple[str, str], Decimal]:
    """Each PCN's total by stream, summed from the file's own rows with the csv module."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in file_rows(path):
        if row[pcn_column] == NO_PCN:
            continue
        for column, stream in COLUMN_STREAMS.items():
            if column in row:
                totals[row[pcn_column], stream] += Decimal(row[column] or "0")
    return dict(totals)


def stored_totals(year: int) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for code, stream, amount in ReportedPayment.objects.filter(year=year).values_list(
        "pcn_code", "stream__code", "amount"
    ):
        if code:
            totals[code, stream] += amount
    return dict(totals)


def rewritten(tmp_path: Path, source: Path, edit, name: str = "payments.csv") -> Path:
    """A copy of `source` with its text changed by `edit` (bytes kept otherwise)."""
    text = source.read_bytes().decode("utf-8-sig")
    target = tmp_path / name
    target.write_bytes(b"\xef\xbb\xbf" + edit(text).encode("utf-8"))
    return target


def replace_cell(text: str, practice: str, column: str, value: str) -> str:
    """The file with one practice's cell in `column` set to `value`."""
    reader = list(csv.reader(io.StringIO(text, newline="")))
    header = reader[0]
    for row in reader[1:]:
        if row and row[header.index("Practice Code")] == practice:
            row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(reader)
    return out.getvalue()


# The Done-when test ------------------------------------------------------------------------


def test_the_2022_23_extract_gives_every_pcns_reported_totals_by_stream_to_the_penny():
    expected = expected_totals(EXTRACT_2022)
    assert len({code for code, _ in expected}) == 11  # whole PCNs, not a sample of rows

    outcome = reported_import(path=EXTRACT_2022, year=2022)

    assert stored_totals(2022) == {key: total for key, total in expected.items() if total}
    # And as the reconciliation shows them: a row per PCN and stream, with the file's total.
    shown = {
        (row.pcn_code, row.stream.code): row.reported
        for row in reconcile(year=2022).rows
        if row.stream.code in COLUMN_STREAMS.values()
    }
    assert shown == expected
    assert outcome.counts["rows"] == len(file_rows(EXTRACT_2022))


def test_a_pcn_whose_practices_are_in_two_sub_icb_locations_is_totalled_whole():
    # U23742's practices are in 06L and 07K: the PCN the file names decides, not the area.
    rows = [row for row in file_rows(EXTRACT_2022) if row["Code"] == "U23742"]
    assert {row["CCG Code"] for row in rows} == {"06L", "07K"}

    reported_import(path=EXTRACT_2022, year=2022)

    assert stored_totals(2022)["U23742", "participation"] == sum(
        Decimal(row["PCN Participation"]) for row in rows
    )


def test_recoveries_are_kept_as_negative_amounts_and_zero_amounts_are_not_stored():
    reported_import(path=EXTRACT_2022, year=2022)

    negative = ReportedPayment.objects.get(practice_code="E85744", stream__code="core")
    assert negative.amount < 0
    cells = sum(
        1
        for row in file_rows(EXTRACT_2022)
        for column in COLUMN_STREAMS
        if Decimal(row[column] or "0")
    )
    assert ReportedPayment.objects.count() == cells
    assert not ReportedPayment.objects.filter(amount=0).exists()


def test_the_2022_23_file_names_the_pcn_in_its_ccg_name_column():
    reported_import(path=EXTRACT_2022, year=2022)

    payment = ReportedPayment.objects.filter(pcn_code="U05512").first()
    assert payment.pcn_name == "WEST NORTHUMBERLAND PCN"
    assert payment.commissioner_code == "00L"


def test_practices_in_no_pcn_are_kept_under_their_area_in_no_pcns_totals():
    outcome = reported_import(path=EXTRACT_2022, year=2022)

    unplaced = ReportedPayment.objects.filter(practice_code="D81637")
    assert {p.pcn_code for p in unplaced} == {""}
    assert unplaced.get(stream__code="enhanced_access").amount == Decimal("16168.26")
    assert any("Unknown or no PCN" in w for w in outcome.warnings)


# The register --------------------------------------------------------------------------------


def test_known_practices_and_pcns_are_linked_and_an_unknown_practice_is_kept_with_a_warning():
    commissioner = CommissionerFactory(code="00L")
    pcn = PCNFactory(code="U05512", commissioner=commissioner)
    practice = PracticeFactory(code="A84033", commissioner=commissioner)

    outcome = reported_import(path=EXTRACT_2022, year=2022)

    linked = ReportedPayment.objects.filter(practice_code="A84033")
    assert linked.exists()
    assert {(p.practice_id, p.pcn_id) for p in linked} == {(practice.pk, pcn.pk)}
    # A84011 (also U05512) is not in the register: still counted in U05512's totals.
    unknown = ReportedPayment.objects.get(practice_code="A84011", stream__code="participation")
    assert unknown.practice_id is None and unknown.pcn_id == pcn.pk
    warning = next(w for w in outcome.warnings if "A84011" in w)
    assert "is not in the register" in warning and "PCN U05512" in warning
    assert warning.startswith("Row ")
    assert outcome.record.warnings == outcome.warnings  # kept with the import record
    assert outcome.counts["practices_not_in_register"] > 0


# Importing again -------------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing():
    first = reported_import(path=EXTRACT_2022, year=2022)
    stored = list(ReportedPayment.objects.order_by("pk").values_list("pk", "amount"))

    again = reported_import(path=EXTRACT_2022, year=2022)

    assert not again.changed
    assert again.record == first.record
    assert ReportedPaymentImport.objects.count() == 1
    assert list(ReportedPayment.objects.order_by("pk").values_list("pk", "amount")) == stored


def test_a_new_file_for_the_year_replaces_its_figures_and_leaves_other_years_alone(tmp_path):
    reported_import(path=EXTRACT_2019, year=2019)
    reported_import(path=EXTRACT_2022, year=2022)
    corrected = rewritten(
        tmp_path,
        EXTRACT_2022,
        lambda text: replace_cell(text, "A84033", "PCN Support", "50000.00"),
    )

    outcome = reported_import(path=corrected, year=2022)

    assert outcome.changed
    assert ReportedPayment.objects.get(
        year=2022, practice_code="A84033", stream__code="core"
    ).amount == Decimal("50000.00")
    assert ReportedPayment.objects.filter(year=2022, source=outcome.record).count() == (
        ReportedPayment.objects.filter(year=2022).count()
    )
    assert ReportedPayment.objects.filter(year=2019).exists()


# Bad input: every bad row named, nothing written ------------------------------------------------


def test_a_missing_column_is_named_and_nothing_is_written(tmp_path):
    broken = rewritten(
        tmp_path, EXTRACT_2022, lambda text: text.replace("Practice Code,", "Practice,", 1)
    )

    with pytest.raises(FileNotRecognised, match="“Practice Code”"):
        reported_import(path=broken, year=2022)

    assert not ReportedPaymentImport.objects.exists()
    assert not ReportedPayment.objects.exists()


def test_a_file_with_no_pcn_payment_column_is_refused(tmp_path):
    def drop_streams(text):
        for column in COLUMN_STREAMS:
            text = text.replace(f",{column},", ",Something else,", 1)
        return text

    with pytest.raises(FileNotRecognised, match="PCN payment column"):
        reported_import(path=rewritten(tmp_path, EXTRACT_2022, drop_streams), year=2022)
    assert not ReportedPayment.objects.exists()


def test_every_bad_practice_code_and_amount_is_named_by_row_column_and_value(tmp_path):
    def spoil(text):
        text = replace_cell(text, "A84002", "Practice Code", "A8400")
        text = replace_cell(text, "A84005", "PCN Participation", "twelve pounds")
        text = replace_cell(text, "A84006", "PCN Workforce", "12.345")
        return replace_cell(text, "A84007", "PCN Support", "£1,000")

    with pytest.raises(ImportFailed) as caught:
        reported_import(path=rewritten(tmp_path, EXTRACT_2022, spoil), year=2022)

    errors = {(e.row, e.column, e.value): e.why for e in caught.value.errors}
    assert set(errors) == {
        (2, "Practice Code", "A8400"),
        (3, "PCN Participation", "twelve pounds"),
        (4, "PCN Workforce", "12.345"),
        (5, "PCN Support", "£1,000"),
    }
    assert "one letter and five digits" in errors[2, "Practice Code", "A8400"]
    assert "not an amount of money" in errors[3, "PCN Participation", "twelve pounds"]
    assert "fractions of a penny" in errors[4, "PCN Workforce", "12.345"]
    assert "nothing was imported" in str(caught.value)
    assert not ReportedPaymentImport.objects.exists()
    assert not ReportedPayment.objects.exists()


def test_a_blank_amount_is_nothing_paid(tmp_path):
    blank = rewritten(
        tmp_path, EXTRACT_2022, lambda text: replace_cell(text, "A84002", "PCN Participation", "")
    )

    reported_import(path=blank, year=2022)

    assert not ReportedPayment.objects.filter(practice_code="A84002").exists()


def test_a_year_before_pcns_began_is_refused():
    with pytest.raises(ValidationError, match="PCNs began on 1 July 2019"):
        reported_import(path=EXTRACT_2022, year=2018)
    assert not ReportedPaymentImport.objects.exists()


# Vintages ------------------------------------------------------------------------------------


def test_header_cells_with_line_breaks_are_read_by_their_words(tmp_path):
    def break_headers(text):
        header, rest = text.split("\r\n", 1)
        header = header.replace("Practice Code", '"Practice\nCode "', 1)
        header = header.replace("PCN Participation", '"PCN\r\nParticipation"', 1)
        return header + "\r\n" + rest

    reported_import(path=rewritten(tmp_path, EXTRACT_2022, break_headers), year=2022)

    expected = expected_totals(EXTRACT_2022)
    assert stored_totals(2022) == {key: total for key, total in expected.items() if total}


def test_the_2019_20_file_reports_participation_only_under_its_pcn_code_column():
    outcome = reported_import(path=EXTRACT_2019, year=2019)

    assert set(outcome.counts["streams"]) == {"participation"}
    assert stored_totals(2019) == {
        key: total
        for key, total in expected_totals(EXTRACT_2019, pcn_column="PCN Code").items()
        if total
    }
    payment = ReportedPayment.objects.exclude(pcn_code="").first()
    assert payment.pcn_name.endswith("PCN")
    # The reconciliation says the other streams are not in that year's file.
    rows = reconcile(year=2019).rows
    core = next(row for row in rows if row.stream.code == "core")
    assert core.reported is None and "does not report" in core.note


def test_capacity_and_access_is_read_from_any_header_with_those_words(tmp_path):
    def add_columns(text):
        lines = text.split("\r\n")
        lines[0] += (
            ",Capacity and Access Support Payment,PCN Capacity and Access Improvement Payment,"
            "Total NHS Payments including Capacity and Access"
        )
        lines[1:] = [line + ",100.10,200.20,999999" if line else line for line in lines[1:]]
        return "\r\n".join(lines)

    outcome = reported_import(path=rewritten(tmp_path, EXTRACT_2022, add_columns), year=2022)

    assert "capacity_access" in outcome.counts["streams"]
    amounts = set(
        ReportedPayment.objects.filter(stream__code="capacity_access").values_list(
            "amount", flat=True
        )
    )
    assert amounts == {Decimal("300.30")}  # both payments; the total column left out


# The command ---------------------------------------------------------------------------------


def test_the_command_imports_and_prints_counts_and_warnings():
    out = io.StringIO()

    call_command("import_reported_payments", str(EXTRACT_2022), "--year", "2022", stdout=out)

    text = out.getvalue()
    assert f"{len(file_rows(EXTRACT_2022))} practices" in text
    assert "Warning: Row " in text
    assert "participation:" in text
    assert ReportedPaymentImport.objects.get().year == 2022

    again = io.StringIO()
    call_command("import_reported_payments", str(EXTRACT_2022), "--year", "2022", stdout=again)
    assert "already imported for 2022/23: no changes" in again.getvalue()


def test_the_command_lists_every_bad_row_and_fails_writing_nothing(tmp_path):
    def spoil(text):
        text = replace_cell(text, "A84002", "Practice Code", "12345")
        return replace_cell(text, "A84005", "PCN Support", "n/a")

    err = io.StringIO()
    with pytest.raises(CommandError, match="2 rows have errors; nothing was imported"):
        call_command(
            "import_reported_payments",
            str(rewritten(tmp_path, EXTRACT_2022, spoil)),
            "--year",
            "2022",
            stderr=err,
        )

    assert "row 2, Practice Code: '12345'" in err.getvalue()
    assert "row 3, PCN Support: 'n/a'" in err.getvalue()
    assert not ReportedPayment.objects.exists()


def test_the_command_refuses_a_file_that_is_not_there_or_a_bad_year(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_reported_payments", str(tmp_path / "x.csv"), "--year", "2022")
    with pytest.raises(CommandError, match="2018 is not one"):
        call_command("import_reported_payments", str(EXTRACT_2022), "--year", "2018")
