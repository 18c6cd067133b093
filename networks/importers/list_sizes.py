"""Parse practice list-size CSVs (no writes): registered totals or weighted (Carr-Hill) figures.

Two national files, told apart by their headers:
- "Patients Registered at a GP Practice" (gp-reg-pat-prac-all.csv): the total is the row with
  SEX=ALL and AGE=ALL; EXTRACT_DATE (e.g. 01JAN2021) gives the date.
- "NHS Payments to General Practice" (one CSV a financial year): `Number of Weighted Patients
  (Last Known Figure)` per practice. It carries no date, so the caller must give one. Its PCN
  code column is `PCN Code` up to 2021/22 and plain `Code` in 2022/23 (where the column headed
  `CCG NAME` holds the PCN's name); a practice in no PCN has "Unknown or no PCN" there. The
  PCN code is kept on each row, so the import can say where the file and the register disagree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError

from networks.models import PCN_CODE, PRACTICE_CODE, ImportRecord

from . import (
    FileNotRecognised,
    RowError,
    check_row_count,
    check_size,
    collapse,
    find_columns,
)

REGISTERED_COLUMNS = {
    "extract_date": ("EXTRACT_DATE",),
    "code": ("CODE",),
    "sex": ("SEX",),
    "age": ("AGE",),
    "patients": ("NUMBER_OF_PATIENTS",),
}
WEIGHTED_COLUMNS = {
    "code": ("Practice Code",),
    "registered": ("Number of Registered Patients (Last Known Figure)",),
    "weighted": ("Number of Weighted Patients (Last Known Figure)",),
    "pcn_code": ("PCN Code", "Code"),  # `Code` in 2022/23
}
# Files without a PCN code column are still read (the weighted figures are what is imported).
WEIGHTED_OPTIONAL = frozenset({"pcn_code"})
CENTS = Decimal("0.01")
# No practice in England has near a million patients (the largest have about 100,000): a
# bigger figure is a broken file, and would not fit the database's integer column.
MAX_PATIENTS = 1_000_000


@dataclass
class ListSizeRow:
    row: int
    practice_code: str
    date: dt.date
    value: int | Decimal
    pcn_code: str = ""  # the PCN the payments file puts the practice in; "" when none


@dataclass
class ListSizeFile:
    kind: str  # an ImportRecord.Kind
    field_name: str  # the ListSize field this file sets
    rows: list[ListSizeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _decode(raw: bytes) -> str:
    # NHS Digital CSVs are ASCII or UTF-8 (sometimes with a BOM); older ones are Windows-1252.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def parse_list_sizes(path: Path | str, *, date: dt.date | None = None) -> ListSizeFile:
    path = Path(path)
    try:
        check_size(path, path.name)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotRecognised(f"{path.name}: no such file.") from None
    if raw.startswith(b"PK\x03\x04") or b"\x00" in raw[:4096]:
        raise FileNotRecognised(_unrecognised(path, "it is not a CSV file"))
    reader = csv.reader(io.StringIO(_decode(raw), newline=""))
    headers = next(reader, [])
    registered, missing_registered = find_columns(headers, REGISTERED_COLUMNS)
    weighted, missing_weighted = find_columns(headers, WEIGHTED_COLUMNS, optional=WEIGHTED_OPTIONAL)
    if not missing_registered:
        if date is not None:
            # The file dates itself; a second date could only disagree with it.
            raise FileNotRecognised(
                f"{path.name} is a registered-patients file, which gives its own date "
                "(EXTRACT_DATE): import it without --date."
            )
        return _parse_registered(path, headers, registered, reader)
    if not missing_weighted:
        if date is None:
            raise FileNotRecognised(
                f"{path.name} is an NHS Payments to General Practice file, which carries no "
                "date: say which date its weighted list sizes stand for with --date YYYY-MM-DD."
            )
        return _parse_weighted(path, headers, weighted, reader, date)
    raise FileNotRecognised(_unrecognised(path, "its headers are not those of either"))


def _unrecognised(path: Path, why: str) -> str:
    return (
        f"{path.name} is not a list-size file ({why}): import NHS Digital's "
        "gp-reg-pat-prac-all.csv or an NHS Payments to General Practice CSV."
    )


def _data_rows(reader, path: Path):
    """(row number, cells) of each data row, refusing a file too long, or with no rows."""
    found = False
    for number, values in enumerate(reader, start=2):
        check_row_count(number - 1, path.name)
        found = found or any(v.strip() for v in values)
        yield number, values
    if not found:
        raise FileNotRecognised(
            f"{path.name} has its headers but no rows: download the file again and import that."
        )


def _code(result, sheet, number, title, value) -> str | None:
    code = (value or "").strip().upper()
    try:
        PRACTICE_CODE(code)
    except ValidationError as exc:
        result.errors.append(RowError(sheet, number, title, value, exc.messages[0]))
        return None
    return code


def _too_many() -> str:
    return (
        f"is more than {MAX_PATIENTS:,} patients, far more than any practice has: "
        "check the file's figures"
    )


def _parse_registered(path, headers, columns, reader) -> ListSizeFile:
    result = ListSizeFile(kind=ImportRecord.Kind.REGISTERED, field_name="registered_patients")
    title = {f: collapse(headers[i]) for f, i in columns.items()}
    sheet = path.name
    seen: dict[tuple, int] = {}
    for number, values in _data_rows(reader, path):
        if not any(v.strip() for v in values):
            continue
        cells = {f: (values[i] if i < len(values) else "") for f, i in columns.items()}
        # Other files in the series break the list down by sex and age; only totals are kept.
        if cells["sex"].strip().upper() != "ALL" or cells["age"].strip().upper() != "ALL":
            continue
        code = _code(result, sheet, number, title["code"], cells["code"])
        try:
            extract_date = dt.datetime.strptime(cells["extract_date"].strip(), "%d%b%Y").date()
        except ValueError:
            result.errors.append(
                RowError(
                    sheet,
                    number,
                    title["extract_date"],
                    cells["extract_date"],
                    "is not a date like 01JAN2021",
                )
            )
            extract_date = None
        text = cells["patients"].strip()
        # isascii(): isdigit() alone lets through digits such as "²" that int() refuses.
        patients = int(text) if text.isascii() and text.isdigit() else None
        if patients is None:
            result.errors.append(
                RowError(
                    sheet, number, title["patients"], cells["patients"], "is not a whole number"
                )
            )
        elif patients > MAX_PATIENTS:
            result.errors.append(
                RowError(sheet, number, title["patients"], cells["patients"], _too_many())
            )
            patients = None
        if code is None or extract_date is None or patients is None:
            continue
        if (code, extract_date) in seen:
            result.errors.append(
                RowError(
                    sheet,
                    number,
                    title["code"],
                    cells["code"],
                    f"practice {code} has two totals for this date (also row "
                    f"{seen[code, extract_date]})",
                )
            )
            continue
        seen[code, extract_date] = number
        result.rows.append(ListSizeRow(number, code, extract_date, patients))
    if not result.rows and not result.errors:
        result.warnings.append(f"{sheet} has no total (SEX=ALL, AGE=ALL) rows.")
    return result


def _parse_weighted(path, headers, columns, reader, date: dt.date) -> ListSizeFile:
    result = ListSizeFile(kind=ImportRecord.Kind.WEIGHTED, field_name="weighted_patients")
    title = {f: collapse(headers[i]) for f, i in columns.items()}
    sheet = path.name
    seen: dict[str, int] = {}
    for number, values in _data_rows(reader, path):
        if not any(v.strip() for v in values):
            continue
        cells = {f: (values[i] if i < len(values) else "") for f, i in columns.items()}
        code = _code(result, sheet, number, title["code"], cells["code"])
        figures = {}
        for key in ("registered", "weighted"):
            try:
                figures[key] = Decimal(cells[key].strip().replace(",", ""))
            except InvalidOperation:
                figures[key] = None
            if figures[key] is None or not figures[key].is_finite() or figures[key] < 0:
                if key == "weighted":
                    result.errors.append(
                        RowError(
                            sheet, number, title[key], cells[key], "is not a number of 0 or more"
                        )
                    )
                figures[key] = None
            elif key == "weighted" and figures[key] > MAX_PATIENTS:
                result.errors.append(RowError(sheet, number, title[key], cells[key], _too_many()))
                figures[key] = None
        weighted = figures["weighted"]
        if code is None or weighted is None:
            continue
        if code in seen:
            result.errors.append(
                RowError(
                    sheet,
                    number,
                    title["code"],
                    cells["code"],
                    f"practice {code} is listed twice (also row {seen[code]})",
                )
            )
            continue
        seen[code] = number
        if weighted == 0 and not figures["registered"]:
            # The payments file gives 0 and 0 for a practice with no list that year (closed or
            # merged); recording 0 would wrongly empty its PCN's weighted population.
            result.warnings.append(
                f"Row {number}: practice {code} has no registered or weighted patients in the "
                "file; no weighted list size recorded."
            )
            continue
        result.rows.append(
            ListSizeRow(
                number,
                code,
                date,
                weighted.quantize(CENTS, rounding=ROUND_HALF_UP),
                _pcn_code(cells.get("pcn_code")),
            )
        )
    return result


def _pcn_code(value: str | None) -> str:
    """The file's PCN code for the practice, or "" for "Unknown or no PCN" or a blank."""
    code = (value or "").strip().upper()
    try:
        PCN_CODE(code)
    except ValidationError:
        return ""
    return code
