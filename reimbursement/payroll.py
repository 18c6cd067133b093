"""A month's payroll file (CSV or XLSX, one row a person) read, checked and matched to the staff
in post, and the template the practice fills in. Reads and checks only: it writes nothing, and
the services (reimbursement/services/payroll.py) decide what is stored and which lines change.

Columns are read by header name (any of the names in COLUMNS, whitespace collapsed, case
ignored) in any order; other columns (a role, a payroll number) are ignored. Every problem is
collected, row by row, before anything is decided (CONVENTIONS.md, "Imports").

The file's cells are kept as text (`read_payroll`), so what was uploaded can be shown again for
correction; `check_rows` turns them into figures for a claim's month, and `match_rows` pairs
each row with a member of staff in post.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from networks.importers import FileNotRecognised, FileTooLarge, check_size, collapse, find_columns
from pcn_admin.spreadsheets import defused

# Header names each field may have in a payroll extract; the first is what the template uses.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Name", "Staff name", "Employee name", "Full name", "Person"),
    "registration_number": (
        "Registration number",
        "Professional registration number",
        "Registration no",
        "Reg number",
        "Reg no",
        "GMC/NMC/HCPC/GPhC number",
    ),
    "month": ("Month", "Pay month", "Payroll month", "Pay period", "Period"),
    "salary": ("Salary", "Gross salary", "Gross pay", "Basic pay"),
    "employer_ni": ("Employer NI", "Employers NI", "Employer's NI", "ER NI", "Employer NIC"),
    "employer_pension": (
        "Employer pension",
        "Employers pension",
        "Employer's pension",
        "ER pension",
        "Employer superannuation",
    ),
    "subcontract_fee": ("Sub-contract fee", "Subcontract fee", "Fee", "Provider fee"),
}
# A person is named or numbered; a fee is for sub-contracted link workers only.
OPTIONAL = frozenset({"name", "registration_number", "subcontract_fee"})
TEMPLATE_HEADERS = (
    "Name",
    "Registration number",
    "Role",
    "Month",
    "Salary",
    "Employer NI",
    "Employer pension",
    "Sub-contract fee",
)
MONEY_FIELDS = ("salary", "employer_ni", "employer_pension", "subcontract_fee")
LABELS = {field: aliases[0] for field, aliases in COLUMNS.items()}
# A PCN employs tens of ARRS staff; a practice payroll a few hundred people at most.
MAX_ROWS = 1_000
MAX_BYTES = 5 * 1024 * 1024
PENNY = Decimal("0.01")
ZERO = Decimal("0")
# As the claim form (reimbursement.forms.MAX_MONTHLY_COST): no one's month comes near it.
MAX_MONTHLY_COST = Decimal("1000000")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEAVE_OUT = "skip"  # a row the practice chose to leave out (not an ARRS post)


def _unrecognised(name: str, why: str) -> FileNotRecognised:
    return FileNotRecognised(
        f"{name} is not a payroll file PCN Admin can read ({why}). Download the template from "
        "this page, copy each person's figures into it, and upload that."
    )


# Reading ------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    """A cell as the text a person would read in it. Spreadsheet numbers are floats: a figure
    made by a formula (1234.5 * 0.138) is kept to the penny when it is a penny amount give or
    take float noise, and otherwise shown in full so the check can say it is not."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        if abs(round(value, 2) - value) < 1e-6:
            return f"{value:.2f}"
        return repr(value)
    return collapse(value)


def _decode(raw: bytes) -> str:
    # Spreadsheets save CSV as UTF-8 (often with a byte order mark) or Windows-1252.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _csv_rows(raw: bytes, name: str):
    if raw.startswith(b"PK\x03\x04") or b"\x00" in raw[:4096]:
        raise _unrecognised(name, "it is not a CSV file: save it as CSV or as .xlsx")
    text = _decode(raw)
    # Comma-separated, as spreadsheets save CSV in the UK; a semicolon or tab file is read
    # when its heading row has no comma at all.
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(file, name: str):
    # Imported here, as networks/importers/epcn.py does: openpyxl is only needed for .xlsx.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _unrecognised(name, "it is not an Excel workbook") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return rows


def file_format(name: str) -> str:
    """ "csv" or "xlsx", from the file's name; anything else is refused."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ("csv", "xlsx"):
        raise FileNotRecognised(
            f"{name} is not a CSV or .xlsx file. Save the payroll as CSV or as an Excel "
            "workbook (.xlsx) and upload that."
        )
    return suffix


def read_payroll(file, name: str) -> list[dict]:
    """The file's rows as text by field: [{"row": 2, "name": "Priya Shah", ...}], blank rows
    left out. Raises FileNotRecognised for a file that is not a payroll (no such columns, not a
    spreadsheet, too big). `file` is an open binary file (an upload) with `.size`."""
    kind = file_format(name)
    if file.size > MAX_BYTES:
        raise FileTooLarge(
            f"{name} is {file.size / 1024 / 1024:,.1f} MB; a payroll file is at most "
            f"{MAX_BYTES // 1024 // 1024} MB. Check it is the month's payroll, one row a person."
        )
    check_size(file, name)  # and an .xlsx no larger unzipped than an import takes
    if kind == "xlsx":
        table = _xlsx_rows(file, name)
    else:
        table = _csv_rows(file.read(), name)
    if not table:
        raise _unrecognised(name, "it is empty")
    headers = [_cell_text(h) for h in table[0]]
    columns, missing = find_columns(headers, COLUMNS, optional=OPTIONAL)
    if "name" not in columns and "registration_number" not in columns:
        missing.insert(0, "Name")
    if missing:
        found = ", ".join(f"“{h}”" for h in headers if h) or "none"
        raise _unrecognised(
            name,
            f"it has no {' or '.join(f'“{m}”' for m in missing)} column; its columns are {found}",
        )
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if number - 1 > MAX_ROWS:
            raise _unrecognised(name, f"it has more than {MAX_ROWS:,} rows")
        cells = {f: _cell_text(values[i]) if i < len(values) else "" for f, i in columns.items()}
        if any(cells.values()):
            rows.append({"row": number, **{f: cells.get(f, "") for f in COLUMNS}})
    if not rows:
        raise _unrecognised(name, "it has its column headings but no rows")
    return rows


# Checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: its row (None for the whole file), column and value."""

    row: int | None
    column: str
    value: str
    why: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        column = f", {self.column}" if self.column else ""
        shown = f" “{self.value}”" if self.value else ""
        return f"{where}{column}:{shown} {self.why}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "why": self.why}

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(data.get("row"), data.get("column", ""), data.get("value", ""), data["why"])


@dataclass
class PayrollRow:
    row: int
    name: str
    registration_number: str
    month: dt.date
    salary: Decimal
    employer_ni: Decimal
    employer_pension: Decimal
    subcontract_fee: Decimal

    @property
    def who(self) -> str:
        """The row's person as the file names them."""
        if self.name and self.registration_number:
            return f"{self.name} ({self.registration_number})"
        return self.name or self.registration_number

    @property
    def costs(self) -> dict[str, Decimal]:
        return {field: getattr(self, field) for field in MONEY_FIELDS}


def money(text: str, *, required: bool = True) -> Decimal:
    """Pounds and pence as a payroll shows them ("£3,500.00"); ValueError says what is wrong."""
    value = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    if not value:
        if not required:
            return ZERO
        raise ValueError("is blank: enter the amount paid for the month, or 0 if none was.")
    negative = value.startswith("(") and value.endswith(")")
    try:
        amount = Decimal(value.strip("()"))
    except InvalidOperation:
        raise ValueError(
            "is not an amount: enter pounds and pence as a number, for example 3500.00."
        ) from None
    if not amount.is_finite():
        raise ValueError("is not an amount: enter pounds and pence, for example 3500.00.")
    if negative or amount < 0:
        raise ValueError(
            "is negative: enter what was paid for the month; claim a correction as an adjustment."
        )
    if amount >= MAX_MONTHLY_COST:
        raise ValueError("is more than £1,000,000 for one month: check the amount.")
    if amount != amount.quantize(PENNY):
        raise ValueError("has more than 2 decimal places: round it to the penny.")
    return amount.quantize(PENNY)


MONTH_FORMATS = (
    "%Y-%m",
    "%Y-%m-%d",
    "%m/%Y",
    "%d/%m/%Y",
    "%B %Y",
    "%b %Y",
    "%b-%y",
    "%b-%Y",
    "%B-%y",
    "%B-%Y",
    "%m-%Y",
    "%Y%m",
)


def month_of(text: str) -> dt.date:
    """The month a cell names, as a payroll or a spreadsheet writes it: 2025-09, 09/2025,
    September 2025, Sep-25 (how Excel saves a month), or any date in the month."""
    value = collapse(text)
    if not value:
        raise ValueError("is blank: enter the month the pay is for, for example 2025-09.")
    for pattern in MONTH_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date().replace(day=1)
        except ValueError:
            continue
    raise ValueError("is not a month: write it as year and month, for example 2025-09.")


def _check_row(raw: dict, month: dt.date) -> tuple[PayrollRow | None, list[Problem]]:
    number = raw["row"]
    found: list[Problem] = []

    def problem(key: str, why: str, value: str | None = None) -> None:
        found.append(
            Problem(number, LABELS[key], raw.get(key, "") if value is None else value, why)
        )

    name = collapse(raw.get("name", ""))
    registration = "".join(raw.get("registration_number", "").split()).upper()
    if not name and not registration:
        problem("name", "no name or registration number: say who the row is for.", "")
    try:
        row_month = month_of(raw.get("month", ""))
    except ValueError as error:
        problem("month", str(error))
        row_month = None
    if row_month is not None and row_month != month:
        problem(
            "month",
            f"is {row_month:%B %Y}, not this claim's month ({month:%B %Y}). Upload the payroll "
            f"for {month:%B %Y}, or open the {row_month:%B %Y} claim.",
        )
    figures = {}
    for key in MONEY_FIELDS:
        try:
            figures[key] = money(raw.get(key, ""), required=key != "subcontract_fee")
        except ValueError as error:
            problem(key, str(error))
    if found:
        return None, found
    row = PayrollRow(
        row=number, name=name, registration_number=registration, month=month, **figures
    )
    return row, []


def check_rows(cells: list[dict], month: dt.date) -> tuple[list[PayrollRow], list[Problem]]:
    """The rows as figures for the claim's `month`, and every problem in them; a row with a
    problem is left out of the figures."""
    rows, problems = [], []
    for raw in cells:
        row, found = _check_row(raw, month)
        problems += found
        if row is not None:
            rows.append(row)
    return rows, problems


# Matching -----------------------------------------------------------------------------------

_TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor"}


def name_key(text: str) -> str:
    """A name as matching compares it: "SHAH, Priya", "Dr Priya Shah" and "priya  shah" are
    one name (accents, titles, punctuation and case ignored; "Surname, Forenames" turned
    round)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    if text.count(",") == 1:
        surname, forenames = text.split(",")
        text = f"{forenames} {surname}"
    text = re.sub(r"['’`]", "", text.casefold())
    words = re.sub(r"[^\w]+", " ", text).split()
    return " ".join(word for word in words if word not in _TITLES)


@dataclass(frozen=True)
class StaffMember:
    """A post in post in the claim's month, as matching sees it."""

    post_id: int
    name: str
    registration_number: str
    role: str
    claimable: bool = True
    not_claimable_why: str = ""
    line_id: int | None = None  # the post's line on the claim, when it has one
    line_locked: bool = False  # approved: its costs cannot change

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


@dataclass
class RowMatch:
    row: PayrollRow
    staff: StaffMember | None = None
    how: str = ""  # "registration number", "name", "your choice"
    left_out: bool = False
    note: str = ""  # why it was not matched, or why it is left out
    problem: str = ""  # what stops the upload being confirmed

    @property
    def choice(self) -> str:
        """The preview's select: the post matched, LEAVE_OUT, or "" (not matched)."""
        if self.left_out:
            return LEAVE_OUT
        return str(self.staff.post_id) if self.staff else ""


@dataclass
class Matching:
    matches: list[RowMatch]
    without_row: list[StaffMember] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [m.problem for m in self.matches if m.problem]

    @property
    def to_fill(self) -> list[RowMatch]:
        return [m for m in self.matches if m.staff and not m.left_out and not m.problem]


def _auto_match(row: PayrollRow, staff: list[StaffMember]) -> RowMatch:
    match = RowMatch(row=row)
    if row.registration_number:
        numbered = [s for s in staff if s.registration_number == row.registration_number]
        if len(numbered) > 1 and row.name:
            numbered = [s for s in numbered if name_key(s.name) == name_key(row.name)] or numbered
        if len(numbered) == 1:
            match.staff, match.how = numbered[0], "registration number"
            return match
        if len(numbered) > 1:
            match.note = (
                f"{len(numbered)} posts have registration number {row.registration_number}: "
                "choose which one this row is."
            )
            return match
    named = [s for s in staff if row.name and name_key(s.name) == name_key(row.name)]
    if row.registration_number:
        # A number no one in post has: a name alone is not enough to be sure.
        if named:
            names = ", ".join(
                f"{s.label}, registration number {s.registration_number or 'not recorded'}"
                for s in named
            )
            match.note = (
                f"No one in post has registration number {row.registration_number}. The name "
                f"matches {names}: choose them if it is the same person."
            )
        else:
            match.note = (
                f"No one in post has registration number {row.registration_number} or this name."
            )
        return match
    if len(named) == 1:
        match.staff, match.how = named[0], "name"
    elif len(named) > 1:
        match.note = f"{len(named)} people in post are called {row.name}: choose which one."
    else:
        match.note = "No one in post this month has this name."
    return match


def match_rows(
    rows: list[PayrollRow], staff: list[StaffMember], choices: dict[int, str] | None = None
) -> Matching:
    """Each row paired with a member of staff: by registration number, else by name (exactly
    one person), unless `choices` (row number -> post id, LEAVE_OUT or "") says otherwise. A row
    for someone who cannot be claimed (baseline staff) or whose line is approved is left out
    with a note. What stops confirming is on each match's `problem`, naming the row."""
    choices = choices or {}
    by_post = {s.post_id: s for s in staff}
    matches = []
    for row in rows:
        match = _auto_match(row, staff)
        chosen = choices.get(row.row, "")
        if chosen == LEAVE_OUT:
            match.staff, match.left_out, match.how = None, True, "your choice"
            match.note = "Left out: not claimed on this claim."
        elif chosen:
            picked = by_post.get(int(chosen)) if str(chosen).isdigit() else None
            if picked is None or not picked.claimable:
                match.staff, match.how = None, ""
                match.note = "The person chosen is not in post for this claim's month."
            elif match.staff is None or picked.post_id != match.staff.post_id:
                match.staff, match.how, match.note = picked, "your choice", ""
        if match.staff and not match.left_out:
            if not match.staff.claimable:
                match.left_out = True
                match.note = f"Left out: {match.staff.label} {match.staff.not_claimable_why}"
            elif match.staff.line_locked:
                match.left_out = True
                match.note = f"Left out: {match.staff.label}'s line is approved and cannot change."
        matches.append(match)
    _mark_problems(matches)
    filled = {m.staff.post_id for m in matches if m.staff and not m.left_out}
    without = [s for s in staff if s.claimable and not s.line_locked and s.post_id not in filled]
    return Matching(matches=matches, without_row=without)


def _mark_problems(matches: list[RowMatch]) -> None:
    by_post: dict[int, list[RowMatch]] = {}
    for match in matches:
        if match.staff and not match.left_out:
            by_post.setdefault(match.staff.post_id, []).append(match)
        elif not match.left_out:
            match.problem = (
                f"Row {match.row.row} ({match.row.who}): {match.note or 'not matched.'} Choose "
                "who it is, or leave the row out."
            )
    for same in by_post.values():
        if len(same) > 1:
            rows = ", ".join(str(m.row.row) for m in same[:-1]) + f" and {same[-1].row.row}"
            for match in same:
                match.problem = (
                    f"Rows {rows} are all {same[0].staff.label}: each person once. Choose who "
                    "each row is, or leave one out."
                )


# The template -------------------------------------------------------------------------------


def template_rows(staff: list[StaffMember], month: dt.date) -> list[list[str]]:
    """One row a person in post (names defused: a name is typed by people), costs blank."""
    month_text = f"{month:%Y-%m}"
    return [
        [defused(s.name), defused(s.registration_number), s.role, month_text, "", "", "", ""]
        for s in staff
        if s.claimable
    ]


def template_csv(staff: list[StaffMember], month: dt.date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerows(template_rows(staff, month))
    return out.getvalue().encode("utf-8-sig")  # the mark makes Excel read it as UTF-8


def template_xlsx(staff: list[StaffMember], month: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Payroll"
    sheet.append(list(TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in template_rows(staff, month):
        sheet.append(row)
    for index, width in enumerate((30, 22, 34, 10, 12, 12, 16, 16), start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    # Text cells: the month stays "2025-09" and registration numbers keep leading zeros.
    for column in ("B", "D"):
        for cell in sheet[column]:
            cell.number_format = "@"
    for column in ("E", "F", "G", "H"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
