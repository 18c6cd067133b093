"""Read what NHS England reported as paid to each practice in each Network Contract DES stream,
from an NHS Payments to General Practice CSV of any vintage (pcn-funding.md). No writes: the
parser returns rows and every problem it found; reimbursement.services.reported writes.

The vintages differ. Up to 2021/22 the PCN is in `PCN Code` and `PCN Name`; in 2022/23 the PCN
code is in plain `Code` and the column headed `CCG NAME` holds the PCN's name (`CCG Code` is
still the Sub-ICB location's code). 2019/20 reports only `PCN Participation`; 2022/23 eight PCN
columns. Which column reports which stream is data (PaymentStream.reported_columns); capacity
and access payments are matched by any header containing "capacity and access", where a
vintage has one. A practice the file puts in no PCN has "Unknown or no PCN" as its PCN code.
Headers are matched with their whitespace and line breaks collapsed; the file may start with a
byte-order mark; amounts are plain decimals, a blank cell being £0.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError

from networks.importers import (
    FileNotRecognised,
    RowError,
    check_row_count,
    check_size,
    collapse,
    find_columns,
    header_key,
)
from networks.models import PCN_CODE, PRACTICE_CODE

COLUMNS = {
    "practice_code": ("Practice Code",),
    "pcn_code": ("PCN Code", "Code"),  # `Code` in 2022/23
    "pcn_name": ("PCN Name",),
    "commissioner_code": ("CCG Code",),
}
OPTIONAL = frozenset({"pcn_name", "commissioner_code"})
# 2022/23: with the PCN code in `Code`, the column headed `CCG NAME` holds the PCN's name.
PCN_NAME_BESIDE_CODE = "CCG NAME"
NO_PCN = "unknown or no pcn"
# Streams the file reports under headers that change between vintages: any header containing
# the words (totals and averages, which add the stream to others, excepted).
HEADERS_CONTAINING = {"capacity_access": "capacity and access"}
NOT_A_STREAM = ("total", "average")
# A plain decimal: an optional minus (recoveries are negative), pounds, and up to two places.
AMOUNT = re.compile(r"-?\d+(\.\d+)?")
PENNY = Decimal("0.01")
# DecimalField(max_digits=12, decimal_places=2): no practice is paid near £10 billion a year.
LARGEST = Decimal("9999999999.99")


def is_reported(code: str, reported_columns: Sequence[str]) -> bool:
    """Whether the national file reports the stream in some vintage: it has columns, or is
    matched by its words (PCN development backfill, say, is in no vintage)."""
    return bool(reported_columns) or code in HEADERS_CONTAINING


@dataclass(frozen=True)
class ReportedRow:
    """One practice's row: the PCN the file names for it, and its amount in each stream the
    file reports (zero included)."""

    row: int
    practice_code: str
    pcn_code: str  # "" when the file puts the practice in no PCN
    pcn_name: str
    commissioner_code: str
    amounts: dict[str, Decimal]


@dataclass
class ReportedFile:
    name: str
    # Stream code -> the headers (whitespace collapsed) its amounts are read from. A stream
    # this vintage does not report is absent.
    streams: dict[str, list[str]] = field(default_factory=dict)
    rows: list[ReportedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _decode(raw: bytes) -> str:
    # NHS England's CSVs are UTF-8 (2022/23 with a byte-order mark) or ASCII; older ones may be
    # Windows-1252.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _read(source, name: str) -> bytes:
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            check_size(path, name)
            return path.read_bytes()
        except FileNotFoundError:
            raise FileNotRecognised(f"{name}: no such file.") from None
    check_size(source, name)
    return source.read()


def stream_headers(
    headers: Sequence[object], stream_columns: Mapping[str, Sequence[str]]
) -> dict[str, list[int]]:
    """Which columns hold each stream's amounts in this file: its named columns, and for a
    stream in HEADERS_CONTAINING any header with those words. Streams with none are absent."""
    positions = {header_key(h): i for i, h in reversed(list(enumerate(headers)))}
    found: dict[str, list[int]] = {}
    for code, names in stream_columns.items():
        columns = [positions[header_key(n)] for n in names if header_key(n) in positions]
        words = HEADERS_CONTAINING.get(code)
        if words:
            columns += [
                i
                for i, h in enumerate(headers)
                if words in header_key(h)
                and not header_key(h).startswith(NOT_A_STREAM)
                and i not in columns
            ]
        if columns:
            found[code] = sorted(set(columns))
    return found


def parse_reported(
    source, *, stream_columns: Mapping[str, Sequence[str]], name: str | None = None
) -> ReportedFile:
    """Read the file at `source` (a path, or an open binary file such as an upload).

    `stream_columns` maps each stream's code to its columns (PaymentStream.reported_columns).
    Raises FileNotRecognised when a required column is missing (naming each one) or the file
    reports no PCN stream at all; every bad cell otherwise is in `.errors`.
    """
    name = name or Path(getattr(source, "name", None) or str(source)).name
    raw = _read(source, name)
    if raw.startswith(b"PK\x03\x04") or b"\x00" in raw[:4096]:
        raise FileNotRecognised(
            f"{name} is not a CSV file: import NHS England's NHS Payments to General Practice CSV."
        )
    reader = csv.reader(io.StringIO(_decode(raw), newline=""))
    headers = next(reader, [])
    columns, missing = find_columns(headers, COLUMNS, optional=OPTIONAL)
    missing = [f"“{m}”" for m in missing]
    streams = stream_headers(headers, stream_columns)
    if not streams:
        # Every vintage since 2019/20 has at least the participation payment.
        missing.append("any PCN payment column (such as “PCN Participation”)")
    if missing:
        raise FileNotRecognised(
            f"{name} is missing {', '.join(missing)}: it is not an NHS Payments to General "
            "Practice CSV, or its headers have been changed. Download the file again from NHS "
            "England and import that."
        )
    if (
        "pcn_name" not in columns
        and header_key(headers[columns["pcn_code"]]) == "code"
        and (beside := find_columns(headers, {"name": (PCN_NAME_BESIDE_CODE,)})[0])
    ):
        columns["pcn_name"] = beside["name"]
    result = ReportedFile(
        name=name,
        streams={code: [collapse(headers[i]) for i in cols] for code, cols in streams.items()},
    )
    titles = {key: collapse(headers[i]) for key, i in columns.items()}
    seen: dict[str, int] = {}
    found_rows = False
    for number, values in enumerate(reader, start=2):
        check_row_count(number - 1, name)
        if not any(v.strip() for v in values):
            continue
        found_rows = True
        cells = {key: (values[i] if i < len(values) else "") for key, i in columns.items()}
        row_errors: list[RowError] = []
        practice_code = _practice_code(name, number, titles["practice_code"], cells, row_errors)
        pcn_code = _pcn_code(name, number, titles["pcn_code"], cells["pcn_code"], row_errors)
        amounts = {
            code: _amount(name, number, headers, cols, values, row_errors)
            for code, cols in streams.items()
        }
        if practice_code and practice_code in seen:
            row_errors.append(
                RowError(
                    name,
                    number,
                    titles["practice_code"],
                    cells["practice_code"],
                    f"practice {practice_code} is listed twice (also row {seen[practice_code]})",
                )
            )
        if row_errors:
            result.errors.extend(row_errors)
            continue
        seen[practice_code] = number
        result.rows.append(
            ReportedRow(
                row=number,
                practice_code=practice_code,
                pcn_code=pcn_code,
                pcn_name=collapse(cells.get("pcn_name", "")) if pcn_code else "",
                commissioner_code=collapse(cells.get("commissioner_code", "")).upper(),
                amounts=amounts,
            )
        )
    if not found_rows:
        raise FileNotRecognised(
            f"{name} has its headers but no rows: download the file again and import that."
        )
    if "commissioner_code" not in columns:
        result.warnings.append(
            f"{name} has no “CCG Code” column: PCNs the register does not know cannot be "
            "placed in a commissioner's reconciliation."
        )
    return result


def _practice_code(name, number, title, cells, errors) -> str:
    value = cells["practice_code"]
    code = value.strip().upper()
    try:
        PRACTICE_CODE(code)
    except ValidationError as exc:
        errors.append(RowError(name, number, title, value, exc.messages[0]))
        return ""
    return code


def _pcn_code(name, number, title, value, errors) -> str:
    """The PCN's code, or "" for "Unknown or no PCN" (or a blank)."""
    text = collapse(value)
    if not text or text.casefold() == NO_PCN:
        return ""
    code = text.upper()
    try:
        PCN_CODE(code)
    except ValidationError as exc:
        errors.append(
            RowError(
                name,
                number,
                title,
                value,
                f"{exc.messages[0]} The file writes “Unknown or no PCN” for a practice in none.",
            )
        )
        return ""
    return code


def _amount(name, number, headers, columns, values, errors) -> Decimal:
    """The stream's amount on the row: the sum of its columns, each a plain decimal (blank is
    £0). A bad cell is an error and counts as nothing."""
    total = Decimal("0.00")
    for i in columns:
        value = values[i] if i < len(values) else ""
        text = value.strip()
        if not text:
            continue
        why = None
        if not AMOUNT.fullmatch(text):
            why = "is not an amount of money: write pounds and pence as a number, like 1234.56"
        else:
            amount = Decimal(text)
            if amount != amount.quantize(PENNY):
                why = "has fractions of a penny: amounts are pounds and pence, like 1234.56"
            elif abs(amount) > LARGEST:
                why = "is far more than any practice is paid: check the file's figures"
        if why:
            errors.append(RowError(name, number, collapse(headers[i]), value, why))
            continue
        total += amount
    return total.quantize(PENNY)
