"""What PCNs were paid, stream by stream, month by month over a financial year: the amounts
in payment batches (each Network Contract DES stream's StreamPayments, and ARRS as the
approved claim lines' BatchLines), by the batch's month, with the batch's status; and, for a
month no batch has been built for yet, what the rate-based streams are expected to pay
(reimbursement.streams), marked as expected rather than batched.

Reads only, in a fixed number of queries whatever the number of PCNs, months or amounts: the
streams and their rates, the batches, the stream amounts and the ARRS lines, each once, and
the expected amounts' three (reimbursement.streams.rate_stream_amounts). Every figure is a sum
of amounts already in pence, so nothing is rounded here.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum

from networks.models import PCN

from .models import Batch, BatchLine, PaymentStream, StreamPayment, StreamRate
from .streams import StreamGap, rate_stream_amounts, year_months

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
ARRS = "arrs"
EXPECTED = "expected"
# A month's figures are as final as the least final batch holding them.
STAGES = (Batch.Status.DRAFT, Batch.Status.FINALISED, Batch.Status.PAID)
STATUS_TEXT = {
    Batch.Status.DRAFT: "Draft batch",
    Batch.Status.FINALISED: "Finalised",
    Batch.Status.PAID: "Paid",
    EXPECTED: "Expected (not yet batched)",
    "": "Nothing due",
}


def _pence(value) -> Decimal:
    # SQLite hands a sum back through a float: the stored amounts are in pence already.
    return Decimal(str(value or 0)).quantize(PENNY)


def _least_final(first: str, second: str) -> str:
    return min(first, second, key=lambda s: STAGES.index(s) if s in STAGES else len(STAGES))


@dataclass
class MonthIncome:
    """One PCN's (or several PCNs') month: each stream's amount, and whether it is batched
    (with the batch's status) or only expected from the rates."""

    month: dt.date
    status: str
    amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def is_expected(self) -> bool:
        return self.status == EXPECTED

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)


@dataclass
class StreamTotal:
    stream: PaymentStream
    batched: Decimal = ZERO
    paid: Decimal = ZERO
    expected: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.batched + self.expected


@dataclass
class YearIncome:
    year: int
    streams: list[PaymentStream]
    # (PCN id, month) -> the batched amounts by stream code, and their batch status
    batched: dict[tuple[int, dt.date], dict[str, Decimal]]
    statuses: dict[tuple[int, dt.date], str]
    # (PCN id, month) -> the expected amounts by stream code, for months with no batch yet
    expected: dict[tuple[int, dt.date], dict[str, Decimal]]
    gaps: list[StreamGap]
    # Rate-based streams with no rate recorded for some month of the year: nothing is expected
    unrated: list["Unrated"]

    @property
    def months(self) -> list[dt.date]:
        return year_months(self.year)

    def pcn_months(self, pcn_id: int) -> list[MonthIncome]:
        """The PCN's twelve months, April to March."""
        rows = []
        for month in self.months:
            key = (pcn_id, month)
            if key in self.batched or self.statuses.get(key):
                rows.append(
                    MonthIncome(month, self.statuses.get(key, ""), dict(self.batched.get(key, {})))
                )
            elif key in self.expected:
                rows.append(MonthIncome(month, EXPECTED, dict(self.expected[key])))
            else:
                rows.append(MonthIncome(month, ""))
        return rows

    def stream_totals(self, pcn_ids: Iterable[int] | None = None) -> list[StreamTotal]:
        """Each stream's year, for the PCNs given (else all): batched, of which paid, and
        expected for months not yet batched. Every stream, in display order."""
        wanted = None if pcn_ids is None else set(pcn_ids)
        totals = {stream.code: StreamTotal(stream) for stream in self.streams}
        for (pcn_id, month), amounts in self.batched.items():
            if wanted is not None and pcn_id not in wanted:
                continue
            paid = self.statuses.get((pcn_id, month)) == Batch.Status.PAID
            for code, amount in amounts.items():
                totals[code].batched += amount
                if paid:
                    totals[code].paid += amount
        for (pcn_id, _month), amounts in self.expected.items():
            if wanted is not None and pcn_id not in wanted:
                continue
            for code, amount in amounts.items():
                totals[code].expected += amount
        return list(totals.values())

    def streams_with_amounts(self, pcn_ids: Iterable[int] | None = None) -> list[PaymentStream]:
        """The streams worth a column: ARRS always, any other with an amount in the year."""
        totals = self.stream_totals(pcn_ids)
        return [t.stream for t in totals if t.stream.code == ARRS or t.batched or t.expected]


def _streams() -> list[PaymentStream]:
    rates = Prefetch("rates", queryset=StreamRate.objects.order_by("start_date"))
    return list(PaymentStream.objects.prefetch_related(rates).order_by("display_order", "code"))


@dataclass(frozen=True)
class Unrated:
    """A rate-based stream with no rate recorded for some month of the year, so nothing is
    expected for it then; `last_end` is when its latest rate ended, if it did."""

    stream: PaymentStream
    last_end: dt.date | None

    @property
    def text(self) -> str:
        if self.last_end is None:
            return self.stream.name
        end = self.last_end
        return f"{self.stream.name} (its latest rate ended on {end.day} {end:%B %Y})"


def _unrated(streams: list[PaymentStream], months: list[dt.date]) -> list[Unrated]:
    """Whether a stream has ended (extended hours, to September 2022) or its rate is simply not
    published yet (clinical director from 2024/25) is not recorded: both are named, with the
    end of the latest rate, for the reader to tell."""
    missing = []
    for stream in streams:
        if not stream.is_rate_based:
            continue
        rates = list(stream.rates.all())
        covered = all(
            any(r.start_date <= m and (r.end_date is None or r.end_date >= m) for r in rates)
            for m in months
        )
        if not covered:
            ends = [r.end_date for r in rates if r.end_date and r.end_date < months[-1]]
            missing.append(Unrated(stream, max(ends) if ends else None))
    return missing


def year_income(*, pcns: Iterable[PCN], year: int, expected: bool = True) -> YearIncome:
    """The PCNs' batched income by stream and batch month over the financial year starting in
    `year`, and (unless `expected` is False) what the rate-based streams are expected to pay
    in the months no batch has been built for."""
    pcns = list(pcns)
    months = year_months(year)
    first, last = months[0], months[-1]
    streams = _streams()
    codes = {stream.pk: stream.code for stream in streams}
    ids = [pcn.pk for pcn in pcns]
    batched: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    statuses: dict = {}

    def add(pcn_id, month, code, amount, status) -> None:
        key = (pcn_id, month)
        batched[key][code] += _pence(amount)
        statuses[key] = _least_final(statuses.get(key, status), status)

    for row in (
        StreamPayment.objects.filter(pcn_id__in=ids, batch__month__range=(first, last))
        .values("pcn_id", "stream_id", "batch__month", "batch__status")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        add(
            row["pcn_id"],
            row["batch__month"],
            codes[row["stream_id"]],
            row["total"],
            row["batch__status"],
        )
    for row in (
        BatchLine.objects.filter(pcn_id__in=ids, batch__month__range=(first, last))
        .values("pcn_id", "batch__month", "batch__status")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        add(row["pcn_id"], row["batch__month"], ARRS, row["total"], row["batch__status"])

    # A batch built for the PCN's commissioner holds the month even when it paid this PCN
    # nothing: only months with no batch at all are expected.
    built = {
        (commissioner_id, month): status
        for commissioner_id, month, status in Batch.objects.filter(
            commissioner_id__in={pcn.commissioner_id for pcn in pcns},
            month__range=(first, last),
        ).values_list("commissioner_id", "month", "status")
    }
    unbatched = []
    for pcn in pcns:
        for month in months:
            key = (pcn.pk, month)
            status = built.get((pcn.commissioner_id, month))
            if key in statuses:
                continue
            if status:
                statuses[key] = status
            else:
                unbatched.append(key)

    expected_amounts: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    gaps: list[StreamGap] = []
    if expected and unbatched:
        wanted = set(unbatched)
        waiting = [pcn for pcn in pcns if any((pcn.pk, m) in wanted for m in months)]
        result = rate_stream_amounts(pcns=waiting, months={m for _, m in unbatched})
        for amount in result.amounts:
            if (amount.pcn_id, amount.month) in wanted:
                expected_amounts[amount.pcn_id, amount.month][amount.stream.code] += amount.amount
        gaps = [gap for gap in result.gaps if (gap.pcn_id, gap.month) in wanted]
    return YearIncome(
        year=year,
        streams=streams,
        batched={key: dict(value) for key, value in batched.items()},
        statuses=statuses,
        expected={key: dict(value) for key, value in expected_amounts.items()},
        gaps=gaps,
        unrated=_unrated(streams, months),
    )
