"""Declared Network Contract DES amounts (Investment and Impact Fund achievement, care home
premium, enhanced access, capacity and access payments): entered by hand or imported from a CSV
by the commissioner's staff, one per PCN, stream and month, then approved or rejected like a
claim line. An approved amount not yet paid joins the next batch built for its month or later
(reimbursement.batches.waiting_declared); a rejected one is never paid.

Who may enter, import or review is decided at the edge (pcn_admin.access); the import is given
the PCNs the user may enter for. What may be entered is decided here: a declared stream, an
amount of nothing or more in pounds and pence, a month the PCN was open in whose batch is not
yet finalised or paid, and no second live amount for the same PCN, stream and month.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from networks.importers import (
    FileNotRecognised,
    ImportFailed,
    RowError,
    check_row_count,
    check_size,
    find_columns,
)
from networks.models import PCN
from pcn_admin.bounds import NOTES_MAX_LENGTH, PCNS_BEGAN
from pcn_admin.dates import month_bounds

from ..models import Batch, DeclaredPayment, PaymentStream

PENNY = Decimal("0.01")
# One PCN's declared amount for one month: nothing real comes near a million pounds (a PCN's
# whole year of IIF is a fraction of it), so a figure past it is a slip of the keyboard.
MAX_DECLARED_AMOUNT = Decimal("1000000")
NOTE_MAX_LENGTH = DeclaredPayment._meta.get_field("note").max_length
SOURCE_MAX_LENGTH = DeclaredPayment._meta.get_field("source").max_length
# A month's batch in these states has been paid or is about to be: nothing more joins it.
BATCHED = (Batch.Status.FINALISED, Batch.Status.PAID)
SHEET = "CSV"

# The import's columns, by header name (case and spacing do not matter).
IMPORT_COLUMNS = {
    "pcn": ("PCN code", "PCN"),
    "stream": ("Stream code", "Stream"),
    "month": ("Month",),
    "amount": ("Amount", "Amount (£)"),
    "note": ("Note", "Notes"),
}
IMPORT_HEADERS = ("PCN code", "Stream code", "Month", "Amount", "Note")


def month_text(month: dt.date) -> str:
    return f"{month:%B %Y}"


def declared_streams():
    """The streams whose amounts the commissioner's staff enter for a PCN and month, in the
    order files and pages show them. A declared stream paid to a named practice (backfill)
    is not among them: its amounts come from their own claims, each naming its practice."""
    return (
        PaymentStream.objects.filter(basis=PaymentStream.Basis.DECLARED)
        .exclude(paid_to=PaymentStream.PaidTo.PRACTICE)
        .order_by("display_order", "code")
    )


def _months_ahead(month: dt.date, today: dt.date) -> int:
    return (month.year - today.year) * 12 + month.month - today.month


def _amount_problem(amount: Decimal | None) -> str:
    if amount is None:
        return "Enter the amount in pounds and pence, for example 1250.00."
    if not amount.is_finite():
        return "Enter the amount in pounds and pence, for example 1250.00."
    if amount < 0:
        return (
            "The amount cannot be negative. To take money back, reject the amount if it is "
            "not yet paid, or ask finance to recover it."
        )
    if amount != amount.quantize(PENNY):
        return "Enter pounds and pence: at most 2 decimal places."
    if amount > MAX_DECLARED_AMOUNT:
        return "This is more than £1,000,000 for one PCN and month. Check the amount."
    return ""


def _stream_problem(stream: PaymentStream) -> str:
    if stream.is_declared and stream.paid_to != PaymentStream.PaidTo.PRACTICE:
        return ""
    if stream.is_declared:
        return (
            f"{stream.name} amounts are paid to a named practice and come from their own "
            "claims: they are not entered here."
        )
    how = "approved ARRS claims" if stream.basis == stream.Basis.CLAIMS else "its rate"
    names = ", ".join(s.code for s in declared_streams())
    return (
        f"{stream.name} is worked out from {how}, not entered as a declared amount. "
        f"Declared streams: {names}."
    )


def _month_problem(month: dt.date, today: dt.date) -> str:
    if month < PCNS_BEGAN:
        return "PCNs began on 1 July 2019: enter a month from July 2019."
    if _months_ahead(month, today) > 12:
        return f"{month_text(month)} is more than a year ahead. Check the year."
    return ""


def _open_problem(pcn: PCN, month: dt.date) -> str:
    _, month_end = month_bounds(month)
    if pcn.open_date > month_end:
        return f"{pcn.code} opened on {pcn.open_date:%d/%m/%Y}, after {month_text(month)}."
    if pcn.close_date and pcn.close_date < month:
        return f"{pcn.code} closed on {pcn.close_date:%d/%m/%Y}, before {month_text(month)}."
    return ""


def _batched_problem(batch: Batch | None, month: dt.date) -> str:
    if batch is None:
        return ""
    state = batch.get_status_display().lower()
    return (
        f"{month_text(month)} is already batched: {batch.reference} has been {state}, so "
        "nothing more can be paid for that month. Enter the amount for a month whose batch "
        "is not yet finalised."
    )


def _duplicate_problem(existing: DeclaredPayment | None) -> str:
    if existing is None:
        return ""
    return (
        f"{existing.pcn.code} already has {existing.stream.name} for "
        f"{month_text(existing.month)} (£{existing.amount:,.2f}, "
        f"{existing.get_status_display().lower()}). Reject that one first if it is wrong."
    )


def _batched(commissioner_ids: Iterable[int], months: Iterable[dt.date]) -> dict:
    """(commissioner id, month) -> its finalised or paid batch (one query)."""
    rows = Batch.objects.filter(
        commissioner_id__in=set(commissioner_ids), month__in=set(months), status__in=BATCHED
    )
    return {(batch.commissioner_id, batch.month): batch for batch in rows}


def _live(pcn_ids: Iterable[int], months: Iterable[dt.date]) -> dict:
    """(stream id, PCN id, month) -> its amount awaiting review or approved (one query)."""
    rows = (
        DeclaredPayment.objects.filter(
            pcn_id__in=set(pcn_ids), month__in=set(months), practice__isnull=True
        )
        .exclude(status=DeclaredPayment.Status.REJECTED)
        .select_related("pcn", "stream")
    )
    return {(row.stream_id, row.pcn_id, row.month): row for row in rows}


def _save(declared: DeclaredPayment, by, reason: str = "") -> None:
    declared._history_user = by  # simple_history reads this outside a request
    if reason:
        declared._change_reason = reason
    declared.save()


# Entering one amount ------------------------------------------------------------------------


@transaction.atomic
def declared_enter(
    *,
    stream: PaymentStream,
    pcn: PCN,
    month: dt.date,
    amount: Decimal | None,
    note: str = "",
    by,
    source: str = "",
) -> DeclaredPayment:
    """Record a declared amount for a PCN and month, awaiting review. Refused, naming the
    field: a stream that is not declared, a negative amount, a month the PCN was not open in
    or whose batch is finalised or paid, or a second amount for the same stream and month."""
    month = month.replace(day=1) if month else month
    errors: dict[str, str] = {}
    if problem := _stream_problem(stream):
        errors["stream"] = problem
    if problem := _amount_problem(amount):
        errors["amount"] = problem
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Keep the note to {NOTE_MAX_LENGTH} characters."
    if month is None:
        errors["month"] = "Enter the month, for example 2025-09."
    elif problem := _month_problem(month, timezone.localdate()) or _open_problem(pcn, month):
        errors["month"] = problem
    if errors:
        raise ValidationError(errors)
    batch = _batched([pcn.commissioner_id], [month]).get((pcn.commissioner_id, month))
    if problem := _batched_problem(batch, month):
        raise ValidationError({"month": problem})
    existing = _live([pcn.pk], [month]).get((stream.pk, pcn.pk, month))
    if problem := _duplicate_problem(existing):
        raise ValidationError(problem)
    declared = DeclaredPayment(
        stream=stream,
        pcn=pcn,
        month=month,
        amount=amount,
        note=note,
        source=source[:SOURCE_MAX_LENGTH],
        entered_by=by,
    )
    declared.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint: two people entering the same amount at once
            _save(declared, by, "Entered")
    except IntegrityError:
        raise ValidationError(
            f"{pcn.code} already has {stream.name} for {month_text(month)}. Reject that one "
            "first if it is wrong."
        ) from None
    return declared


# Reviewing ----------------------------------------------------------------------------------


def _awaiting_review(declared: DeclaredPayment) -> DeclaredPayment:
    declared = (
        DeclaredPayment.objects.select_for_update()
        .select_related("stream", "pcn")
        .get(pk=declared.pk)
    )
    if declared.practice_id is not None:
        raise ValidationError(
            f"This amount is paid to a named practice and comes from "
            f"{declared.source or 'its own claim'}: it is reviewed there, not here."
        )
    if declared.status != DeclaredPayment.Status.ENTERED:
        raise ValidationError(
            f"This amount has already been {declared.get_status_display().lower()}: only an "
            "amount awaiting review can be approved or rejected."
        )
    return declared


@transaction.atomic
def declared_approve(*, declared: DeclaredPayment, by) -> DeclaredPayment:
    """Approve an amount awaiting review: the next batch built for its month, or a later one
    (marked late), pays it."""
    declared = _awaiting_review(declared)
    declared.status = DeclaredPayment.Status.APPROVED
    declared.reviewed_by = by
    declared.reviewed_at = timezone.now()
    declared.rejection_reason = ""
    _save(declared, by, "Approved")
    return declared


@transaction.atomic
def declared_reject(*, declared: DeclaredPayment, reason: str, by) -> DeclaredPayment:
    """Reject an amount awaiting review, with the reason: it is never paid, and a corrected
    amount can be entered for the same PCN, stream and month."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Give the reason for rejecting the amount, so it can be corrected."}
        )
    if len(reason) > NOTES_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {NOTES_MAX_LENGTH:,} characters."})
    declared = _awaiting_review(declared)
    declared.status = DeclaredPayment.Status.REJECTED
    declared.reviewed_by = by
    declared.reviewed_at = timezone.now()
    declared.rejection_reason = reason
    _save(declared, by, "Rejected")
    return declared


# Importing a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredRow:
    """One good row of an import file, ready to save."""

    row: int
    pcn: PCN
    stream: PaymentStream
    month: dt.date
    amount: Decimal
    note: str


@dataclass
class DeclaredImport:
    """What an import added (all of the file's rows, or nothing)."""

    file_name: str
    added: list[DeclaredPayment]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.added), Decimal("0.00"))


def _text(data) -> str:
    """The upload as text: UTF-8 (with or without Excel's byte-order mark)."""
    raw = data if isinstance(data, bytes) else data.read()
    if isinstance(raw, str):
        return raw
    if raw[:2] == b"PK":
        raise FileNotRecognised(
            "This looks like an Excel workbook. Save it as CSV (comma delimited) and upload that."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileNotRecognised(
            "The file is not a UTF-8 CSV file. In Excel, save it as “CSV UTF-8 (comma "
            "delimited)” and upload that."
        ) from None


def _cell(values: list[str], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return values[index].strip()


def _parse_month(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return None


def _parse_amount(text: str) -> Decimal | None:
    cleaned = text.replace(",", "").replace("£", "").strip()
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class _RawRow:
    row: int
    pcn_code: str
    stream_code: str
    month_text: str
    amount_text: str
    note: str


def _read_rows(text: str, name: str) -> list[_RawRow]:
    reader = csv.reader(io.StringIO(text))
    headers = next(reader, None)
    if not headers or not any(cell.strip() for cell in headers):
        raise FileNotRecognised(f"{name} is empty: it needs a header row and a row per amount.")
    columns, missing = find_columns(headers, IMPORT_COLUMNS, optional=frozenset({"note"}))
    if missing:
        raise FileNotRecognised(
            f"{name} has no {', '.join(missing)} column. The header row needs: "
            f"{', '.join(IMPORT_HEADERS)} (Note may be left out)."
        )
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue  # a blank line, as spreadsheets leave at the end
        check_row_count(len(rows) + 1, name)
        rows.append(
            _RawRow(
                number,
                _cell(values, columns["pcn"]).upper(),
                _cell(values, columns["stream"]).lower(),
                _cell(values, columns["month"]),
                _cell(values, columns["amount"]),
                _cell(values, columns.get("note")),
            )
        )
    if not rows:
        raise FileNotRecognised(f"{name} has a header row but no amounts.")
    return rows


def _check_rows(raw: list[_RawRow], pcns) -> tuple[list[DeclaredRow], list[RowError]]:
    """Every row checked as declared_enter checks one, in a fixed number of queries: the PCNs,
    the streams, the live amounts and the finalised batches, each read once."""
    today = timezone.localdate()
    by_code = {pcn.code: pcn for pcn in pcns.filter(code__in={r.pcn_code for r in raw})}
    streams = {stream.code: stream for stream in PaymentStream.objects.all()}
    errors: list[RowError] = []
    checked: list[tuple[_RawRow, PCN, PaymentStream, dt.date, Decimal]] = []

    def error(row: _RawRow, column: str, value, why: str) -> None:
        errors.append(RowError(SHEET, row.row, column, value, why))

    for row in raw:
        pcn = by_code.get(row.pcn_code)
        stream = streams.get(row.stream_code)
        month = _parse_month(row.month_text)
        amount = _parse_amount(row.amount_text)
        bad = False
        if pcn is None:
            bad = True
            why = "Enter the PCN's code." if not row.pcn_code else "No PCN in your area has it."
            error(row, "PCN code", row.pcn_code, why)
        if stream is None:
            bad = True
            names = ", ".join(s.code for s in declared_streams())
            error(row, "Stream code", row.stream_code, f"Use one of the declared streams: {names}.")
        elif problem := _stream_problem(stream):
            bad = True
            error(row, "Stream code", row.stream_code, problem)
        if month is None:
            bad = True
            error(row, "Month", row.month_text, "Give the month as YYYY-MM, for example 2025-09.")
        elif problem := _month_problem(month, today) or (pcn and _open_problem(pcn, month)):
            bad = True
            error(row, "Month", row.month_text, problem)
        if amount is None and row.amount_text:
            bad = True
            error(row, "Amount", row.amount_text, "Give the amount as a number, e.g. 1250.00.")
        elif problem := _amount_problem(amount):
            bad = True
            error(row, "Amount", row.amount_text, problem)
        if len(row.note) > NOTE_MAX_LENGTH:
            bad = True
            error(row, "Note", row.note[:40] + "…", f"Keep notes to {NOTE_MAX_LENGTH} characters.")
        if not bad:
            checked.append((row, pcn, stream, month, amount))

    batched = _batched({c[1].commissioner_id for c in checked}, {c[3] for c in checked})
    live = _live({c[1].pk for c in checked}, {c[3] for c in checked})
    first_row: dict[tuple, int] = {}
    good = []
    for row, pcn, stream, month, amount in checked:
        key = (stream.pk, pcn.pk, month)
        if problem := _batched_problem(batched.get((pcn.commissioner_id, month)), month):
            error(row, "Month", row.month_text, problem)
        elif problem := _duplicate_problem(live.get(key)):
            error(row, "PCN code", row.pcn_code, problem)
        elif key in first_row:
            error(
                row,
                "PCN code",
                row.pcn_code,
                f"Row {first_row[key]} already has {stream.name} for {pcn.code} in "
                f"{month_text(month)}: one amount per PCN, stream and month.",
            )
        else:
            first_row[key] = row.row
            good.append(DeclaredRow(row.row, pcn, stream, month, amount, row.note))
    errors.sort(key=lambda e: e.row)
    return good, errors


def declared_check_file(*, file, pcns, file_name: str = "") -> list[DeclaredRow]:
    """Read and check an import file without saving anything: its rows, or ImportFailed naming
    every bad row (FileNotRecognised for a file that is not the expected CSV)."""
    name = file_name or getattr(file, "name", "") or "The file"
    if hasattr(file, "size"):
        check_size(file, name)
    rows, errors = _check_rows(_read_rows(_text(file), name), pcns)
    if errors:
        raise ImportFailed(errors, name)
    return rows


@transaction.atomic
def declared_import(*, file, pcns, by, file_name: str = "") -> DeclaredImport:
    """Import a CSV of declared amounts (PCN code, Stream code, Month as YYYY-MM, Amount,
    Note) for the PCNs in `pcns` (the user's own area's, from pcn_admin.access): all of its
    rows, awaiting review, or nothing at all, with every bad row named (ImportFailed)."""
    name = file_name or getattr(file, "name", "") or "the file"
    rows = declared_check_file(file=file, pcns=pcns, file_name=name)
    source = f"Imported from {name}"[:SOURCE_MAX_LENGTH]
    added = [
        DeclaredPayment(
            stream=row.stream,
            pcn=row.pcn,
            month=row.month,
            amount=row.amount,
            note=row.note,
            source=source,
            entered_by=by,
        )
        for row in rows
    ]
    for declared in added:
        # The rows' PCNs and streams were read above: no query per row to check they exist.
        declared.full_clean(
            validate_constraints=False, exclude=["pcn", "stream", "entered_by", "practice"]
        )
    try:
        with transaction.atomic():
            added = bulk_create_with_history(
                added, DeclaredPayment, default_user=by, default_change_reason=source
            )
    except IntegrityError:
        raise ValidationError(
            "Another amount for one of these PCNs, streams and months was saved while the file "
            "was being imported. Nothing was imported: import the file again to see which."
        ) from None
    return DeclaredImport(file_name=name, added=added)
