"""Parse the national ePCN workbook (ODS, monthly) into PCN and membership rows, with no writes.

Both header families are read: the CCG era (sheet "PCN Details", integer dates) and the
Sub-ICB era (sheet "PCNDetails", text dates, headers with line breaks and trailing spaces).
Columns are found by header name, never by position. Every problem is collected as a RowError;
oddities the national source really publishes are accepted and reported as warnings.

The workbook is read with python-calamine (Rust): the whole parse takes about a third of the time
openpyxl's read-only mode needs. openpyxl is kept as `engine="openpyxl"`, the bench's reference;
both give the same result for both real files (tests/networks/test_import_epcn_readers.py). A
workbook holding error cells (#N/A) is read with openpyxl, as calamine reads those as blank.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from networks.models import COMMISSIONER_CODE, PCN_CODE, PRACTICE_CODE
from networks.validators import organisation_name_problem

from . import (
    FileNotRecognised,
    RowError,
    check_row_count,
    check_size,
    collapse,
    find_columns,
    without_cycle_collection,
)

PCN_SHEETS = ("PCNDetails", "PCN Details")
PARTNER_SHEETS = ("PCN Core Partner Details",)

PCN_COLUMNS = {
    "code": ("PCN Code",),
    "name": ("PCN Name",),
    "commissioner_code": (
        "Current Sub ICB Loc Code",
        "Current Clinical Commissioning Group Code",
        "Current CCG Code",
    ),
    "commissioner_name": (
        "Sub ICB Location",
        "Sub ICB Loc Name",
        "Current Sub ICB Loc Name",
        "Clinical Commissioning Group Name",
        "CCG Name",
    ),
    "open_date": ("Open Date", "Open Date (YYYYMMDD)"),
    "close_date": ("Close Date", "Close Date (YYYYMMDD)"),
    "address_1": ("Address Line 1",),
    "address_2": ("Address Line 2",),
    "address_3": ("Address Line 3",),
    "address_4": ("Address Line 4",),
    "address_5": ("Address Line 5",),
    "postcode": ("Postcode",),
}
PCN_OPTIONAL = frozenset({f"address_{n}" for n in range(1, 6)} | {"postcode"})

PARTNER_COLUMNS = {
    "practice_code": ("Partner Organisation Code",),
    "practice_name": ("Partner Name",),
    "practice_commissioner_code": ("Practice Parent Sub ICB Loc Code", "Practice Parent CCG Code"),
    "practice_commissioner_name": ("Practice Parent Sub ICB Loc Name", "Practice Parent CCG Name"),
    "pcn_code": ("PCN Code",),
    "pcn_commissioner_code": ("PCN Parent Sub ICB Loc Code", "PCN Parent CCG Code"),
    "pcn_commissioner_name": ("PCN Parent Sub ICB Loc Name", "PCN Parent CCG Name"),
    "start_date": ("Practice to PCN Relationship Start Date",),
    "end_date": ("Practice to PCN Relationship End Date",),
}


@dataclass
class PcnRow:
    code: str
    name: str
    commissioner_code: str
    open_date: dt.date
    close_date: dt.date | None
    address: str
    postcode: str


@dataclass
class MembershipRow:
    row: int
    practice_code: str
    pcn_code: str
    start_date: dt.date
    end_date: dt.date | None


@dataclass
class PracticeRow:
    code: str
    name: str
    commissioner_code: str


@dataclass
class EpcnFile:
    """Everything in one ePCN workbook, checked. Rows are only complete when `errors` is empty."""

    commissioners: dict[str, str] = field(default_factory=dict)  # code -> name
    pcns: list[PcnRow] = field(default_factory=list)
    practices: dict[str, PracticeRow] = field(default_factory=dict)
    memberships: list[MembershipRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# A cell as words. Kept for the file's repeated values (its 120 Sub-ICB locations, named 17,000
# times); typed, so True and 1 stay apart.
@functools.lru_cache(maxsize=1 << 16, typed=True)
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value) -> dt.date | None:
    """A YYYYMMDD date held as an integer or text (or a real Excel date); None when blank.

    Raises ValueError for anything else, including impossible dates such as 20190231.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError("is not a date written YYYYMMDD")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError("is not a real date") from None


def _code(value, validator) -> str:
    code = _text(value).upper()
    # The validator's own pattern first: calling it costs a lazy regex and message per cell,
    # and a file has some 34,000 codes. A code it refuses is refused by the validator itself.
    pattern = _PATTERNS.get(id(validator))
    if pattern is None or not pattern.search(code):
        validator(code)
    return code


# The code validators' patterns, compiled once (none of them is an inverse match).
_PATTERNS = {
    id(v): re.compile(v.regex.pattern, v.regex.flags)
    for v in (PRACTICE_CODE, PCN_CODE, COMMISSIONER_CODE)
    if not v.inverse_match
}


# A file names some 120 Sub-ICB locations 17,000 times over: each spelling is checked once.
_name_problem = functools.lru_cache(maxsize=4096)(organisation_name_problem)


# The readers parse_epcn can use. calamine (Rust) reads the national file some eight times faster
# than openpyxl; openpyxl is kept as the bench's reference, and for a file with error cells.
ENGINES = ("calamine", "openpyxl")
# What openpyxl opens, and so what the import has always taken: Excel's own zip formats.
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})


def _not_a_workbook(path: Path) -> FileNotRecognised:
    return FileNotRecognised(
        f"{path.name} is not an Excel workbook (.xlsx): download the ePCN file from "
        "NHS England's ODS pages and import that."
    )


@dataclass
class _Sheet:
    """One worksheet: its title and its rows as tuples of cell values, row 1 first."""

    title: str
    rows: Callable[[], Iterator[Sequence]]


class _Workbook:
    def __init__(self, sheetnames: list[str], sheet: Callable[[str], _Sheet], close=None):
        self.sheetnames = sheetnames
        self._sheet = sheet
        self._close = close

    def __getitem__(self, title: str) -> _Sheet:
        return self._sheet(title)

    def close(self) -> None:
        if self._close:
            self._close()


def _open_workbook(path: Path, engine: str = "calamine") -> _Workbook:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    try:
        # Before any reader inflates anything: an .xlsx may be a zip bomb.
        check_size(path, path.name)
    except FileNotFoundError:
        raise FileNotRecognised(f"{path.name}: no such file.") from None
    if path.suffix.lower() not in XLSX_SUFFIXES or not zipfile.is_zipfile(path):
        raise _not_a_workbook(path)
    if engine == "calamine" and _has_error_cells(path):
        # calamine reads an error cell (#N/A from a broken lookup) as blank, which would make
        # a bad end date a current membership; openpyxl gives it as the file has it, and the
        # row is refused, naming it.
        engine = "openpyxl"
    opener = _open_with_calamine if engine == "calamine" else _open_with_openpyxl
    return opener(path)


def _has_error_cells(path: Path) -> bool:
    """Whether any worksheet holds an error cell (`t="e"`): read through once, about 25 ms for
    the national file. Text in a sheet has its quotes escaped, so cannot look like one."""
    marker, tail = b' t="e"', b""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as sheet:
                while chunk := sheet.read(1 << 20):
                    if marker in tail + chunk:
                        return True
                    tail = chunk[-len(marker) :]
    return False


def _open_with_calamine(path: Path) -> _Workbook:
    # Imported here so that the parser module can be imported without the readers loaded.
    import python_calamine

    try:
        # Formula cells (the 2019 partner sheet's VLOOKUPs) give their cached values.
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except (python_calamine.CalamineError, OSError, ValueError):
        raise _not_a_workbook(path) from None

    def sheet(title: str) -> _Sheet:
        def rows():
            # From A1 (blank leading rows and columns kept, so row numbers are the sheet's), and
            # no further than one row past the row limit, which _read then refuses.
            limit = settings.IMPORT_MAX_ROWS + 2
            try:
                found = workbook.get_sheet_by_name(title).to_python(
                    skip_empty_area=False, nrows=limit
                )
            except python_calamine.CalamineError:
                raise _not_a_workbook(path) from None
            return iter(found)

        return _Sheet(title, rows)

    return _Workbook(names, sheet)


def _open_with_openpyxl(path: Path) -> _Workbook:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only: formula cells (the 2019 partner sheet's VLOOKUPs) give their cached values.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _not_a_workbook(path) from None

    def sheet(title: str) -> _Sheet:
        return _Sheet(title, lambda: workbook[title].iter_rows(values_only=True))

    return _Workbook(list(workbook.sheetnames), sheet, workbook.close)


def _cell(value):
    """A cell's value as openpyxl gives it: calamine reads every number as a float, so a whole
    number (20191001 in the CCG-era date columns) comes back as the int the file holds."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _sheet(workbook: _Workbook, names: tuple[str, ...], path: Path) -> _Sheet:
    wanted = {n.replace(" ", "").casefold() for n in names}
    for title in workbook.sheetnames:
        if title.replace(" ", "").casefold() in wanted:
            return workbook[title]
    found = ", ".join(f"'{t}'" for t in workbook.sheetnames)
    raise FileNotRecognised(
        f"{path.name} is not an ePCN file: it has no '{names[0]}' sheet (its sheets are "
        f"{found}). Download the ePCN .xlsx from NHS England's ODS pages."
    )


def _read(sheet, wanted, optional, path) -> tuple[dict[str, str], list[tuple[int, dict]]]:
    """The sheet's column titles (as the file spells them) and its non-blank rows by field."""
    rows = sheet.rows()
    headers = list(next(rows, None) or ())
    columns, missing = find_columns(headers, wanted, optional=optional)
    if missing:
        raise FileNotRecognised(
            f"{path.name} is not an ePCN file: its '{sheet.title}' sheet has no "
            f"{', '.join(repr(m) for m in missing)} column. Download the ePCN .xlsx from "
            "NHS England's ODS pages."
        )
    titles = {f: collapse(headers[i]) for f, i in columns.items()}
    found = []
    for number, values in enumerate(rows, start=2):
        check_row_count(number - 1, f"{path.name} ('{sheet.title}' sheet)")
        if any(v not in (None, "") for v in values):
            width = len(values)
            found.append(
                (number, {f: (_cell(values[i]) if i < width else None) for f, i in columns.items()})
            )
    if not found:
        raise FileNotRecognised(
            f"{path.name}: its '{sheet.title}' sheet has its headers but no rows. Download the "
            "ePCN .xlsx from NHS England's ODS pages."
        )
    return titles, found


def parse_epcn(path: Path | str, *, engine: str = "calamine") -> EpcnFile:
    """Read and check the whole workbook. `engine` picks the reader: calamine, or openpyxl
    (slower; the bench's reference). Both give the same rows, errors and warnings."""
    path = Path(path)
    with without_cycle_collection():
        workbook = _open_workbook(path, engine)
        try:
            pcn_sheet = _sheet(workbook, PCN_SHEETS, path)
            partner_sheet = _sheet(workbook, PARTNER_SHEETS, path)
            result = EpcnFile()
            name_variants: dict[str, set[str]] = defaultdict(set)
            _parse_pcns(result, pcn_sheet, path, name_variants)
            _parse_partners(result, partner_sheet, path, name_variants)
        finally:
            workbook.close()
        _check_memberships(result, partner_sheet.title)
    return result


def _error(result, sheet, row, column, value, why):
    result.errors.append(RowError(sheet, row, column, value, why))


def _names_usable(result, sheet, number, title, cells, *keys) -> bool:
    """Organisation names go out again in downloads: one a spreadsheet would run as a formula,
    or holding characters no real name has, is an error on its row."""
    usable = True
    for key in keys:
        problem = _name_problem(_text(cells[key]))
        if problem:
            _error(result, sheet, number, title[key], cells[key], problem)
            usable = False
    return usable


_CELL = object()  # "report the cell as the file has it"


@dataclass
class _Row:
    """One sheet row being checked: reports each problem against its column and remembers
    whether it had any, so every check runs and every problem is reported at once."""

    result: EpcnFile
    sheet: str
    number: int
    title: dict[str, str]
    cells: dict
    ok: bool = True

    def error(self, key: str, why: str, value=_CELL) -> None:
        value = self.cells[key] if value is _CELL else value
        _error(self.result, self.sheet, self.number, self.title[key], value, why)
        self.ok = False

    def code(self, key: str, validator) -> str | None:
        try:
            return _code(self.cells[key], validator)
        except ValidationError as exc:
            self.error(key, exc.messages[0])
            return None

    def dates(self, *keys: str) -> dict[str, dt.date | None]:
        dates = {}
        for key in keys:
            try:
                dates[key] = _date(self.cells[key])
            except ValueError as exc:
                self.error(key, str(exc))
        return dates

    def check_names(self, *keys: str) -> None:
        if not _names_usable(self.result, self.sheet, self.number, self.title, self.cells, *keys):
            self.ok = False


def _check_span(row: _Row, dates, start: str, end: str, *, no_start: str, ends_early: str) -> None:
    """A start is needed and an end may not come before it; checked only on an otherwise good
    row, as a bad date or code already explains it. `ends_early` takes the start date."""
    if row.ok and dates[start] is None:
        row.error(start, no_start, value=None)
    if row.ok and dates[end] and dates[end] < dates[start]:
        row.error(end, ends_early.format(dates[start]))


def _note_commissioner(result: EpcnFile, name_variants, code: str, name: str) -> None:
    # The first spelling is kept; the others are reported once the file is read.
    name_variants[code].add(name)
    result.commissioners.setdefault(code, name)


def _parse_pcns(result: EpcnFile, sheet, path: Path, name_variants) -> None:
    seen: dict[str, int] = {}
    title, rows = _read(sheet, PCN_COLUMNS, PCN_OPTIONAL, path)
    for number, cells in rows:
        row = _Row(result, sheet.title, number, title, cells)
        pcn = _check_pcn(row, seen)
        if pcn is None:
            continue
        _note_commissioner(
            result, name_variants, pcn.commissioner_code, _text(cells["commissioner_name"])
        )
        result.pcns.append(pcn)


def _check_pcn(row: _Row, seen: dict[str, int]) -> PcnRow | None:
    """The row as a PcnRow, or None when it has errors (all of them reported)."""
    code = row.code("code", PCN_CODE)
    commissioner = row.code("commissioner_code", COMMISSIONER_CODE)
    dates = row.dates("open_date", "close_date")
    name = _text(row.cells["name"])
    if not name:
        row.error("name", "a PCN needs a name")
    row.check_names("name", "commissioner_name")
    _check_span(
        row,
        dates,
        "open_date",
        "close_date",
        no_start="a PCN needs an open date",
        ends_early="the PCN closes before it opens ({:%Y%m%d})",
    )
    if code and code in seen:
        row.error("code", f"PCN {code} is listed twice (also row {seen[code]})")
    if code:
        seen.setdefault(code, row.number)
    if not row.ok:
        return None
    return PcnRow(
        code=code,
        name=name,
        commissioner_code=commissioner,
        open_date=dates["open_date"],
        close_date=dates["close_date"],
        address=_address(row, code),
        postcode=_text(row.cells.get("postcode")).upper(),
    )


def _address(row: _Row, code: str) -> str:
    lines = []
    for n in range(1, 6):
        key = f"address_{n}"
        value = row.cells.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
            # A lookup of an empty cell yields 0 (seen in the December 2019 file).
            row.result.warnings.append(
                f"{row.sheet}, row {row.number}, {row.title[key]}: 0 is not an "
                f"address line; left blank for PCN {code}."
            )
            continue
        if _text(value):
            lines.append(_text(value))
    return "\n".join(lines)


PARTNER_CODES = (
    ("practice_code", PRACTICE_CODE),
    ("pcn_code", PCN_CODE),
    ("practice_commissioner_code", COMMISSIONER_CODE),
    ("pcn_commissioner_code", COMMISSIONER_CODE),
)
# Each partner row names two commissioners: the PCN's and the practice's.
PARTNER_COMMISSIONERS = (
    ("pcn_commissioner_code", "pcn_commissioner_name"),
    ("practice_commissioner_code", "practice_commissioner_name"),
)


def _parse_partners(result: EpcnFile, sheet, path: Path, variants) -> None:
    title, rows = _read(sheet, PARTNER_COLUMNS, frozenset(), path)
    pcn_codes = {p.code for p in result.pcns}
    latest: dict[str, tuple[tuple, PracticeRow]] = {}
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        row = _Row(result, sheet.title, number, title, cells)
        checked = _check_partner(row, pcn_codes)
        if checked is None or _listed_twice(row, checked[0], seen):
            continue
        membership, practice, codes = checked
        for code_key, name_key in PARTNER_COMMISSIONERS:
            _note_commissioner(result, variants, codes[code_key], _text(cells[name_key]))
        result.memberships.append(membership)
        _keep_latest(latest, membership, practice)
    result.practices = {code: practice for code, (_, practice) in sorted(latest.items())}
    _warn_name_variants(result, variants)


def _check_partner(
    row: _Row, pcn_codes: set[str]
) -> tuple[MembershipRow, PracticeRow, dict[str, str]] | None:
    """(membership, practice, codes) for the row, or None when it has errors (all reported)."""
    codes = {}
    for key, validator in PARTNER_CODES:
        code = row.code(key, validator)
        if code is not None:
            codes[key] = code
    dates = row.dates("start_date", "end_date")
    _check_span(
        row,
        dates,
        "start_date",
        "end_date",
        no_start="needs a start date",
        ends_early="the membership ends before it starts ({:%Y%m%d})",
    )
    if "pcn_code" in codes and codes["pcn_code"] not in pcn_codes:
        row.error("pcn_code", "this PCN is not on the PCN sheet")
    practice_name = _text(row.cells["practice_name"])
    if not practice_name:
        row.error("practice_name", "a practice needs a name")
    row.check_names("practice_name", "practice_commissioner_name", "pcn_commissioner_name")
    if not row.ok:
        return None
    membership = MembershipRow(
        row=row.number,
        practice_code=codes["practice_code"],
        pcn_code=codes["pcn_code"],
        start_date=dates["start_date"],
        end_date=dates["end_date"],
    )
    practice = PracticeRow(
        codes["practice_code"], practice_name, codes["practice_commissioner_code"]
    )
    return membership, practice, codes


def _listed_twice(row: _Row, membership: MembershipRow, seen: dict[tuple, int]) -> bool:
    key = (membership.practice_code, membership.pcn_code, membership.start_date)
    if key in seen:
        row.error(
            "start_date",
            f"practice {key[0]} joins {key[1]} on this date twice (also row {seen[key]})",
        )
        return True
    seen[key] = row.number
    return False


def _keep_latest(latest, membership: MembershipRow, practice: PracticeRow) -> None:
    # A practice's name and parent come from its latest relationship (current first).
    rank = (membership.end_date is None, membership.start_date)
    if practice.code not in latest or rank > latest[practice.code][0]:
        latest[practice.code] = (rank, practice)


def _warn_name_variants(result: EpcnFile, variants) -> None:
    for code, names in sorted(variants.items()):
        names.discard("")
        if len(names) > 1:
            others = ", ".join(repr(n) for n in sorted(names - {result.commissioners[code]}))
            result.warnings.append(
                f"Sub-ICB location {code} is named more than one way in the file; used "
                f"'{result.commissioners[code]}' (also {others})."
            )


def _check_memberships(result: EpcnFile, sheet: str) -> None:
    """One current PCN per practice is an error; overlapping dated memberships are a warning.

    ODS publishes overlaps when a PCN is re-coded: the old membership ends on the day the new
    one starts (F82001, July 2022), or a one- or two-day membership of a short-lived code sits
    alongside the current one (P85004, July 2024). They are real history, so they are kept.
    """
    by_practice: dict[str, list[MembershipRow]] = defaultdict(list)
    for membership in result.memberships:
        by_practice[membership.practice_code].append(membership)
    far_future = dt.date.max
    for practice, memberships in by_practice.items():
        current = [m for m in memberships if m.end_date is None]
        for extra in current[1:]:
            _error(
                result,
                sheet,
                extra.row,
                "Practice to PCN Relationship End Date",
                None,
                f"practice {practice} would be a current member of two PCNs, "
                f"{current[0].pcn_code} (row {current[0].row}) and {extra.pcn_code}; "
                "a practice belongs to one PCN at a time",
            )
        memberships.sort(key=lambda m: (m.start_date, m.end_date or far_future))
        for i, earlier in enumerate(memberships):
            for later in memberships[i + 1 :]:
                earlier_end = earlier.end_date or far_future
                if later.start_date > earlier_end:
                    break
                if earlier.end_date is None and later.end_date is None:
                    continue
                last = min(earlier_end, later.end_date or far_future)
                days = (last - later.start_date).days + 1
                span = "1 day" if days == 1 else f"{days} days"
                result.warnings.append(
                    f"{sheet}, rows {earlier.row} and {later.row}: practice {practice} is in "
                    f"both {earlier.pcn_code} and {later.pcn_code} for {span} from "
                    f"{later.start_date:%d %B %Y} (as published by ODS, usually when a PCN is "
                    "re-coded); both memberships kept."
                )
