"""Monthly payment batches: gather a commissioner's approved claim lines not yet in a batch and
the month's Network Contract DES stream amounts (docs/decisions/0014-payment-streams.md),
subtotal them per PCN, and take the batch through finalised to paid.

How the work is claimed (docs/decisions/0005-claim-batches.md): each commissioner's batch is
built in one transaction that first locks the commissioner's row, so two workers building at
once queue behind each other and the second finds nothing left to add; the database refuses a
second batch for the same commissioner and month, and a claim line in two batches. The number
of queries is fixed per commissioner, whatever the number of lines.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from networks.models import PCN, Commissioner, NominatedPayee
from pcn_admin.dates import month_bounds
from roles.models import Rate

from .calculations import amount_due
from .models import (
    Batch,
    BatchLine,
    BatchPayee,
    BatchRun,
    ClaimLine,
    DeclaredPayment,
    StreamPayment,
    StreamRate,
)
from .streams import rate_stream_amounts

logger = logging.getLogger(__name__)
ZERO = Decimal("0")
PENNY = Decimal("0.01")
# reimbursement_batchline's columns, and the names the SELECT gives them, in the same order.
BATCH_LINE_COLUMNS = {
    "batch_id": "in_batch",
    "line_id": "claim_line",
    "pcn_id": "line_pcn",
    "claim_month": "line_month",
    "amount": "amount",
    "late": "is_late",
    "added_at": "added",
}
# Errors after which the same work is simply tried again: the build is idempotent.
DATABASE_DOWN = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class BuildResult:
    commissioner_code: str
    month: dt.date
    batch: Batch | None
    added: int
    message: str
    failed: bool = False


def default_month(today: dt.date | None = None) -> dt.date:
    """The month a run pays: the calendar month before the run's date."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def default_month_reason(today: dt.date | None = None) -> str:
    """Which claim month a build pays unless told otherwise, and why, for the build page."""
    today = today or timezone.localdate()
    return (
        f"Unless you choose another month, the batch pays the claims for "
        f"{default_month(today):%B %Y}: the month before this one ({today:%B %Y}), because a "
        "month's claims are made and reviewed after the month ends. Approved lines of earlier "
        "claim months that are in no batch yet join it too, marked late; lines of later "
        "months wait for their own month's batch."
    )


def waiting_by_claim_month(*, commissioner_ids) -> list[dict]:
    """Approved lines in no batch yet, counted per commissioner and claim month, earliest
    first: what a build would gather (one query)."""
    in_a_batch = BatchLine.objects.filter(line_id=OuterRef("pk"))
    return list(
        ClaimLine.objects.approved()
        .filter(claim__pcn__commissioner_id__in=commissioner_ids)
        .exclude(Exists(in_a_batch))
        .values("claim__pcn__commissioner__code", "claim__month")
        .annotate(lines=Count("pk"))
        .order_by("claim__pcn__commissioner__code", "claim__month")
    )


def parse_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationError(
            f"“{text}” is not a month. Give it as YYYY-MM, for example 2025-09."
        ) from None


def waiting_lines(*, commissioner_id, month: dt.date):
    """Approved lines of the commissioner's PCNs for the month or earlier, in no batch yet."""
    in_a_batch = BatchLine.objects.filter(line_id=OuterRef("pk"))
    return (
        ClaimLine.objects.approved()
        .filter(claim__pcn__commissioner_id=commissioner_id, claim__month__lte=month)
        .exclude(Exists(in_a_batch))
    )


def waiting_declared(*, commissioner_id, month: dt.date):
    """Approved declared amounts (IIF, care home premium...) for the month or earlier, unpaid."""
    return DeclaredPayment.objects.filter(
        pcn__commissioner_id=commissioner_id,
        status=DeclaredPayment.Status.APPROVED,
        month__lte=month,
        payment__isnull=True,
    )


def _open_pcns(*, commissioner_id, month: dt.date):
    first, last = month_bounds(month)
    return PCN.objects.filter(commissioner_id=commissioner_id, open_date__lte=last).filter(
        Q(close_date__isnull=True) | Q(close_date__gte=first)
    )


def commissioners_with_work(month: dt.date):
    """Commissioners with lines or declared amounts waiting for the month, a draft batch for
    it to refresh, or, while a stream has a rate for the month, PCNs open in it."""
    waiting = waiting_lines(commissioner_id=OuterRef("pk"), month=month)
    declared = waiting_declared(commissioner_id=OuterRef("pk"), month=month)
    draft = Batch.objects.filter(
        commissioner_id=OuterRef("pk"), month=month, status=Batch.Status.DRAFT
    )
    # Cheapest test first: PostgreSQL stops at the first true one, and the waiting lines'
    # anti-join over every approved line ever is the dearest (3 s of 3.5 at ten years).
    work = Exists(draft) | Exists(declared) | Exists(waiting)
    if StreamRate.objects.in_force(month).exists():
        work = Exists(_open_pcns(commissioner_id=OuterRef("pk"), month=month)) | work
    return Commissioner.objects.filter(work).order_by("code")


def _stream_payments(*, commissioner_id: int, month: dt.date) -> list[StreamPayment]:
    """The month's rate-based stream amounts for the commissioner's open PCNs, and its approved
    declared amounts not yet paid, that no batch holds yet; not saved, and with no batch."""
    pcns = list(_open_pcns(commissioner_id=commissioner_id, month=month))
    rows = [
        StreamPayment(
            stream=row.stream,
            pcn_id=row.pcn_id,
            practice_id=row.practice_id,
            month=row.month,
            amount=row.amount,
            population=row.population,
            rate=row.rate,
            key=StreamPayment.key_for(
                stream_code=row.stream.code,
                pcn_id=row.pcn_id,
                practice_id=row.practice_id,
                month=row.month,
            ),
        )
        for row in rate_stream_amounts(pcns=pcns, months=[month]).amounts
    ]
    for declared in waiting_declared(commissioner_id=commissioner_id, month=month).select_related(
        "stream"
    ):
        rows.append(
            StreamPayment(
                stream=declared.stream,
                pcn_id=declared.pcn_id,
                practice_id=declared.practice_id,
                month=declared.month,
                amount=declared.amount,
                declared=declared,
                late=declared.month < month,
                key=StreamPayment.key_for(
                    stream_code=declared.stream.code,
                    pcn_id=declared.pcn_id,
                    practice_id=declared.practice_id,
                    month=declared.month,
                    declared_id=declared.pk,
                ),
            )
        )
    paid = set(
        StreamPayment.objects.filter(key__in=[row.key for row in rows]).values_list(
            "key", flat=True
        )
    )
    return [row for row in rows if row.key not in paid]


def _add_stream_payments(batch: Batch, rows: list[StreamPayment]) -> int:
    """Put the stream amounts in the batch, each to its payee: the member practice for
    participation, the named practice for a declared amount that has one, otherwise the PCN's
    nominated payee at the end of the month."""
    if not rows:
        return 0
    _, month_end = month_bounds(batch.month)
    payees = _payees_on({row.pcn_id for row in rows}, month_end)
    for row in rows:
        row.batch = batch
        if row.practice_id is None:
            payee = payees.get(row.pcn_id)
            row.practice = payee.practice if payee else None
            row.payee_name = (
                (payee.practice.name if payee.practice else payee.account_name) if (payee) else ""
            )
    StreamPayment.objects.bulk_create(rows)
    return len(rows)


def _add_waiting_lines(batch: Batch) -> int:
    """Copy the waiting lines into the batch in one INSERT ... SELECT, so the lines never pass
    through Python: a national run is 40,000 lines (decision 0005)."""
    rows = (
        waiting_lines(commissioner_id=batch.commissioner_id, month=batch.month)
        .annotate(
            in_batch=Value(batch.pk),
            claim_line=F("pk"),
            line_pcn=F("claim__pcn_id"),
            line_month=F("claim__month"),
            amount=amount_due(),
            is_late=Case(
                When(claim__month__lt=batch.month, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            added=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values_list(*BATCH_LINE_COLUMNS.values())
        .order_by()
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(BatchLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in BATCH_LINE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        return cursor.rowcount


def _payees_on(pcn_ids, day: dt.date) -> dict[int, NominatedPayee]:
    """The nominated payee in force on `day` for each PCN, or failing that its current one."""
    rows = (
        NominatedPayee.objects.filter(pcn_id__in=pcn_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("practice")
        .order_by("pcn_id", "start_date")
    )
    payees = {row.pcn_id: row for row in rows}
    missing = set(pcn_ids) - set(payees)
    if missing:
        for row in (
            NominatedPayee.objects.current().filter(pcn_id__in=missing).select_related("practice")
        ):
            payees[row.pcn_id] = row
    return payees


def _refresh_subtotals(batch: Batch) -> None:
    """One subtotal per PCN from the batch's ARRS lines and stream amounts; the total is the
    sum of them, each already in pence, so nothing is rounded here and the figures reconcile
    exactly."""
    lines = {
        row["pcn_id"]: row
        for row in BatchLine.objects.filter(batch=batch)
        .values("pcn_id")
        .annotate(amount=Sum("amount"), lines=Count("pk"), late=Count("pk", filter=Q(late=True)))
        .order_by("pcn_id")
    }
    streams = {
        row["pcn_id"]: row
        for row in StreamPayment.objects.filter(batch=batch)
        .values("pcn_id")
        .annotate(amount=Sum("amount"), rows=Count("pk"))
        .order_by("pcn_id")
    }
    pcn_ids = sorted(set(lines) | set(streams))
    _, month_end = month_bounds(batch.month)
    payees = _payees_on(pcn_ids, month_end)
    BatchPayee.objects.filter(batch=batch).delete()
    subtotals = []
    for pcn_id in pcn_ids:
        payee = payees.get(pcn_id)
        practice = payee.practice if payee else None
        line_row = lines.get(pcn_id, {})
        # Exact: the amounts are in pence. SQLite's sum only comes back with more places.
        arrs = (line_row.get("amount") or ZERO).quantize(PENNY)
        other = (streams.get(pcn_id, {}).get("amount") or ZERO).quantize(PENNY)
        subtotals.append(
            BatchPayee(
                batch=batch,
                pcn_id=pcn_id,
                payee_practice=practice,
                payee_name=(practice.name if practice else payee.account_name) if payee else "",
                amount=arrs + other,
                arrs_amount=arrs,
                line_count=line_row.get("lines", 0),
                late_line_count=line_row.get("late", 0),
            )
        )
    BatchPayee.objects.bulk_create(subtotals)
    batch.total = sum((row.amount for row in subtotals), ZERO)
    batch.line_count = sum(row.line_count for row in subtotals)
    batch.late_line_count = sum(row.late_line_count for row in subtotals)
    batch.stream_payment_count = sum(row.get("rows", 0) for row in streams.values())
    batch.built_at = timezone.now()
    # Only a draft is refreshed (checked under the lock), so the paid-batch guard in save() and
    # a history row for every refresh are not needed: the lifecycle's steps keep their history.
    Batch.objects.filter(pk=batch.pk, status=Batch.Status.DRAFT).update(
        total=batch.total,
        line_count=batch.line_count,
        late_line_count=batch.late_line_count,
        stream_payment_count=batch.stream_payment_count,
        built_at=batch.built_at,
    )


def batch_build(*, commissioner_id: int, month: dt.date) -> BuildResult:
    """Build or refresh the commissioner's draft batch for `month`. Safe to run twice, or in
    two workers at once: the second adds nothing."""
    month = month.replace(day=1)
    with transaction.atomic():
        # The lock that makes builds for one commissioner take turns.
        commissioner = Commissioner.objects.select_for_update().get(pk=commissioner_id)
        batch = Batch.objects.filter(commissioner=commissioner, month=month).first()
        if batch is not None and batch.status != Batch.Status.DRAFT:
            return BuildResult(
                commissioner.code,
                month,
                batch,
                0,
                f"{batch.reference} is {batch.get_status_display().lower()}: lines approved "
                "since then join next month's batch.",
            )
        stream_rows = _stream_payments(commissioner_id=commissioner.pk, month=month)
        if batch is None:
            if (
                not stream_rows
                and not waiting_lines(commissioner_id=commissioner.pk, month=month).exists()
            ):
                return BuildResult(
                    commissioner.code,
                    month,
                    None,
                    0,
                    "No approved claim lines are waiting, and no payment stream amounts.",
                )
            batch = Batch.objects.create(
                commissioner=commissioner,
                month=month,
                reference=Batch.reference_for(commissioner.code, month),
                built_at=timezone.now(),
            )
        added = _add_waiting_lines(batch)
        streams_added = _add_stream_payments(batch, stream_rows)
        _refresh_subtotals(batch)
    return BuildResult(
        commissioner.code,
        month,
        batch,
        added,
        f"{batch.reference}: {added} line(s) added; {batch.line_count} line(s) "
        f"for £{batch.total:,} in all."
        + (
            f" Payment streams: {streams_added} amount(s) added, "
            f"{batch.stream_payment_count} in the batch."
            if batch.stream_payment_count
            else ""
        ),
    )


def batches_build(*, month: dt.date, commissioner_codes: list[str] | None = None):
    """Every commissioner's batch for the month (or the named ones'), each in its own
    transaction, so one commissioner's failure leaves the others' batches standing."""
    if commissioner_codes:
        found = dict(
            Commissioner.objects.filter(code__in=commissioner_codes).values_list("code", "pk")
        )
        unknown = sorted(set(commissioner_codes) - set(found))
        if unknown:
            raise ValidationError(
                f"No commissioner has the code {', '.join(unknown)}. Check the ODS code."
            )
        ids = [found[code] for code in sorted(found)]
    else:
        ids = list(commissioners_with_work(month).values_list("pk", flat=True))
    return [_build_or_report(commissioner_id=pk, month=month) for pk in ids]


def _build_or_report(*, commissioner_id: int, month: dt.date) -> BuildResult:
    """A commissioner whose build fails is reported and the others go on; its transaction has
    rolled back, so it has no half batch. A dropped database connection is raised instead, so
    the task tries the whole run again."""
    try:
        return batch_build(commissioner_id=commissioner_id, month=month)
    except DATABASE_DOWN:
        raise
    except Exception as error:
        logger.exception("Batch for commissioner %s, %s failed", commissioner_id, month)
        code = Commissioner.objects.filter(pk=commissioner_id).values_list("code", flat=True)
        return BuildResult(
            code.first() or str(commissioner_id),
            month,
            None,
            0,
            f"Failed, nothing was changed: {error}",
            failed=True,
        )


def _lock_rates_used(batch: Batch) -> int:
    """Lock every ARRS rate the batch's lines were worked out with, in one statement (the
    set-based form of Rate.lock()): a paid figure must always be explainable."""
    used = ClaimLine.objects.filter(batch_lines__batch_id=batch.pk).values("rate_used_id")
    now = timezone.now()
    stream_rates = StreamPayment.objects.filter(batch_id=batch.pk).values("rate_id")
    StreamRate.objects.filter(locked_at__isnull=True, pk__in=stream_rates).update(locked_at=now)
    return Rate.objects.filter(locked_at__isnull=True, pk__in=used).update(locked_at=now)


@transaction.atomic
def batch_finalise(*, batch: Batch, by) -> Batch:
    """Commissioner staff confirm the draft: its lines are in it for good."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != Batch.Status.DRAFT:
        raise ValidationError(
            f"{batch.reference} is already {batch.get_status_display().lower()}: only a draft "
            "batch can be finalised."
        )
    if not batch.line_count and not batch.stream_payment_count:
        raise ValidationError(f"{batch.reference} has no lines: there is nothing to pay.")
    no_payee = list(
        batch.payees.filter(payee_practice__isnull=True, payee_name="").values_list(
            "pcn__code", flat=True
        )
    )
    if no_payee:
        raise ValidationError(
            f"No nominated payee is recorded for {', '.join(no_payee)}. Record the PCN's "
            "nominated payee, run the batch again, then finalise it."
        )
    batch.status = Batch.Status.FINALISED
    batch.finalised_at = timezone.now()
    batch.finalised_by = by
    batch._change_reason = "Finalised"
    batch.save()
    _lock_rates_used(batch)
    return batch


@transaction.atomic
def batch_mark_paid(*, batch: Batch, paid_on: dt.date, payment_reference: str, by) -> Batch:
    """Finance records the payment. A paid batch cannot be reopened."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != Batch.Status.FINALISED:
        state = batch.get_status_display().lower()
        raise ValidationError(
            f"{batch.reference} is {state}: only a finalised batch can be marked as paid."
        )
    errors = {}
    reference = (payment_reference or "").strip()
    if not reference:
        errors["payment_reference"] = "Enter the payment reference finance used."
    if paid_on is None:
        errors["paid_on"] = "Enter the date the payment was made."
    elif paid_on > timezone.localdate():
        errors["paid_on"] = "The payment date cannot be in the future."
    elif paid_on < timezone.localtime(batch.finalised_at).date():
        errors["paid_on"] = (
            f"The payment date is before the batch was finalised "
            f"({timezone.localtime(batch.finalised_at):%d/%m/%Y}). Check the date."
        )
    if errors:
        raise ValidationError(errors)
    batch.status = Batch.Status.PAID
    batch.paid_on = paid_on
    batch.payment_reference = reference
    batch.paid_recorded_by = by
    batch._change_reason = "Marked as paid"
    batch.save()
    return batch


def batch_run_execute(*, run_id: int) -> BatchRun:
    """Carry out a requested build, recording progress on the run for the person watching."""
    run = BatchRun.objects.select_related("commissioner").get(pk=run_id)
    if run.is_finished:
        return run
    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchRun.Status.RUNNING, started_at=timezone.now()
    )
    try:
        result = batch_build(commissioner_id=run.commissioner_id, month=run.month)
    except DATABASE_DOWN:
        raise  # the task tries again; the run stays "running" meanwhile
    except Exception as error:
        BatchRun.objects.filter(pk=run.pk).update(
            status=BatchRun.Status.FAILED,
            message=f"The batch could not be built, and nothing was changed: {error}",
            finished_at=timezone.now(),
        )
        raise
    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchRun.Status.DONE,
        message=result.message,
        batch=result.batch,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
