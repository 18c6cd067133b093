"""The 2022/23 NHS Payments to General Practice file: its weighted lists import, its PCN code
column (`Code` in this vintage, `PCN Code` before) is read, and the demo loads it.

tests/fixtures holds Northumberland's (00L) rows of the national file byte for byte (UTF-8 with
a BOM, CRLF), with its quirks: "Unknown or no PCN" in `Code` (A84035, A84614), a practice with
0 registered and 0 weighted patients (A84015), and A87017, which the file puts in U95193.
"""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from networks import demo, services
from networks.importers.list_sizes import parse_list_sizes
from networks.models import ImportRecord, ListSize
from tests.networks.factories import MembershipFactory, PCNFactory, PracticeFactory

pytestmark = pytest.mark.django_db

PAYMENTS_2022 = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / ("nhs-payments-to-general-practice-2022-23-extract.csv")
)
JAN_2023 = dt.date(2023, 1, 1)


def _file_rows() -> list[dict]:
    with open(PAYMENTS_2022, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def register():
    """Each practice of the extract in the PCN the file's `Code` column gives it, except
    A87017, which the register has in another PCN on 1 January 2023."""
    pcns = {}
    for row in _file_rows():
        code = row["Practice Code"]
        practice = PracticeFactory(code=code)
        pcn_code = "U24977" if code == "A87017" else row["Code"]
        if pcn_code.startswith("U") and pcn_code[1:].isdigit():
            pcn = pcns.get(pcn_code) or pcns.setdefault(pcn_code, PCNFactory(code=pcn_code))
            MembershipFactory(practice=practice, pcn=pcn, start_date=dt.date(2019, 7, 1))
    return pcns


def test_the_extract_keeps_the_2022_23_layout():
    header = PAYMENTS_2022.read_bytes().split(b"\r\n", 1)[0]
    assert header.startswith(b"\xef\xbb\xbf")  # the BOM
    columns = header.decode("utf-8-sig").split(",")
    assert "Code" in columns and "PCN Code" not in columns
    assert {r["Code"] for r in _file_rows()} >= {"U09980", "Unknown or no PCN"}


def test_the_parser_reads_each_practices_pcn_from_the_code_column():
    parsed = parse_list_sizes(PAYMENTS_2022, date=JAN_2023)
    assert not parsed.errors
    by_practice = {row.practice_code: row for row in parsed.rows}
    assert by_practice["A84002"].pcn_code == "U09980"
    assert by_practice["A87017"].pcn_code == "U95193"
    # "Unknown or no PCN" is no PCN, not an error.
    assert by_practice["A84035"].pcn_code == ""


def test_the_2022_23_weighted_lists_import_on_the_date_given(register):
    outcome = services.list_sizes_import(path=PAYMENTS_2022, date=JAN_2023)

    assert outcome.record.kind == ImportRecord.Kind.WEIGHTED
    weighted = dict(
        ListSize.objects.filter(date=JAN_2023).values_list("practice__code", "weighted_patients")
    )
    assert weighted["A84002"] == Decimal("8075.61")
    assert weighted["A84005"] == Decimal("13423.48")
    # 40 rows; A84015 has 0 registered and 0 weighted patients, so no figure is recorded.
    assert outcome.counts == {"list_sizes_created": 39, "list_sizes_updated": 0}
    assert "A84015" not in weighted
    assert any(
        "practice A84015 has no registered or weighted patients" in w for w in outcome.warnings
    )


def test_a_practice_the_file_puts_in_another_pcn_is_named(register):
    outcome = services.list_sizes_import(path=PAYMENTS_2022, date=JAN_2023)

    disagreements = [w for w in outcome.warnings if "the file puts practice" in w]
    assert len(disagreements) == 1
    assert "practice A87017 in PCN U95193" in disagreements[0]
    assert "on 1 January 2023 the register has it in PCN U24977" in disagreements[0]
    # The figure is still imported: the register decides whose population it counts in.
    assert ListSize.objects.filter(practice__code="A87017", date=JAN_2023).exists()


def test_reimporting_the_2022_23_file_changes_nothing(register):
    services.list_sizes_import(path=PAYMENTS_2022, date=JAN_2023)
    outcome = services.list_sizes_import(path=PAYMENTS_2022, date=JAN_2023)
    assert outcome.counts == {"list_sizes_created": 0, "list_sizes_updated": 0}


def test_the_demo_loads_the_2022_23_lists_once():
    out = io.StringIO()
    demo.seed_register(stdout=out)

    jan_2023 = ListSize.objects.filter(date=JAN_2023, weighted_patients__isnull=False)
    assert jan_2023.count() == 37  # 38 rows of the demo's practices, less one with no patients
    assert "Imported weighted list sizes of 1 January 2023" in out.getvalue()
    assert ListSize.objects.filter(date=dt.date(2020, 1, 1)).exists()  # 2019/20's kept

    records, sizes = ImportRecord.objects.count(), ListSize.objects.count()
    demo.seed_register(stdout=io.StringIO())
    assert (ImportRecord.objects.count(), ListSize.objects.count()) == (records, sizes)
