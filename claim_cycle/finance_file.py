"""The finance system file: a finalised batch's payment file in the column layout the
commissioner's finance system loads (its FinanceLayout, or DEFAULT_LAYOUT when it has none).

Rows come in as dicts keyed by FinanceField values (`finance_rows` builds them from the batch,
one per practice paid, as the payment file has them), so the layout picks and orders columns
without knowing how a row was made.
Amounts go out as plain numbers (1234.56, or whole pence), never with a £ or thousands
separators, and text cells are defused against spreadsheet formulas.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from pcn_admin.spreadsheets import defused
from reimbursement.exports import ARRS, ExportFile, batch_streams, payee_rows
from reimbursement.models import Batch

from .models import FinanceField, FinanceLayout

TEXT, MONEY, PENCE, INTEGER, DATE, MONTH, MONTHS = (
    "text",
    "money",
    "pence",
    "integer",
    "date",
    "month",
    "months",
)
FIELD_KINDS = {
    FinanceField.BATCH_MONTH: MONTH,
    FinanceField.CLAIM_MONTHS: MONTHS,
    FinanceField.AMOUNT: MONEY,
    FinanceField.ARRS_AMOUNT: MONEY,
    FinanceField.AMOUNT_PENCE: PENCE,
    FinanceField.LINE_COUNT: INTEGER,
    FinanceField.LATE_LINE_COUNT: INTEGER,
    FinanceField.FINALISED_ON: DATE,
    FinanceField.PAID_ON: DATE,
}
DELIMITERS = {
    FinanceLayout.Delimiter.COMMA: ",",
    FinanceLayout.Delimiter.TAB: "\t",
    FinanceLayout.Delimiter.SEMICOLON: ";",
    FinanceLayout.Delimiter.PIPE: "|",
}
FILE_TYPES = {  # extension, content type
    FinanceLayout.Delimiter.COMMA: ("csv", "text/csv"),
    FinanceLayout.Delimiter.TAB: ("tsv", "text/tab-separated-values"),
    FinanceLayout.Delimiter.SEMICOLON: ("txt", "text/plain"),
    FinanceLayout.Delimiter.PIPE: ("txt", "text/plain"),
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    text: str = ""


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    date_format: str = FinanceLayout.DateFormat.DMY_SLASH
    month_format: str = FinanceLayout.MonthFormat.ISO
    delimiter: str = FinanceLayout.Delimiter.COMMA
    encoding: str = FinanceLayout.Encoding.UTF8
    include_header: bool = True
    is_default: bool = False


def _column(field: FinanceField) -> Column:
    return Column(field.value, field.label.split(" (")[0])


# What a commissioner that has set no layout gets: what finance pays, to whom, when.
DEFAULT_LAYOUT = Layout(
    columns=(
        _column(FinanceField.BATCH_REFERENCE),
        _column(FinanceField.BATCH_MONTH),
        _column(FinanceField.PCN_CODE),
        _column(FinanceField.PCN_NAME),
        _column(FinanceField.PAYEE_PRACTICE_CODE),
        _column(FinanceField.PAYEE_NAME),
        _column(FinanceField.AMOUNT),
        _column(FinanceField.LINE_COUNT),
        _column(FinanceField.PAYMENT_REFERENCE),
        _column(FinanceField.PAID_ON),
    ),
    is_default=True,
)


def layout_for(commissioner_id: int) -> Layout:
    """The commissioner's layout (two queries), or the default when it has none, or one
    without columns (its formats are kept)."""
    stored = FinanceLayout.objects.filter(commissioner_id=commissioner_id).first()
    if stored is None:
        return DEFAULT_LAYOUT
    columns = tuple(
        Column(
            column.field, column.header or _column(FinanceField(column.field)).header, column.text
        )
        for column in stored.columns.order_by("position", "pk")
    )
    return Layout(
        columns=columns or DEFAULT_LAYOUT.columns,
        date_format=stored.date_format,
        month_format=stored.month_format,
        delimiter=stored.delimiter,
        encoding=stored.encoding,
        include_header=stored.include_header,
        is_default=not columns,
    )


def finance_rows(batch: Batch) -> list[dict]:
    """One row per practice paid, as the batch's payment file has them (the nominated payee
    with its ARRS lines and streams, then member practices paid a stream), keyed by
    FinanceField values. Each PCN's rows add up to its subtotal, the file to the batch's total.
    A fixed number of queries whatever the batch's size."""
    finalised = timezone.localtime(batch.finalised_at).date() if batch.finalised_at else None
    counts = {
        pcn_id: (lines, late)
        for pcn_id, lines, late in batch.payees.values_list(
            "pcn_id", "line_count", "late_line_count"
        )
    }
    rows = []
    for row in payee_rows(batch, batch_streams()):
        lines, late = counts.get(row.pcn.pk, (0, 0)) if row.is_nominated_payee else (0, 0)
        rows.append(
            {
                FinanceField.BATCH_REFERENCE: batch.reference,
                FinanceField.BATCH_MONTH: batch.month,
                FinanceField.BATCH_STATUS: batch.get_status_display(),
                FinanceField.CLAIM_MONTHS: sorted(row.months),
                FinanceField.COMMISSIONER_CODE: batch.commissioner.code,
                FinanceField.COMMISSIONER_NAME: batch.commissioner.name,
                FinanceField.PCN_CODE: row.pcn.code,
                FinanceField.PCN_NAME: row.pcn.name,
                FinanceField.PAYEE_PRACTICE_CODE: row.practice_code,
                FinanceField.PAYEE_NAME: row.payee_name,
                FinanceField.PAID_AS: (
                    "Nominated payee" if row.is_nominated_payee else "Member practice"
                ),
                FinanceField.AMOUNT: row.total,
                FinanceField.AMOUNT_PENCE: row.total,
                FinanceField.ARRS_AMOUNT: row.amounts.get(ARRS, Decimal("0.00")),
                FinanceField.LINE_COUNT: lines,
                FinanceField.LATE_LINE_COUNT: late,
                FinanceField.FINALISED_ON: finalised,
                FinanceField.PAID_ON: batch.paid_on,
                FinanceField.PAYMENT_REFERENCE: batch.payment_reference,
            }
        )
    return rows


def cell(layout: Layout, column: Column, row: dict) -> str:
    """One value as the layout writes it."""
    if column.field == FinanceField.FIXED_TEXT:
        return defused(column.text)
    value = row.get(column.field)
    kind = FIELD_KINDS.get(column.field, TEXT)
    if value is None or value == "":
        return ""
    if kind == MONEY:
        return f"{Decimal(value):.2f}"
    if kind == PENCE:
        # Amounts are stored in pence already (two places): this only moves the point.
        return str(int(Decimal(value).scaleb(2).to_integral_value()))
    if kind == INTEGER:
        return str(int(value))
    if kind == DATE:
        return value.strftime(layout.date_format)
    if kind == MONTH:
        return value.strftime(layout.month_format)
    if kind == MONTHS:
        return defused(", ".join(month.strftime(layout.month_format) for month in value))
    return defused(str(value))


def render(layout: Layout, rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITERS[layout.delimiter], lineterminator="\r\n")
    if layout.include_header:
        writer.writerow([defused(column.header) for column in layout.columns])
    for row in rows:
        writer.writerow([cell(layout, column, row) for column in layout.columns])
    return buffer.getvalue().encode(layout.encoding)


def is_ready(batch: Batch) -> bool:
    """Only a finalised (or paid) batch goes to the finance system: a draft may still change."""
    return batch.status != Batch.Status.DRAFT


def finance_file(batch: Batch) -> ExportFile:
    """00L-2025-06-finance-system.csv (or .tsv, .txt by the layout's separator)."""
    if not is_ready(batch):
        raise ValueError(f"{batch.reference} is a draft: finalise it before loading it.")
    layout = layout_for(batch.commissioner_id)
    extension, content_type = FILE_TYPES[layout.delimiter]
    charset = "utf-8"
    return ExportFile(
        render(layout, finance_rows(batch)),
        f"{batch.reference}-finance-system.{extension}",
        f"{content_type}; charset={charset}",
    )
