"""A payment batch's files and remittances: the rows of the finance payment file (one per
payee, with a column per payment stream), the line detail (one per claim line and one per
Network Contract DES stream amount) and a PCN's remittance, and the CSV and XLSX files made
from them.

Who is paid: the PCN's nominated payee practice gets its ARRS lines and every stream paid to
the payee; each member practice gets its own network participation payment
(StreamPayment.practice is the practice paid). So the payment file has a row for the payee and
one for each other member practice, each with its amount per stream (in the streams' display
order, ARRS as the `arrs` stream) and its total; the totals add up to the batch's total.

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
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from pcn_admin.spreadsheets import defused

from .models import Batch, BatchLine, BatchPayee, Claim, PaymentStream, StreamPayment

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


# The payee's columns; a column per payment stream follows (payment_file_columns).
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
ARRS = "arrs"

LINE_DETAIL_COLUMNS = (
    Column("Batch reference", width=16),
    Column("Batch status", width=22),
    Column("PCN code", width=10),
    Column("Stream", width=30),
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
    Column("Paid to practice code", width=12),
    Column("Paid to", width=40),
    Column("Population", DECIMAL, width=12),
    Column("Stream rate used", width=60),
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


def batch_streams() -> list[PaymentStream]:
    """Every payment stream, in the order files and pages show them (one query)."""
    return list(PaymentStream.objects.order_by("display_order", "code"))


def stream_column(stream: PaymentStream) -> Column:
    return Column(f"{stream.name} (£)", MONEY, width=16)


def payment_file_columns(streams: list[PaymentStream]) -> tuple[Column, ...]:
    return (*PAYMENT_FILE_COLUMNS, *(stream_column(stream) for stream in streams))


@dataclass
class PayeeRow:
    """One row of the payment file: a practice (or the payee's account) paid in the batch,
    its amount in each stream, and the months they are for."""

    pcn: object
    practice_code: str
    payee_name: str
    is_nominated_payee: bool
    months: set = field(default_factory=set)
    amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), Decimal("0.00"))

    def add(self, code: str, amount: Decimal) -> None:
        self.amounts[code] = self.amounts.get(code, Decimal("0.00")) + amount


def _pence(value) -> Decimal:
    # Stored amounts are in pence; SQLite hands a sum back through a float.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def stream_amounts(batch: Batch, *, pcn_id: int | None = None) -> list[dict]:
    """The batch's stream amounts summed per PCN, practice paid, stream and month (one
    query): what the payment file, the remittance and the batch's pages show."""
    rows = StreamPayment.objects.filter(batch=batch)
    if pcn_id is not None:
        rows = rows.filter(pcn_id=pcn_id)
    return [
        {**row, "amount": _pence(row["amount"])}
        for row in rows.values(
            "pcn_id",
            "practice_id",
            "practice__code",
            "practice__name",
            "payee_name",
            "stream_id",
            "month",
            "late",
        )
        .annotate(amount=Sum("amount"), count=Count("pk"))
        .order_by("pcn_id", "practice__code", "stream_id", "month")
    ]


def payee_rows(batch: Batch, streams: list[PaymentStream]) -> list[PayeeRow]:
    """One row per practice paid: the PCN's nominated payee (its ARRS lines and the streams
    paid to the payee) first, then each other member practice paid its participation. Each
    PCN's rows add up to its subtotal, so the file adds up to the batch's total. ARRS is the
    subtotal less the PCN's stream amounts, exact to the penny (and right for batches built
    before the streams were paid)."""
    codes = {stream.pk: stream.code for stream in streams}
    months = claim_months_by_pcn(batch)
    rows: dict[tuple, PayeeRow] = {}
    payees = list(payees_of(batch))
    for payee in payees:
        rows[payee.pcn_id, payee.payee_practice_id] = PayeeRow(
            pcn=payee.pcn,
            practice_code=payee.payee_practice.code if payee.payee_practice_id else "",
            payee_name=payee.payee_name,
            is_nominated_payee=True,
            months=set(months.get(payee.pcn_id, [])),
        )
    pcns = {payee.pcn_id: payee.pcn for payee in payees}
    streamed: dict[int, Decimal] = {}
    for amount in stream_amounts(batch):
        key = (amount["pcn_id"], amount["practice_id"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = PayeeRow(
                pcn=pcns[amount["pcn_id"]],
                practice_code=amount["practice__code"] or "",
                payee_name=amount["practice__name"] or amount["payee_name"],
                is_nominated_payee=False,
            )
        row.add(codes[amount["stream_id"]], amount["amount"])
        row.months.add(amount["month"])
        streamed[amount["pcn_id"]] = (
            streamed.get(amount["pcn_id"], Decimal("0.00")) + (amount["amount"])
        )
    for payee in payees:
        arrs = payee.amount - streamed.get(payee.pcn_id, Decimal("0.00"))
        row = rows[payee.pcn_id, payee.payee_practice_id]
        row.amounts = {ARRS: arrs, **row.amounts}
    return sorted(
        rows.values(),
        key=lambda row: (row.pcn.code, not row.is_nominated_payee, row.practice_code),
    )


@dataclass(frozen=True)
class StreamLine:
    """One line of a remittance's income by stream: a stream's amount for a month, and who is
    paid it (the payee, or a member practice for its participation)."""

    stream: PaymentStream
    paid_to: str
    month: object
    late: bool
    amount: Decimal


def remittance_streams(
    payee: BatchPayee, streams: list[PaymentStream]
) -> tuple[list[StreamLine], Decimal]:
    """A PCN's stream amounts in the batch, in the streams' order, and its ARRS amount (its
    subtotal less them): together they are its subtotal, to the penny (one query)."""
    by_id = {stream.pk: stream for stream in streams}
    order = {stream.pk: index for index, stream in enumerate(streams)}
    amounts = sorted(
        stream_amounts(payee.batch, pcn_id=payee.pcn_id),
        key=lambda row: (order[row["stream_id"]], row["practice__code"] or "", row["month"]),
    )
    lines = [
        StreamLine(
            stream=by_id[row["stream_id"]],
            paid_to=(
                f"{row['practice__code']} {row['practice__name']}"
                if row["practice_id"]
                else row["payee_name"] or "No nominated payee recorded"
            ),
            month=row["month"],
            late=row["late"],
            amount=row["amount"],
        )
        for row in amounts
    ]
    return lines, payee.amount - sum((line.amount for line in lines), Decimal("0.00"))


@dataclass(frozen=True)
class StreamTotal:
    stream: PaymentStream
    count: int
    amount: Decimal


def batch_stream_totals(
    batch: Batch, streams: list[PaymentStream], payees: list[BatchPayee]
) -> list[StreamTotal]:
    """Each stream's total in the batch (ARRS: the PCNs' subtotals less their stream amounts;
    `count` its lines), every stream with an amount, in display order; they add up to the
    batch's total (one query)."""
    rows = (
        StreamPayment.objects.filter(batch=batch)
        .values("stream_id")
        .annotate(amount=Sum("amount"), count=Count("pk"))
        .order_by()
    )
    found = {row["stream_id"]: (row["count"], _pence(row["amount"])) for row in rows}
    streamed = sum((amount for _, amount in found.values()), Decimal("0.00"))
    arrs = sum((payee.amount for payee in payees), Decimal("0.00")) - streamed
    totals = []
    for stream in streams:
        if stream.code == ARRS:
            if arrs or batch.line_count:
                totals.append(StreamTotal(stream, batch.line_count, arrs))
        elif stream.pk in found:
            totals.append(StreamTotal(stream, *found[stream.pk]))
    return totals


def payment_file_rows(batch: Batch, streams: list[PaymentStream] | None = None) -> list[tuple]:
    """One row per practice paid: what finance pays and to whom, for which months, in
    total and stream by stream."""
    streams = batch_streams() if streams is None else streams
    status = status_text(batch)
    return [
        (
            batch.reference,
            status,
            month_text(batch.month),
            ", ".join(month_text(month) for month in sorted(row.months)),
            row.pcn.code,
            row.pcn.name,
            row.practice_code,
            row.payee_name,
            row.total,
            *(row.amounts.get(stream.code, Decimal("0.00")) for stream in streams),
        )
        for row in payee_rows(batch, streams)
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
    """One row per claim line, then one per stream amount, each naming its stream and who is
    paid. An adjustment pays only its difference from the line it corrects, so the amount paid
    can differ from the line's reimbursable amount."""
    rows = []
    status = status_text(batch)
    payees = {
        payee.pcn_id: (
            payee.payee_practice.code if payee.payee_practice_id else "",
            payee.payee_name,
        )
        for payee in payees_of(batch)
    }
    arrs = next((stream.name for stream in batch_streams() if stream.code == ARRS), "ARRS")
    for batch_line in batch_lines(batch):
        line = batch_line.line
        approved_at = line.approved_at
        rows.append(
            (
                batch.reference,
                status,
                batch_line.pcn.code,
                arrs,
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
                *payees.get(batch_line.pcn_id, ("", "")),
                None,
                "",
            )
        )
    for payment in batch_stream_payments(batch):
        declared = payment.declared
        reviewed = declared.reviewed_at if declared else None
        rows.append(
            (
                batch.reference,
                status,
                payment.pcn.code,
                payment.stream.name,
                month_text(batch.month),
                month_text(payment.month),
                "Declared" if declared else "Rate-based",
                "",
                "",
                None,
                None,
                payment.amount,
                payment.amount,
                "Yes" if payment.late else "No",
                timezone.localtime(reviewed).date() if reviewed else None,
                "",
                payment.practice.code if payment.practice_id else "",
                payment.practice.name if payment.practice_id else payment.payee_name,
                payment.population,
                stream_rate_used(payment.rate, payment.stream),
            )
        )
    return rows


def batch_stream_payments(batch: Batch, *, pcn_id: int | None = None):
    """The batch's stream amounts with what explains them (one query)."""
    rows = StreamPayment.objects.filter(batch=batch)
    if pcn_id is not None:
        rows = rows.filter(pcn_id=pcn_id)
    return rows.select_related("pcn", "stream", "practice", "rate", "declared").order_by(
        "pcn__code", "stream__display_order", "practice__code", "month", "pk"
    )


def stream_rate_used(rate, stream) -> str:
    """The rate that priced a stream amount and its provenance, as the admin shows it:
    "£2.999 per registered patient a year from 1 April 2025 - published"."""
    if rate is None:
        return ""
    basis = stream.get_basis_display().lower()
    start = rate.start_date
    return (
        f"£{rate.per_patient.normalize():f} {basis} a year from {start.day} {start:%B %Y} - "
        f"{rate.get_provenance_display().lower()}"
    )


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
    streams = batch_streams()
    return _export(
        batch,
        name="payment-file",
        title="Payment file",
        columns=payment_file_columns(streams),
        rows=payment_file_rows(batch, streams),
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
