"""Time the monthly payment batch build on PostgreSQL at national scale, with every Network
Contract DES stream beside the ARRS lines, against one hand-written SQL statement doing the
same sums, and check the two agree to the penny, stream by stream and PCN by PCN.

Uses DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/pcn_admin_bench (created and
migrated if missing). bench/national.py fills it with 106 commissioners and ~40,000 approved
claim lines for one month inside one transaction, which is rolled back at the end, so the
database is left as it was. Queries are counted without the SAVEPOINT statements that the
bench's outer transaction adds (a real run commits each commissioner's batch instead).
"""

import statistics
import time
from decimal import Decimal

MONTH_RUNS = 5
TARGET_SECONDS = 5.0

# The batch build's work in one statement (the floor it is measured against): the approved
# ARRS lines of each commissioner's PCNs for the month or earlier, in no batch yet, an adjustment
# counting its amount less its approved original's (reimbursement.calculations.adjustment_due);
# and every rate-based Network Contract DES stream's amount for the month: the annual rate x
# the 1 January list sizes of the members on the month's 1st, per member practice for
# participation, paid in twelfths with the year's pennies shared out
# (calculations.stream_month_amount: round(A k/12) - round(A (k-1)/12); PostgreSQL's ROUND
# on numeric is half away from zero, which is half up for these positive amounts).
SQL = """
    WITH arrs AS (
        SELECT pcn.commissioner_id, claim.pcn_id, 'arrs'::text AS stream,
               NULL::bigint AS practice_id, COUNT(*) AS n,
               SUM(COALESCE(line.reimbursable, 0)
                   - CASE WHEN original.status = 'approved'
                          THEN COALESCE(original.reimbursable, 0) ELSE 0 END) AS amount
        FROM reimbursement_claimline AS line
        JOIN reimbursement_claim AS claim ON claim.id = line.claim_id
        JOIN networks_pcn AS pcn ON pcn.id = claim.pcn_id
        LEFT JOIN reimbursement_claimline AS original ON original.id = line.original_line_id
        WHERE line.status = 'approved'
          AND claim.month <= %(month)s
          AND NOT EXISTS (
              SELECT 1 FROM reimbursement_batchline AS batched WHERE batched.line_id = line.id
          )
        GROUP BY pcn.commissioner_id, claim.pcn_id
    ),
    members AS (
        SELECT pcn.commissioner_id, m.pcn_id, m.practice_id,
               (SELECT ls.registered_patients FROM networks_listsize AS ls
                WHERE ls.practice_id = m.practice_id AND ls.date <= %(january)s
                  AND ls.registered_patients IS NOT NULL
                ORDER BY ls.date DESC LIMIT 1) AS registered,
               (SELECT ls.weighted_patients FROM networks_listsize AS ls
                WHERE ls.practice_id = m.practice_id AND ls.date <= %(january)s
                  AND ls.weighted_patients IS NOT NULL
                ORDER BY ls.date DESC LIMIT 1) AS weighted
        FROM networks_membership AS m
        JOIN networks_pcn AS pcn ON pcn.id = m.pcn_id
        WHERE m.start_date <= %(month)s AND (m.end_date IS NULL OR m.end_date >= %(month)s)
          AND pcn.open_date <= %(month_end)s
          AND (pcn.close_date IS NULL OR pcn.close_date >= %(month)s)
    ),
    rates AS (
        SELECT stream.code, stream.basis, stream.paid_to, rate.per_patient
        FROM reimbursement_streamrate AS rate
        JOIN reimbursement_paymentstream AS stream ON stream.id = rate.stream_id
        WHERE rate.start_date <= %(month)s
          AND (rate.end_date IS NULL OR rate.end_date >= %(month)s)
    ),
    annual AS (
        SELECT members.commissioner_id, members.pcn_id, rates.code AS stream,
               CASE WHEN rates.paid_to = 'member_practice' THEN members.practice_id END
                   AS practice_id,
               SUM(rates.per_patient * CASE WHEN rates.basis = 'weighted'
                                            THEN members.weighted
                                            ELSE members.registered END) AS amount
        FROM members CROSS JOIN rates
        WHERE CASE WHEN rates.basis = 'weighted' THEN members.weighted
                   ELSE members.registered END IS NOT NULL
        GROUP BY 1, 2, 3, 4
    )
    SELECT commissioner_id, pcn_id, stream, practice_id, n, amount FROM arrs
    UNION ALL
    SELECT commissioner_id, pcn_id, stream, practice_id, 1,
           ROUND(amount * %(k)s / 12, 2) - ROUND(amount * (%(k)s - 1) / 12, 2)
    FROM annual
"""


def _params(month) -> dict:
    from pcn_admin.dates import month_bounds
    from reimbursement.calculations import month_of_year
    from reimbursement.streams import population_date

    return {
        "month": month,
        "month_end": month_bounds(month)[1],
        "january": population_date(month),
        "k": month_of_year(month),
    }


def _print(label: str, value: str) -> None:
    print(f"   {label:<34} {value}", flush=True)


def _per_commissioner(queries: list[dict]) -> tuple[list[str], list[int]]:
    """Queries without savepoints, and how many each commissioner's build ran (each build
    starts by locking its commissioner's row)."""
    sql = [
        q["sql"]
        for q in queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]
    counts: list[int] = []
    for statement in sql:
        if statement.endswith("FOR UPDATE") and '"networks_commissioner"' in statement:
            counts.append(0)
        if counts:
            counts[-1] += 1
    return sql, counts


def _timed_build(month):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reimbursement.batches import batches_build

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        results = batches_build(month=month)
        seconds = time.perf_counter() - started
    sql, counts = _per_commissioner(captured.captured_queries)
    return seconds, results, sql, counts


def main() -> None:
    import national

    national.connect()
    from django.db import connection, transaction
    from django.db.models import Count, Sum

    from reimbursement.models import Batch, BatchLine, BatchPayee, StreamPayment

    _print("database:", f"{connection.vendor} {connection.settings_dict['NAME']}")
    if connection.vendor != "postgresql":
        print("   SKIPPED: bench_batches needs PostgreSQL (set DATABASE_URL).")
        return
    with transaction.atomic():
        data = national.build(month=national.MONTH, months=1, referrals=0)
        month = data.month

        runs = []
        params = _params(month)
        with connection.cursor() as cursor:
            for _ in range(MONTH_RUNS):
                started = time.perf_counter()
                cursor.execute(SQL, params)
                rows = cursor.fetchall()
                runs.append(time.perf_counter() - started)
        sql_seconds = statistics.median(runs)
        sql_total = sum((row[5] for row in rows), Decimal("0"))
        sql_lines = sum(row[4] for row in rows if row[2] == "arrs")
        by_pcn: dict[int, Decimal] = {}
        by_stream: dict[str, Decimal] = {}
        for _commissioner, pcn, stream, _practice, _n, amount in rows:
            by_pcn[pcn] = by_pcn.get(pcn, Decimal("0")) + amount
            by_stream[stream] = by_stream.get(stream, Decimal("0")) + amount
        _print(f"SQL floor, one statement (median of {MONTH_RUNS})", f"{sql_seconds:6.2f} s")
        _print(
            "SQL figures",
            f"{len({r[0] for r in rows})} commissioners, {len(by_pcn)} PCNs, {sql_lines} ARRS "
            f"lines, {sum(1 for r in rows if r[2] != 'arrs')} stream amounts, £{sql_total:,}",
        )
        for stream, amount in sorted(by_stream.items()):
            _print(f"  {stream}", f"£{amount:,}")

        build_seconds, results, sql, counts = _timed_build(month)
        _print("batches_build, cold", f"{build_seconds:6.2f} s")
        # batches_build reports a commissioner's failure and goes on: show any here.
        failed = [r for r in results if r.batch is None and r.message.startswith("Failed")]
        for result in failed[:3]:
            _print(f"  FAILED {result.commissioner_code}", result.message[:200])
        _print(
            "  queries",
            f"{len(sql)} in all; per commissioner max {max(counts)}, "
            f"mean {statistics.mean(counts):.1f} ({len(counts)} commissioners)",
        )
        again_seconds, again, again_sql, _ = _timed_build(month)
        added_again = sum(result.added for result in again)
        _print("batches_build, re-run", f"{again_seconds:6.2f} s")
        _print("  queries", f"{len(again_sql)} in all; {added_again} line(s) added")

        batches = Batch.objects.filter(month=month)
        figures = batches.aggregate(
            total=Sum("total"),
            lines=Sum("line_count"),
            streams=Sum("stream_payment_count"),
            n=Count("pk"),
        )
        stream_figures = dict(
            StreamPayment.objects.filter(batch__month=month)
            .values_list("stream__code")
            .annotate(total=Sum("amount"))
        )
        batch_lines = BatchLine.objects.filter(batch__month=month).aggregate(
            n=Count("pk"), distinct=Count("line_id", distinct=True)
        )
        payees = dict(BatchPayee.objects.filter(batch__month=month).values_list("pcn_id", "amount"))
        difference = (figures["total"] or Decimal("0")) - sql_total
        pcns_differing = sum(
            1 for pcn, amount in by_pcn.items() if payees.get(pcn) != amount
        ) + len(set(payees) - set(by_pcn))
        _print(
            "batches",
            f"{figures['n']} batches, {figures['lines']} ARRS lines, {figures['streams']} "
            f"stream amounts, £{figures['total']:,}",
        )
        streams_differing = [
            code
            for code in set(stream_figures) | (set(by_stream) - {"arrs"})
            if stream_figures.get(code) != by_stream.get(code)
        ]
        _print(
            "each stream's total equals the SQL's",
            "OK" if not streams_differing else f"DIFFER: {', '.join(sorted(streams_differing))}",
        )
        _print(
            "total equals the SQL's",
            "OK" if difference == 0 else f"DIFFERS by £{difference:,}",
        )
        _print(
            "PCN subtotals equal the SQL's",
            "OK" if pcns_differing == 0 else f"{pcns_differing} PCN(s) differ",
        )
        duplicates = batch_lines["n"] - batch_lines["distinct"]
        _print("each claim line batched once", "OK" if duplicates == 0 else f"{duplicates} twice")
        _print("ratio build / SQL", f"{build_seconds / sql_seconds:6.1f}")
        _print(
            f"build under {TARGET_SECONDS:.0f} s target",
            "yes" if build_seconds < TARGET_SECONDS else "NO",
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
