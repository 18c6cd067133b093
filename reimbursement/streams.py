"""What each rate-based Network Contract DES stream pays a PCN (or a member practice) month by
month, worked out from the stream's dated rates, the practices' list sizes on 1 January before
the financial year and the membership in force on the 1st of each month
(docs/decisions/0014-payment-streams.md).

A fixed number of queries whatever the number of PCNs: one for the streams and their rates, one
for the memberships, one per 1 January for the list sizes. The arithmetic is
calculations.stream_month_amount; nothing here writes.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery

from networks.models import PCN, ListSize, Membership, Practice
from pcn_admin.dates import financial_year, month_bounds

from .calculations import stream_month_amount
from .models import PaymentStream, StreamRate

ZERO = Decimal("0")


def population_date(month: dt.date) -> dt.date:
    """The list sizes a month's payment is worked out on: 1 January before its financial year."""
    return dt.date(financial_year(month), 1, 1)


def year_months(year: int) -> list[dt.date]:
    """April to March of the financial year starting in `year`."""
    return [dt.date(year + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


@dataclass(frozen=True)
class StreamAmount:
    """One stream's amount for a PCN and month: for the payee (practice_id None) or, for
    participation, for one member practice."""

    stream: PaymentStream
    pcn_id: int
    practice_id: int | None
    month: dt.date
    amount: Decimal
    population: Decimal
    rate: StreamRate


@dataclass(frozen=True)
class StreamGap:
    """Why a stream pays nothing (or too little) for a PCN and month, for the person checking."""

    stream: PaymentStream
    pcn_id: int
    month: dt.date
    reason: str


@dataclass
class StreamAmounts:
    amounts: list[StreamAmount] = field(default_factory=list)
    gaps: list[StreamGap] = field(default_factory=list)

    def by_pcn_stream(self) -> dict[tuple[int, str], Decimal]:
        totals: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
        for row in self.amounts:
            totals[row.pcn_id, row.stream.code] += row.amount
        return dict(totals)


def _rates_by_stream() -> dict[PaymentStream, list[StreamRate]]:
    rates: dict[PaymentStream, list[StreamRate]] = defaultdict(list)
    for rate in StreamRate.objects.select_related("stream").order_by("start_date"):
        if rate.stream.is_rate_based:
            rates[rate.stream].append(rate)
    return rates


def _rate_on(rates: list[StreamRate], day: dt.date) -> StreamRate | None:
    for rate in rates:
        if rate.start_date <= day and (rate.end_date is None or rate.end_date >= day):
            return rate
    return None


def _latest(field_name: str, on: dt.date):
    rows = ListSize.objects.filter(
        practice_id=OuterRef("pk"), date__lte=on, **{f"{field_name}__isnull": False}
    ).order_by("-date")
    return Subquery(rows.values(field_name)[:1])


def list_sizes_on(practice_ids: Iterable[int], on: dt.date) -> dict[int, tuple]:
    """Each practice's latest registered and weighted list sizes on or before `on`."""
    rows = (
        Practice.objects.filter(pk__in=list(practice_ids))
        .annotate(
            registered=_latest("registered_patients", on),
            weighted=_latest("weighted_patients", on),
        )
        .values_list("pk", "registered", "weighted")
    )
    # SQLite hands a subquery's decimal back through a float: restore the stored 2 places.
    return {
        pk: (
            None if registered is None else Decimal(registered),
            None if weighted is None else Decimal(str(weighted)).quantize(Decimal("0.01")),
        )
        for pk, registered, weighted in rows
    }


def _open_in(pcn: PCN, month: dt.date) -> bool:
    first, last = month_bounds(month)
    return pcn.open_date <= last and (pcn.close_date is None or pcn.close_date >= first)


def rate_stream_amounts(*, pcns: Iterable[PCN], months: Iterable[dt.date]) -> StreamAmounts:
    """Every rate-based stream's amounts for the PCNs over the months: a PCN open in the month
    is paid on the practices that were its members on the month's 1st."""
    pcns = list(pcns)
    months = sorted({m.replace(day=1) for m in months})
    result = StreamAmounts()
    if not pcns or not months:
        return result
    rates = _rates_by_stream()
    memberships = list(
        Membership.objects.filter(pcn_id__in=[p.pk for p in pcns], start_date__lte=months[-1])
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=months[0]))
        .values_list("pcn_id", "practice_id", "start_date", "end_date")
    )
    sizes = {
        on: list_sizes_on({m[1] for m in memberships}, on)
        for on in {population_date(month) for month in months}
    }
    members_by_pcn = defaultdict(list)
    for pcn_id, practice_id, start, end in memberships:
        members_by_pcn[pcn_id].append((practice_id, start, end))
    for pcn in pcns:
        for month in months:
            if not _open_in(pcn, month):
                continue
            members = [
                practice_id
                for practice_id, start, end in members_by_pcn[pcn.pk]
                if start <= month and (end is None or end >= month)
            ]
            _pcn_month(result, rates, pcn, month, sorted(members), sizes[population_date(month)])
    return result


def _pcn_month(result, rates, pcn, month, members, sizes) -> None:
    for stream, stream_rates in rates.items():
        rate = _rate_on(stream_rates, month)
        if rate is None:
            continue
        column = 1 if stream.basis == PaymentStream.Basis.WEIGHTED else 0
        missing = [pk for pk in members if sizes.get(pk, (None, None))[column] is None]
        if not members:
            result.gaps.append(StreamGap(stream, pcn.pk, month, "No member practices."))
            continue
        if missing:
            result.gaps.append(
                StreamGap(
                    stream,
                    pcn.pk,
                    month,
                    f"{len(missing)} member practice(s) have no {stream.basis} list size on "
                    f"{population_date(month):%d %B %Y}: they are left out.",
                )
            )
        counted = [pk for pk in members if pk not in missing]
        if stream.paid_to == PaymentStream.PaidTo.MEMBER_PRACTICE:
            for pk in counted:
                population = sizes[pk][column]
                amount = stream_month_amount(rate.per_patient, population, month)
                result.amounts.append(
                    StreamAmount(stream, pcn.pk, pk, month, amount, population, rate)
                )
        elif counted:
            population = sum((sizes[pk][column] for pk in counted), ZERO)
            amount = stream_month_amount(rate.per_patient, population, month)
            result.amounts.append(
                StreamAmount(stream, pcn.pk, None, month, amount, population, rate)
            )
