"""Rebuild the demo extracts (and the importer tests' list-size fixtures) from the national files.

Run from the project root: `.venv/bin/python networks/demo_data/make_extracts.py`. It reads
../shared/data/ (see networks/demo_data/README.md) and keeps each file's own format: the ePCN
extract keeps the Oct 2024 sheet names, header cells (line breaks and trailing spaces
included), text dates and '' blanks; the CSV extracts keep the header line, encoding, line
endings and number formats byte for byte, because they are whole lines copied from the source.
"""

import csv
import shutil
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "fixtures"

EPCN_2019 = SHARED / "epcn-2019-12" / "ePCN.xlsx"
EPCN_2024 = SHARED / "epcn-2024-10" / "ePCN.xlsx"
REGISTERED = SHARED / "list-sizes" / "gp-reg-pat-prac-all-2021-01.csv"
PAYMENTS = SHARED / "list-sizes" / "nhs-payments-to-general-practice-2019-20.csv"
# 2022/23: the PCN code column is `Code`, the file starts with a BOM (kept: lines are copied).
PAYMENTS_2022 = SHARED / "list-sizes" / "nhs-payments-to-general-practice-2022-23.csv"
# In the Oct 2024 register but not 00L's in 2022/23: the file puts it in another PCN (U95193).
MOVED_PRACTICE = "A87017"

COMMISSIONER = "00L"  # NHS North East and North Cumbria ICB - 00L (Northumberland)
PCN_SHEET, PARTNER_SHEET = "PCNDetails", "PCN Core Partner Details"


def _collapse(text) -> str:
    return " ".join(str(text).split())


def _sheet_rows(workbook, title):
    rows = list(workbook[title].iter_rows(values_only=True))
    return rows[0], rows[1:]


def epcn_extract(target: Path) -> set[str]:
    """Write the 00L PCNs and all their partner rows (history too); return their practices."""
    source = openpyxl.load_workbook(EPCN_2024, read_only=True, data_only=True)
    pcn_header, pcn_rows = _sheet_rows(source, PCN_SHEET)
    partner_header, partner_rows = _sheet_rows(source, PARTNER_SHEET)
    source.close()
    pcn_column = [_collapse(h) for h in pcn_header].index("Current Sub ICB Loc Code")
    kept_pcns = [row for row in pcn_rows if row[pcn_column] == COMMISSIONER]
    codes = {row[0] for row in kept_pcns}
    partner_pcn = [_collapse(h) for h in partner_header].index("PCN Code")
    kept_partners = [row for row in partner_rows if row[partner_pcn] in codes]

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in (
        (PCN_SHEET, pcn_header, kept_pcns),
        (PARTNER_SHEET, partner_header, kept_partners),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    workbook.save(target)
    print(f"{target.relative_to(ROOT)}: {len(kept_pcns)} PCNs, {len(kept_partners)} partner rows")
    practice_column = [_collapse(h) for h in partner_header].index("Partner Organisation Code")
    return {row[practice_column] for row in kept_partners}


def csv_extract(source: Path, target: Path, keep) -> None:
    """Copy the header line and each line whose row satisfies keep(row), byte for byte."""
    raw = source.read_bytes()
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(newline)
    trailing = lines[-1] == b""
    if trailing:
        lines = lines[:-1]
    header = next(csv.reader([lines[0].decode("cp1252")]))
    kept = [lines[0]]
    for line in lines[1:]:
        row = dict(zip(header, next(csv.reader([line.decode("cp1252")])), strict=False))
        if keep(row):
            kept.append(line)
    target.write_bytes(newline.join(kept) + (newline if trailing else b""))
    print(f"{target.relative_to(ROOT)}: {len(kept) - 1} rows")


def main() -> int:
    sources = (EPCN_2019, EPCN_2024, REGISTERED, PAYMENTS, PAYMENTS_2022)
    missing = [p for p in sources if not p.exists()]
    if missing:
        print(f"The national files are not in {SHARED}: missing {', '.join(map(str, missing))}")
        return 1
    practices = epcn_extract(HERE / "epcn-2024-10-00L.xlsx")
    csv_extract(
        REGISTERED,
        HERE / "gp-reg-pat-prac-all-2021-01-00L.csv",
        lambda row: row["CODE"] in practices,
    )
    csv_extract(
        PAYMENTS,
        HERE / "nhs-payments-to-general-practice-2019-20-00L.csv",
        lambda row: row["Practice Code"] in practices,
    )
    payments_2022_extracts(practices)

    # Importer test fixtures: both ePCN files whole; list-size extracts that keep the quirks.
    FIXTURES.mkdir(exist_ok=True)
    shutil.copyfile(EPCN_2019, FIXTURES / "epcn-2019-12.xlsx")
    shutil.copyfile(EPCN_2024, FIXTURES / "epcn-2024-10.xlsx")
    print("tests/fixtures/epcn-2019-12.xlsx, epcn-2024-10.xlsx: copied whole")
    source = openpyxl.load_workbook(EPCN_2024, read_only=True, data_only=True)
    header, rows = _sheet_rows(source, PARTNER_SHEET)
    source.close()
    in_register = {row[0] for row in rows}
    extras = {"E85700", "F85008", "Y02914"}  # 0 registered and 0 weighted in 2019/20
    extras |= {"G84021", "G85050"}  # closed; not in the 2024 register
    csv_extract(
        REGISTERED,
        FIXTURES / "gp-reg-pat-prac-all-2021-01-extract.csv",
        lambda row: row["CCG_CODE"] == COMMISSIONER or row["CODE"] in extras,
    )
    csv_extract(
        PAYMENTS,
        FIXTURES / "nhs-payments-to-general-practice-2019-20-extract.csv",
        lambda row: row["CCG Code"] == COMMISSIONER or row["Practice Code"] in extras,
    )
    not_in_register = sorted(extras - in_register)
    print(f"fixture practices not in the Oct 2024 register: {', '.join(not_in_register)}")
    return 0


def payments_2022_extracts(practices: set[str]) -> None:
    """The 2022/23 payments file: the demo's practices, and for the importer tests 00L's rows
    (two "Unknown or no PCN", one with 0 registered and 0 weighted patients) plus a practice
    the file puts in a PCN the register does not."""
    csv_extract(
        PAYMENTS_2022,
        HERE / "nhs-payments-to-general-practice-2022-23-00L.csv",
        lambda row: row["Practice Code"] in practices,
    )
    FIXTURES.mkdir(exist_ok=True)
    csv_extract(
        PAYMENTS_2022,
        FIXTURES / "nhs-payments-to-general-practice-2022-23-extract.csv",
        lambda row: row["CCG Code"] == COMMISSIONER or row["Practice Code"] == MOVED_PRACTICE,
    )
    reported_payments_extract()


# The reported-payments tests (tests/reimbursement/test_reported_payments.py) need every row of
# each PCN they total: 00L's PCNs; U23742, whose practices are in two Sub-ICB locations (06L,
# 07K); U56341, with negative amounts (recoveries) in three streams; U76753, paid enhanced
# access; U95193 (A87017's PCN in 2022/23); and practices the file puts in no PCN, two of them
# still paid PCN streams (B81030; D81637, enhanced access too).
REPORTED_PCNS = {"U23742", "U56341", "U76753", "U95193"}
REPORTED_NO_PCN = {"B81030", "D81637"}


def reported_payments_extract() -> None:
    csv_extract(
        PAYMENTS_2022,
        FIXTURES / "nhs-payments-to-general-practice-2022-23-pcns.csv",
        lambda row: row["CCG Code"] == COMMISSIONER
        or row["Code"] in REPORTED_PCNS
        or row["Practice Code"] in REPORTED_NO_PCN,
    )


if __name__ == "__main__":
    sys.exit(main())
