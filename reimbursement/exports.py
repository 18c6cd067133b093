"""A payment batch's files and remittances: the rows of the finance payment file (one per
payee), the line detail (one per claim line) and a PCN's remittance, and the CSV and XLSX
files made from them.

Amounts go out as numbers (plain `1234.56` in CSV, numeric cells with a two-decimal format in
XLSX, never text), so a spreadsheet sums the column, and the sum is the batch's total to the
penny. Each file costs a fixed number of queries whatever the number of lines.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pcn_admin.spreadsheets import defused

from .models import Batch, BatchLine, BatchPayee, Claim

TEXT, MONEY, DECIMAL, INTEGER, DATE = "text", "money", "decimal", "integer", "date"
XLSX_FORMATS = {MONEY: "#,##0.00", DECIMAL: "0.0000", INTEGER: "0", DATE: "DD/MM/YYYY"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
CLAIM_KINDS = {Claim.Kind.NORMAL: "Monthly", Claim.Kind.ADJUSTMENT: "Adjustment"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 14


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


PAYMENT_FILE_COLUMNS = (
    Column("Batch reference", width=16),
    Column("PCN code", width=10),
    Column("PCN name", width=40),
    Column("Payee practice code", width=12),
    Column("Payee name", width=40),
    Column("Amount (£)", MONEY, width=14),
)

LINE_DETAIL_COLUMNS = (
    Column("Batch reference", width=16),
    Column("PCN code", width=10),
    Column("Claim month", width=10),
    Column("Claim kind", width=12),
    Column("Role", width=30),
    Column("Staff member", width=28),
    Column("WTE", DECIMAL, width=8),
    Column("Days in post", INTEGER, width=8),
    Column("Line reimbursable (£)", MONEY),
    Column("Amount paid in this batch (£)", MONEY),
    Column("Late", width=6),
    Column("Approved on", DATE, width=12),
)


def money_text(value: Decimal) -> str:
    """£1,234.56 on a page, or −£120.00 for an adjustment that takes money back."""
    return f"−£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


def payees_of(batch: Batch) -> QuerySet[BatchPayee]:
    return batch.payees.select_related("pcn", "payee_practice").order_by("pcn__code")


def payment_file_rows(batch: Batch) -> list[tuple]:
    """One row per payee: what finance pays and to whom."""
    return [
        (
            batch.reference,
            payee.pcn.code,
            payee.pcn.name,
            payee.payee_practice.code if payee.payee_practice_id else "",
            payee.payee_name,
            payee.amount,
        )
        for payee in payees_of(batch)
    ]


def batch_lines(batch: Batch, *, pcn_id: int | None = None) -> QuerySet[BatchLine]:
    lines = BatchLine.objects.filter(batch=batch)
    if pcn_id is not None:
        lines = lines.filter(pcn_id=pcn_id)
    return lines.select_related("pcn", "line__claim", "line__post__role").order_by(
        "pcn__code", "claim_month", "line__post__role__name", "line__post__person_name", "pk"
    )


def line_detail_rows(batch: Batch) -> list[tuple]:
    """One row per claim line. An adjustment pays only its difference from the line it
    corrects, so the amount paid can differ from the line's reimbursable amount."""
    rows = []
    for batch_line in batch_lines(batch):
        line = batch_line.line
        approved_at = line.approved_at
        rows.append(
            (
                batch.reference,
                batch_line.pcn.code,
                f"{batch_line.claim_month:%Y-%m}",
                CLAIM_KINDS.get(line.claim.kind, line.claim.kind),
                line.post.role.name,
                line.post.person_name,
                line.wte,
                line.days_in_post,
                line.reimbursable,
                batch_line.amount,
                "Yes" if batch_line.late else "No",
                timezone.localtime(approved_at).date() if approved_at else None,
            )
        )
    return rows


def _csv_value(column: Column, value) -> str:
    if value is None:
        return ""
    if column.kind == MONEY:
        return f"{value:.2f}"
    if column.kind == DECIMAL:
        return format(Decimal(value).normalize(), "f")
    if column.kind == DATE:
        return value.isoformat()
    text = str(value)
    # Only text columns: a negative amount stays a number the spreadsheet can sum.
    return defused(text) if column.kind == TEXT else text


def as_csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    for row in rows:
        writer.writerow(
            [_csv_value(column, value) for column, value in zip(columns, row, strict=True)]
        )
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents, the £).
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, column: Column, value):
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind == TEXT:
        cell.data_type = "s"  # a name starting with "=" stays text, never a formula
    elif column.kind in XLSX_FORMATS:
        cell.number_format = XLSX_FORMATS[column.kind]
    return cell


def as_xlsx(columns, rows, *, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, column, value) for column, value in zip(columns, row, strict=True)]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _export(batch: Batch, *, name: str, title: str, columns, rows, fmt: str) -> ExportFile:
    if fmt == "csv":
        content = as_csv(columns, rows)
    elif fmt == "xlsx":
        content = as_xlsx(columns, rows, title=title)
    else:
        raise ValueError(f"Unknown export format {fmt!r}: use csv or xlsx.")
    return ExportFile(content, f"{batch.reference}-{name}.{fmt}", CONTENT_TYPES[fmt])


def payment_file(batch: Batch, *, fmt: str) -> ExportFile:
    """The finance payment file, e.g. 00L-2025-06-payment-file.csv."""
    return _export(
        batch,
        name="payment-file",
        title="Payment file",
        columns=PAYMENT_FILE_COLUMNS,
        rows=payment_file_rows(batch),
        fmt=fmt,
    )


def line_detail_file(batch: Batch, *, fmt: str) -> ExportFile:
    """Every claim line in the batch, e.g. 00L-2025-06-line-detail.xlsx."""
    return _export(
        batch,
        name="line-detail",
        title="Line detail",
        columns=LINE_DETAIL_COLUMNS,
        rows=line_detail_rows(batch),
        fmt=fmt,
    )
