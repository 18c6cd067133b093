"""A payment batch's files and remittances: the rows of the finance payment file (one per
payee), the line detail (one per claim line) and a PCN's remittance, and the CSV and XLSX
files made from them.

Until the batch is final its files say DRAFT three ways, so finance cannot pay a draft by
mistake: in the file name, in a status column on every row and, in XLSX, in a banner above the
header. Each row names the batch's month beside the claim month(s) it pays: a batch pays one
month's claims, and lines of earlier months approved since join it, marked late.

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
from openpyxl.styles import Font, PatternFill
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
# What a draft's files say, in the status column and (XLSX) the banner above the header.
DRAFT_STATUS = "DRAFT: not for payment"
DRAFT_BANNER = (
    "DRAFT: not for payment. This batch is not final: lines and amounts may still change. "
    "Pay only the file downloaded after the batch is finalised."
)


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
    Column("Batch status", width=22),
    Column("Batch month", width=10),
    Column("Claim months", width=24),
    Column("PCN code", width=10),
    Column("PCN name", width=40),
    Column("Payee practice code", width=12),
    Column("Payee name", width=40),
    Column("Amount (£)", MONEY, width=14),
)

LINE_DETAIL_COLUMNS = (
    Column("Batch reference", width=16),
    Column("Batch status", width=22),
    Column("PCN code", width=10),
    Column("Batch month", width=10),
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
    Column("Maximum used", width=60),
)


def money_text(value: Decimal) -> str:
    """£1,234.56 on a page, or −£120.00 for an adjustment that takes money back."""
    return f"−£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


def is_draft(batch: Batch) -> bool:
    return batch.status == Batch.Status.DRAFT


def status_text(batch: Batch) -> str:
    """The batch's status as its files give it: a draft's says it is not for payment."""
    return DRAFT_STATUS if is_draft(batch) else batch.get_status_display()


def month_text(month) -> str:
    return f"{month:%Y-%m}"


def claim_months_by_pcn(batch: Batch) -> dict[int, list]:
    """The claim months each PCN's lines in the batch are for, earliest first (one query)."""
    months: dict[int, list] = {}
    rows = (
        BatchLine.objects.filter(batch=batch)
        .values_list("pcn_id", "claim_month")
        .distinct()
        .order_by("pcn_id", "claim_month")
    )
    for pcn_id, month in rows:
        months.setdefault(pcn_id, []).append(month)
    return months


def payees_of(batch: Batch) -> QuerySet[BatchPayee]:
    return batch.payees.select_related("pcn", "payee_practice").order_by("pcn__code")


def payment_file_rows(batch: Batch) -> list[tuple]:
    """One row per payee: what finance pays and to whom, and for which claim months."""
    status = status_text(batch)
    months = claim_months_by_pcn(batch)
    return [
        (
            batch.reference,
            status,
            month_text(batch.month),
            ", ".join(month_text(month) for month in months.get(payee.pcn_id, [])),
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
    return lines.select_related(
        "pcn", "line__claim", "line__post__role", "line__rate_used"
    ).order_by(
        "pcn__code", "claim_month", "line__post__role__name", "line__post__person_name", "pk"
    )


def maximum_used(rate) -> str:
    """The maximum that priced a line and its provenance, as the claim pages show it:
    "Maximum £69,410 a year from 1 April 2025 - derived by a pay award"."""
    return f"{rate.summary} - {rate.provenance_text}" if rate is not None else ""


def line_detail_rows(batch: Batch) -> list[tuple]:
    """One row per claim line. An adjustment pays only its difference from the line it
    corrects, so the amount paid can differ from the line's reimbursable amount."""
    rows = []
    status = status_text(batch)
    for batch_line in batch_lines(batch):
        line = batch_line.line
        approved_at = line.approved_at
        rows.append(
            (
                batch.reference,
                status,
                batch_line.pcn.code,
                month_text(batch.month),
                month_text(batch_line.claim_month),
                CLAIM_KINDS.get(line.claim.kind, line.claim.kind),
                line.post.role.name,
                line.post.person_name,
                line.wte,
                line.days_in_post,
                line.reimbursable,
                batch_line.amount,
                "Yes" if batch_line.late else "No",
                timezone.localtime(approved_at).date() if approved_at else None,
                maximum_used(line.rate_used),
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


def as_xlsx(columns, rows, *, title: str, banner: str = "") -> bytes:
    """A sheet with a bold header row; a `banner` (a draft's warning) goes in a row above it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A3" if banner else "A2"
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    bold = Font(bold=True)
    if banner:
        cell = WriteOnlyCell(sheet, value=banner)
        cell.data_type = "s"
        cell.font = Font(bold=True, size=14, color="D5281B")  # NHS red
        cell.fill = PatternFill("solid", fgColor="FFEB3B")  # NHS warm yellow
        sheet.append([cell])
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
    draft = is_draft(batch)
    if fmt == "csv":
        content = as_csv(columns, rows)
    elif fmt == "xlsx":
        content = as_xlsx(columns, rows, title=title, banner=DRAFT_BANNER if draft else "")
    else:
        raise ValueError(f"Unknown export format {fmt!r}: use csv or xlsx.")
    return ExportFile(content, file_name(batch, name, fmt), CONTENT_TYPES[fmt])


def file_name(batch: Batch, name: str, fmt: str) -> str:
    """00L-2025-06-payment-file.csv; a draft's starts DRAFT-, so it stands out in a folder."""
    prefix = "DRAFT-" if is_draft(batch) else ""
    return f"{prefix}{batch.reference}-{name}.{fmt}"


def payment_file(batch: Batch, *, fmt: str) -> ExportFile:
    """The finance payment file, e.g. 00L-2025-06-payment-file.csv (a draft's:
    DRAFT-00L-2025-06-payment-file.csv)."""
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
