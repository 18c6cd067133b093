"""Reconciliation: for a financial year, what the app paid each PCN in each stream (or, for the
months no finalised batch paid, what it would have paid) against what NHS England reported as
paid in its NHS Payments to General Practice file (reimbursement.services.reported).

The app's side, per PCN, stream and month of the year:
- paid: the amounts of finalised (or paid) batches: StreamPayment rows for the Network
  Contract DES streams, and for ARRS the approved claim lines in such a batch;
- would have paid, for the rest: a rate-based stream's amount from its dated rate and the
  1 January list sizes (reimbursement.streams.rate_stream_amounts), a declared stream's approved
  amounts, ARRS's approved claim lines (calculations.amount_due); a year with no rate for a
  rate-based stream (clinical director 2022/23: none is published) is "No rate", never £0.
The reported side is summed by the PCN code the file names for each practice, whatever the
register says; a PCN the register does not know appears by its code and name.

Read only, and a fixed number of queries whatever the number of PCNs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, Max, OuterRef, Q, Sum

from networks.models import PCN, Commissioner
from pcn_admin.dates import year_label

from .calculations import amount_due, difference_from_reported
from .models import (
    Batch,
    BatchLine,
    ClaimLine,
    DeclaredPayment,
    PaymentStream,
    ReportedPayment,
    ReportedPaymentImport,
    StreamPayment,
    StreamRate,
)
from .reported import is_reported
from .streams import rate_stream_amounts, year_months

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
# A batch's amounts count as paid once it is finalised: from then on they cannot change.
SETTLED = (Batch.Status.FINALISED, Batch.Status.PAID)
PAID, WOULD_HAVE_PAID, PART_PAID, NO_RATE, NOT_IN_REGISTER, NOTHING = (
    "Paid",
    "Would have paid",
    "Part paid",
    "No rate",
    "Not in the register",
    "Nothing to pay",
)
DEFAULT_TOLERANCE = "1%"


def _pence(value) -> Decimal:
    # SQLite sums decimals through a float: the stored amounts are pence, so restore them.
    return Decimal(value or 0).quantize(PENNY)


@dataclass(frozen=True)
class Tolerance:
    """How big a difference must be to be highlighted: in pounds, or per cent of what was
    reported (a difference from nothing reported is always above a per cent tolerance)."""

    amount: Decimal
    percent: bool

    def __str__(self) -> str:
        return f"{self.amount.normalize():f}%" if self.percent else f"£{self.amount:,.2f}"

    @property
    def text(self) -> str:
        """As typed into the page's form."""
        return f"{self.amount.normalize():f}{'%' if self.percent else ''}"

    def exceeded_by(self, row: ReconciliationRow) -> bool:
        if row.difference is None:
            return False
        if not self.percent:
            return abs(row.difference) > self.amount
        if row.percent is None:
            return True
        return abs(row.percent) > self.amount


TOLERANCE_TEXT = re.compile(r"£?\s*(\d+(?:\.\d+)?)\s*(%?)")


def parse_tolerance(text: str | None) -> Tolerance:
    """ "1%" or "2.5 %" (per cent), "100" or "£100" (pounds); blank is DEFAULT_TOLERANCE.
    Raises ValueError with what to type."""
    text = (text or "").strip().replace(",", "") or DEFAULT_TOLERANCE
    match = TOLERANCE_TEXT.fullmatch(text)
    try:
        amount = Decimal(match.group(1)) if match else None
    except InvalidOperation:
        amount = None
    if amount is None or (match.group(2) and text.startswith("£")):
        raise ValueError(
            "Enter the tolerance in pounds, for example 100, or as a per cent of what was "
            "reported, for example 2%"
        )
    return Tolerance(amount=amount, percent=bool(match.group(2)))


@dataclass
class ReconciliationRow:
    pcn_code: str
    pcn_name: str
    in_register: bool
    stream: PaymentStream
    app: Decimal | None  # None: no rate for the year
    paid: Decimal = ZERO
    would_have_paid: Decimal = ZERO
    months_paid: int = 0
    months_unpaid: int = 0
    reported: Decimal | None = None  # None: this vintage of the file does not report the stream
    notes: list[str] = field(default_factory=list)
    above_tolerance: bool = False

    @property
    def difference(self) -> Decimal | None:
        if self.app is None or self.reported is None:
            return None
        return difference_from_reported(self.app, self.reported)[0]

    @property
    def percent(self) -> Decimal | None:
        if self.app is None or self.reported is None:
            return None
        return difference_from_reported(self.app, self.reported)[1]

    @property
    def basis(self) -> str:
        """Whether the app's figure was paid, would have been paid, or is missing."""
        if not self.in_register:
            return NOT_IN_REGISTER
        if self.app is None:
            return NO_RATE
        if self.months_paid and self.months_unpaid:
            return PART_PAID
        if self.months_paid:
            return PAID
        if self.months_unpaid:
            return WOULD_HAVE_PAID
        return NOTHING

    @property
    def note(self) -> str:
        return " ".join(self.notes)


@dataclass
class Reconciliation:
    year: int
    commissioner: Commissioner | None
    source: ReportedPaymentImport | None
    streams: list[PaymentStream] = field(default_factory=list)
    rows: list[ReconciliationRow] = field(default_factory=list)
    reported_streams: set[str] = field(default_factory=set)
    # Reported to practices the file puts in no PCN, in the scope: not in any PCN's row.
    no_pcn: Decimal = ZERO

    @property
    def label(self) -> str:
        return year_label(self.year)

    def by_pcn(self) -> list[tuple[str, str, bool, list[ReconciliationRow]]]:
        """(code, name, in register, its rows in stream order), PCN by PCN."""
        grouped: dict[str, list[ReconciliationRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.pcn_code, []).append(row)
        return [
            (code, rows[0].pcn_name, rows[0].in_register, rows) for code, rows in grouped.items()
        ]

    def apply(self, tolerance: Tolerance) -> int:
        """Mark the rows above the tolerance; how many there are."""
        for row in self.rows:
            row.above_tolerance = tolerance.exceeded_by(row)
        return sum(row.above_tolerance for row in self.rows)


def latest_import(year: int) -> ReportedPaymentImport | None:
    return (
        ReportedPaymentImport.objects.filter(year=year)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def reconcile(*, year: int, commissioner: Commissioner | None = None) -> Reconciliation:
    """The reconciliation of financial year `year` for a commissioner's PCNs (None: England),
    each PCN with a row per stream. Empty, with no source, when no file has been imported for
    the year."""
    source = latest_import(year)
    result = Reconciliation(year=year, commissioner=commissioner, source=source)
    if source is None:
        return result
    # The streams the national file reports (in some vintage): one row per PCN for each.
    result.streams = [
        stream
        for stream in PaymentStream.objects.order_by("display_order", "code")
        if is_reported(stream.code, stream.reported_columns)
    ]
    result.reported_streams = set((source.counts or {}).get("streams", {}))
    months = year_months(year)
    first, last = months[0], months[-1]

    reported, names = _reported(year, commissioner)
    result.no_pcn = sum((amount for (code, _), amount in reported.items() if not code), ZERO)
    reported_codes = {code for code, _ in reported if code}
    pcns = _pcns(commissioner, first, last)
    register_codes = {pcn.code for pcn in pcns}
    pcn_ids = [pcn.pk for pcn in pcns]
    open_pcns = [
        pcn
        for pcn in pcns
        if pcn.open_date <= dt.date(year + 1, 3, 31)
        and (pcn.close_date is None or pcn.close_date >= first)
    ]
    computed = rate_stream_amounts(pcns=open_pcns, months=months)
    app = _AppSide(
        paid=_paid(pcn_ids, first, last),
        declared=_declared(pcn_ids, first, last),
        arrs=_arrs(pcn_ids, first, last),
        rate_months=_rate_months(first, last),
        computed=computed,
    )
    for pcn in sorted(pcns, key=lambda p: p.code):
        for stream in result.streams:
            row = app.row(pcn, stream, months, year)
            _report(row, reported, result.reported_streams)
            result.rows.append(row)
    for code in sorted(reported_codes - register_codes):
        name = names.get(code, "")
        for stream in result.streams:
            row = ReconciliationRow(
                pcn_code=code, pcn_name=name, in_register=False, stream=stream, app=ZERO
            )
            row.notes.append(
                "The register does not know this PCN, so the app paid it nothing: import the "
                "ePCN file that lists it."
            )
            _report(row, reported, result.reported_streams)
            result.rows.append(row)
    return result


def _report(row: ReconciliationRow, reported, reported_streams) -> None:
    if row.stream.code in reported_streams:
        row.reported = reported.get((row.pcn_code, row.stream.pk), ZERO)
    else:
        row.notes.append("This year's file does not report this stream.")


def _reported(year: int, commissioner: Commissioner | None):
    """{(PCN code as the file names it, stream id): total} and {code: the file's PCN name}. For
    a commissioner: its register PCNs' codes, and codes the register does not know (or no PCN,
    code "") on rows naming its Sub-ICB location."""
    rows = ReportedPayment.objects.filter(year=year)
    if commissioner is not None:
        known = PCN.objects.filter(code=OuterRef("pcn_code"))
        rows = rows.filter(
            Q(pcn_code__in=PCN.objects.filter(commissioner=commissioner).values("code"))
            | (Q(commissioner_code=commissioner.code) & ~Exists(known))
        )
    totals: dict[tuple[str, int], Decimal] = {}
    names: dict[str, str] = {}
    for code, stream_id, total, name in (
        rows.values_list("pcn_code", "stream_id")
        .annotate(total=Sum("amount"), name=Max("pcn_name"))
        .order_by()
    ):
        totals[code, stream_id] = _pence(total)
        names[code] = max(name or "", names.get(code, ""))
    return totals, names


def _pcns(commissioner, first: dt.date, last: dt.date) -> list[PCN]:
    """The register's PCNs: the commissioner's (or England's) open at some time in the year,
    and those the file reports payments for."""
    year_end = dt.date(last.year, 3, 31)
    open_in_year = Q(open_date__lte=year_end) & (
        Q(close_date__isnull=True) | Q(close_date__gte=first)
    )
    codes = ReportedPayment.objects.filter(year=first.year).exclude(pcn_code="")
    pcns = PCN.objects.filter(open_in_year | Q(code__in=codes.values("pcn_code")))
    if commissioner is not None:
        pcns = pcns.filter(commissioner=commissioner)
    return list(pcns.only("pk", "code", "name", "open_date", "close_date", "commissioner_id"))


def _paid(pcn_ids, first, last) -> dict[tuple[int, int, dt.date], Decimal]:
    """Stream amounts of finalised or paid batches: {(pcn, stream, month): amount}."""
    rows = (
        StreamPayment.objects.filter(
            pcn_id__in=pcn_ids, month__gte=first, month__lte=last, batch__status__in=SETTLED
        )
        .values_list("pcn_id", "stream_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(pcn, stream, month): _pence(total) for pcn, stream, month, total in rows}


def _declared(pcn_ids, first, last) -> dict[tuple[int, int, dt.date], Decimal]:
    """Approved declared amounts no finalised batch has paid: {(pcn, stream, month): amount}."""
    settled = StreamPayment.objects.filter(declared_id=OuterRef("pk"), batch__status__in=SETTLED)
    rows = (
        DeclaredPayment.objects.filter(
            pcn_id__in=pcn_ids,
            month__gte=first,
            month__lte=last,
            status=DeclaredPayment.Status.APPROVED,
        )
        .exclude(Exists(settled))
        .values_list("pcn_id", "stream_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(pcn, stream, month): _pence(total) for pcn, stream, month, total in rows}


def _arrs(pcn_ids, first, last) -> dict[tuple[int, dt.date, bool], Decimal]:
    """Approved ARRS claim lines by PCN, claim month and whether a finalised batch paid them
    (an adjustment counts its difference from the line it corrects: calculations.amount_due)."""
    settled = BatchLine.objects.filter(line_id=OuterRef("pk"), batch__status__in=SETTLED)
    rows = (
        ClaimLine.objects.approved()
        .filter(claim__pcn_id__in=pcn_ids, claim__month__gte=first, claim__month__lte=last)
        .annotate(settled=Exists(settled))
        .values_list("claim__pcn_id", "claim__month", "settled")
        .annotate(total=Sum(amount_due()))
        .order_by()
    )
    return {(pcn, month, bool(done)): _pence(total) for pcn, month, done, total in rows}


def _rate_months(first, last) -> dict[int, set[dt.date]]:
    """For each rate-based stream, the months of the year a rate is in force on the 1st."""
    year_end = dt.date(last.year, 3, 31)
    months: dict[int, set[dt.date]] = defaultdict(set)
    for stream_id, start, end in (
        StreamRate.objects.filter(start_date__lte=year_end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("stream_id", "start_date", "end_date")
    ):
        for month in year_months(first.year):
            if start <= month and (end is None or end >= month):
                months[stream_id].add(month)
    return months


@dataclass
class _AppSide:
    paid: dict
    declared: dict
    arrs: dict
    rate_months: dict
    computed: object  # StreamAmounts
    _computed: dict = field(default_factory=dict)
    _gaps: dict = field(default_factory=dict)

    def __post_init__(self):
        for amount in self.computed.amounts:
            key = (amount.pcn_id, amount.stream.pk, amount.month)
            self._computed[key] = self._computed.get(key, ZERO) + amount.amount
        for gap in self.computed.gaps:
            self._gaps.setdefault((gap.pcn_id, gap.stream.pk), []).append(gap.reason)

    def row(self, pcn: PCN, stream: PaymentStream, months, year: int) -> ReconciliationRow:
        row = ReconciliationRow(
            pcn_code=pcn.code, pcn_name=pcn.name, in_register=True, stream=stream, app=ZERO
        )
        if stream.basis == PaymentStream.Basis.CLAIMS:
            self._claims(row, pcn, months)
        else:
            for month in months:
                paid = self.paid.get((pcn.pk, stream.pk, month))
                unpaid = (
                    self._computed.get((pcn.pk, stream.pk, month))
                    if stream.is_rate_based
                    else self.declared.get((pcn.pk, stream.pk, month))
                )
                if paid is not None:
                    row.paid += paid
                    row.months_paid += 1
                    if not stream.is_rate_based and unpaid is not None:
                        # A declared stream: amounts approved since the month's batch.
                        row.would_have_paid += unpaid
                        row.months_unpaid += 1
                elif unpaid is not None:
                    row.would_have_paid += unpaid
                    row.months_unpaid += 1
            if stream.is_rate_based:
                self._rate_notes(row, pcn, stream, year)
            elif not (row.months_paid or row.months_unpaid):
                row.notes.append(f"Nothing declared and approved for {year_label(year)}.")
        row.app = None if row.app is None else row.paid + row.would_have_paid
        return row

    def _claims(self, row: ReconciliationRow, pcn: PCN, months) -> None:
        for month in months:
            paid = self.arrs.get((pcn.pk, month, True))
            unpaid = self.arrs.get((pcn.pk, month, False))
            if paid is not None:
                row.paid += paid
                row.months_paid += 1
            if unpaid is not None:
                row.would_have_paid += unpaid
                row.months_unpaid += 1
        if not (row.months_paid or row.months_unpaid):
            row.notes.append("No approved ARRS claim lines for the year.")

    def _rate_notes(self, row: ReconciliationRow, pcn: PCN, stream, year: int) -> None:
        covered = len(self.rate_months.get(stream.pk, ()))
        if not covered and not row.months_paid:
            row.app = None
            row.notes.append(
                f"No {stream.name.lower()} rate is recorded for {year_label(year)}: the app "
                "cannot say what it would have paid."
            )
            return
        if 0 < covered < 12:
            row.notes.append(f"A rate is in force for {covered} of the year's 12 months.")
        reasons = sorted(set(self._gaps.get((pcn.pk, stream.pk), [])))
        if reasons:
            row.notes.append(
                reasons[0] + (f" (and {len(reasons) - 1} more)" if reasons[1:] else "")
            )
