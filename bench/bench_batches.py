"""Time the monthly payment batch build on PostgreSQL at national scale, with every Network
Contract DES stream beside the ARRS lines, against two hand-written floors: one SQL statement
doing the same sums (SQL), and one set-based SQL job doing the whole batch (JOB: the batches,
the batch lines, the stream payments and the payee subtotals written, in a transaction rolled
back); check the build agrees with both to the penny, stream by stream and PCN by PCN.

At one year (`run(1)`, and `python bench/bench_batches.py`) the database is DATABASE_URL if
set, else postgres://postgres@127.0.0.1:5432/pcn_admin_bench (created and migrated if
missing): bench/national.py fills it with 106 commissioners, ~40,000 posts and a year of
claims (the eleven months before already in paid batches) inside one transaction, which is
rolled back at the end. At ten years (`run(10)`) it is the kept history of bench/decade.py
(4.8 million lines, 119 paid batches per commissioner), the build again in a transaction
rolled back. Queries are counted without the SAVEPOINT statements that the bench's outer
transaction adds (a real run commits each commissioner's batch instead).
"""

import statistics
import time
from decimal import Decimal

MONTH_RUNS = 5
JOB_RUNS = 3
TARGET_SECONDS = 5.0
# The build within this multiple of the whole-job floor (issue 18).
TARGET_RATIO = 3.0

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


# The whole batch as one set-based job (the floor the build's ratio is measured against): the
# waiting ARRS lines and the month's stream amounts (as SQL above) and the approved declared
# amounts not yet paid; one new draft batch per commissioner with any of them, its id taken
# from the sequence first, so the lines, stream payments and payee subtotals can name it and
# the batch row be written last, with its totals; the payee is the PCN's nominated payee in
# force at the end of the month, or failing that its current one (batches._payees_on). A line
# is "marked" as paid by its batch line: the claim line itself never changes (decision 0005).
# The bench's database has no batch for the month yet: a refresh of a draft is the build's.
JOB = """
    WITH waiting AS (
        SELECT line.id AS line_id, claim.pcn_id, pcn.commissioner_id, claim.month AS claim_month,
               COALESCE(line.reimbursable, 0)
               - CASE WHEN original.status = 'approved'
                      THEN COALESCE(original.reimbursable, 0) ELSE 0 END AS amount
        FROM reimbursement_claimline AS line
        JOIN reimbursement_claim AS claim ON claim.id = line.claim_id
        JOIN networks_pcn AS pcn ON pcn.id = claim.pcn_id
        LEFT JOIN reimbursement_claimline AS original ON original.id = line.original_line_id
        WHERE line.status = 'approved'
          AND claim.month <= %(month)s
          AND NOT EXISTS (
              SELECT 1 FROM reimbursement_batchline AS batched WHERE batched.line_id = line.id
          )
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
        SELECT stream.id AS stream_id, stream.code, stream.basis, stream.paid_to,
               rate.id AS rate_id, rate.per_patient
        FROM reimbursement_streamrate AS rate
        JOIN reimbursement_paymentstream AS stream ON stream.id = rate.stream_id
        WHERE stream.basis IN ('registered', 'weighted')
          AND rate.start_date <= %(month)s
          AND (rate.end_date IS NULL OR rate.end_date >= %(month)s)
    ),
    streams AS (
        SELECT members.commissioner_id, members.pcn_id, rates.stream_id, rates.code,
               rates.rate_id,
               CASE WHEN rates.paid_to = 'member_practice' THEN members.practice_id END
                   AS practice_id,
               SUM(CASE WHEN rates.basis = 'weighted' THEN members.weighted
                        ELSE members.registered END) AS population,
               SUM(rates.per_patient * CASE WHEN rates.basis = 'weighted'
                                            THEN members.weighted
                                            ELSE members.registered END) AS annual
        FROM members CROSS JOIN rates
        WHERE CASE WHEN rates.basis = 'weighted' THEN members.weighted
                   ELSE members.registered END IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6
    ),
    stream_amounts AS (
        SELECT streams.*,
               streams.code || ':' || streams.pcn_id || ':'
               || COALESCE(streams.practice_id::text, '-') || ':'
               || to_char(%(month)s::date, 'YYYY-MM') AS key
        FROM streams
    ),
    declared AS (
        SELECT d.id, pcn.commissioner_id, d.pcn_id, d.stream_id, d.practice_id, d.month,
               d.amount
        FROM reimbursement_declaredpayment AS d
        JOIN networks_pcn AS pcn ON pcn.id = d.pcn_id
        WHERE d.status = 'approved' AND d.month <= %(month)s
          AND NOT EXISTS (
              SELECT 1 FROM reimbursement_streampayment AS paid WHERE paid.declared_id = d.id
          )
    ),
    payee AS (
        SELECT pcn.id AS pcn_id, chosen.practice_id,
               COALESCE(practice.name, chosen.account_name, '') AS name
        FROM networks_pcn AS pcn
        LEFT JOIN LATERAL (
            SELECT * FROM (
                (SELECT 1 AS rank, n.start_date, n.practice_id, n.account_name
                 FROM networks_nominatedpayee AS n
                 WHERE n.pcn_id = pcn.id AND n.start_date <= %(month_end)s
                   AND (n.end_date IS NULL OR n.end_date >= %(month_end)s))
                UNION ALL
                (SELECT 2, n.start_date, n.practice_id, n.account_name
                 FROM networks_nominatedpayee AS n
                 WHERE n.pcn_id = pcn.id AND n.end_date IS NULL)
            ) AS candidates
            ORDER BY rank, start_date DESC LIMIT 1
        ) AS chosen ON true
        LEFT JOIN networks_practice AS practice ON practice.id = chosen.practice_id
    ),
    work AS (
        SELECT commissioner_id FROM waiting
        UNION SELECT commissioner_id FROM stream_amounts AS s
        WHERE NOT EXISTS (SELECT 1 FROM reimbursement_streampayment AS paid
                          WHERE paid.key = s.key)
        UNION SELECT commissioner_id FROM declared
    ),
    batch_ids AS MATERIALIZED (
        SELECT commissioner_id,
               nextval(pg_get_serial_sequence('reimbursement_batch', 'id')) AS batch_id
        FROM work
    ),
    line_rows AS (
        INSERT INTO reimbursement_batchline
            (batch_id, line_id, pcn_id, claim_month, amount, late, added_at)
        SELECT b.batch_id, w.line_id, w.pcn_id, w.claim_month, w.amount,
               w.claim_month < %(month)s, %(now)s
        FROM waiting AS w JOIN batch_ids AS b USING (commissioner_id)
        RETURNING batch_id, pcn_id, amount, late
    ),
    stream_rows AS (
        INSERT INTO reimbursement_streampayment (batch_id, stream_id, pcn_id, practice_id,
            payee_name, month, amount, population, rate_id, declared_id, late, key, added_at)
        SELECT b.batch_id, s.stream_id, s.pcn_id, COALESCE(s.practice_id, payee.practice_id),
               CASE WHEN s.practice_id IS NULL THEN COALESCE(payee.name, '') ELSE '' END,
               %(month)s, ROUND(s.annual * %(k)s / 12, 2) - ROUND(s.annual * (%(k)s - 1) / 12, 2),
               s.population, s.rate_id, NULL, false, s.key, %(now)s
        FROM stream_amounts AS s
        JOIN batch_ids AS b USING (commissioner_id)
        LEFT JOIN payee USING (pcn_id)
        WHERE NOT EXISTS (SELECT 1 FROM reimbursement_streampayment AS paid WHERE paid.key = s.key)
        UNION ALL
        SELECT b.batch_id, d.stream_id, d.pcn_id, COALESCE(d.practice_id, payee.practice_id),
               CASE WHEN d.practice_id IS NULL THEN COALESCE(payee.name, '') ELSE '' END,
               d.month, d.amount, NULL, NULL, d.id, d.month < %(month)s, 'declared:' || d.id,
               %(now)s
        FROM declared AS d
        JOIN batch_ids AS b USING (commissioner_id)
        LEFT JOIN payee USING (pcn_id)
        RETURNING batch_id, pcn_id, amount
    ),
    line_totals AS (
        SELECT batch_id, pcn_id, SUM(amount) AS amount, COUNT(*) AS n,
               COUNT(*) FILTER (WHERE late) AS late
        FROM line_rows GROUP BY 1, 2
    ),
    stream_totals AS (
        SELECT batch_id, pcn_id, SUM(amount) AS amount, COUNT(*) AS n
        FROM stream_rows GROUP BY 1, 2
    ),
    payee_rows AS (
        INSERT INTO reimbursement_batchpayee (batch_id, pcn_id, payee_practice_id, payee_name,
            amount, arrs_amount, line_count, late_line_count)
        SELECT totals.batch_id, totals.pcn_id, payee.practice_id, COALESCE(payee.name, ''),
               COALESCE(l.amount, 0) + COALESCE(s.amount, 0), COALESCE(l.amount, 0),
               COALESCE(l.n, 0), COALESCE(l.late, 0)
        FROM (SELECT batch_id, pcn_id FROM line_totals
              UNION SELECT batch_id, pcn_id FROM stream_totals) AS totals
        LEFT JOIN line_totals AS l USING (batch_id, pcn_id)
        LEFT JOIN stream_totals AS s USING (batch_id, pcn_id)
        LEFT JOIN payee ON payee.pcn_id = totals.pcn_id
        RETURNING batch_id, amount, line_count, late_line_count
    )
    INSERT INTO reimbursement_batch (id, commissioner_id, month, reference, status, total,
        line_count, late_line_count, stream_payment_count, created_at, built_at,
        payment_reference)
    SELECT b.batch_id, b.commissioner_id, %(month)s,
           c.code || '-' || to_char(%(month)s::date, 'YYYY-MM'), 'draft',
           COALESCE(p.total, 0), COALESCE(p.lines, 0), COALESCE(p.late, 0), COALESCE(s.n, 0),
           %(now)s, %(now)s, ''
    FROM batch_ids AS b
    JOIN networks_commissioner AS c ON c.id = b.commissioner_id
    LEFT JOIN (SELECT batch_id, SUM(amount) AS total, SUM(line_count) AS lines,
                      SUM(late_line_count) AS late
               FROM payee_rows GROUP BY 1) AS p USING (batch_id)
    LEFT JOIN (SELECT batch_id, SUM(n) AS n FROM stream_totals GROUP BY 1) AS s USING (batch_id)
"""


def _params(month) -> dict:
    from django.utils import timezone

    from pcn_admin.dates import month_bounds
    from reimbursement.calculations import month_of_year
    from reimbursement.streams import population_date

    return {
        "month": month,
        "month_end": month_bounds(month)[1],
        "january": population_date(month),
        "k": month_of_year(month),
        "now": timezone.now(),
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


def _timed_job(month, runs: int) -> tuple[float, dict]:
    """The whole-job floor, `runs` times, each in a savepoint rolled back; its median time and
    what it wrote (read before the rollback)."""
    from django.db import connection, transaction

    times, figures = [], {}
    for _ in range(runs):
        savepoint = transaction.savepoint()
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(JOB, _params(month))
            times.append(time.perf_counter() - started)
            cursor.execute(
                """
                SELECT COUNT(*), COALESCE(SUM(b.total), 0), COALESCE(SUM(b.line_count), 0),
                       COALESCE(SUM(b.stream_payment_count), 0),
                       (SELECT COUNT(*) FROM reimbursement_batchline AS l
                        JOIN reimbursement_batch AS x ON x.id = l.batch_id
                        WHERE x.month = %(month)s)
                FROM reimbursement_batch AS b WHERE b.month = %(month)s
                """,
                {"month": month},
            )
            n, total, lines, streams, links = cursor.fetchone()
            cursor.execute(
                "SELECT p.pcn_id, p.amount FROM reimbursement_batchpayee AS p "
                "JOIN reimbursement_batch AS b ON b.id = p.batch_id WHERE b.month = %s",
                [month],
            )
            payees = dict(cursor.fetchall())
        transaction.savepoint_rollback(savepoint)
        figures = {
            "batches": n,
            "total": total,
            "lines": lines,
            "streams": streams,
            "links": links,
            "payees": payees,
        }
    return statistics.median(times), figures


def measure(month, *, scale: int) -> list:
    """Every figure for the month's build on the data in place (inside the caller's
    transaction), printed and returned for the side-by-side table."""
    from django.db import connection
    from django.db.models import Count, Sum
    from figures import Figure

    from reimbursement.models import Batch, BatchLine, BatchPayee, StreamPayment

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

    job_seconds, job = _timed_job(month, JOB_RUNS)
    _print(f"SQL job, whole batch (median of {JOB_RUNS})", f"{job_seconds:6.2f} s")
    _print(
        "  it wrote",
        f"{job['batches']} batches, {job['links']} batch lines, {job['streams']} stream "
        f"payments, {len(job['payees'])} payee subtotals, £{job['total']:,}",
    )

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
    pcns_differing = sum(1 for pcn, amount in by_pcn.items() if payees.get(pcn) != amount) + len(
        set(payees) - set(by_pcn)
    )
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
    job_agrees = (
        job["total"] == figures["total"]
        and job["batches"] == figures["n"]
        and job["lines"] == figures["lines"]
        and job["streams"] == figures["streams"]
        and job["payees"] == payees
    )
    _print(
        "the job's batches equal the build's",
        "OK" if job_agrees else f"DIFFER: job £{job['total']:,}, {job['batches']} batches",
    )
    duplicates = batch_lines["n"] - batch_lines["distinct"]
    _print("each claim line batched once", "OK" if duplicates == 0 else f"{duplicates} twice")
    _print("ratio build / SQL", f"{build_seconds / sql_seconds:6.1f}")
    ratio = build_seconds / job_seconds
    _print("ratio build / job", f"{ratio:6.1f}")
    _print(
        f"build under {TARGET_SECONDS:.0f} s target",
        "yes" if build_seconds < TARGET_SECONDS else "NO",
    )
    _print(f"build within {TARGET_RATIO:.0f}x the job", "yes" if ratio <= TARGET_RATIO else "NO")
    agrees = not streams_differing and difference == 0 and pcns_differing == 0 and job_agrees
    return [
        Figure("waiting ARRS lines", f"{figures['lines']:,}"),
        Figure("SQL floor, one statement", f"{sql_seconds:.2f} s"),
        Figure("SQL job, whole batch", f"{job_seconds:.2f} s"),
        Figure(
            "batches_build, cold",
            f"{build_seconds:.2f} s",
            f"< {TARGET_SECONDS:.0f} s",
            build_seconds < TARGET_SECONDS,
        ),
        Figure("batches_build, re-run", f"{again_seconds:.2f} s"),
        Figure(
            "ratio build / job", f"{ratio:.1f}x", f"<= {TARGET_RATIO:.0f}x", ratio <= TARGET_RATIO
        ),
        Figure("queries per commissioner (max)", f"{max(counts)}"),
        Figure("agrees to the penny", "OK" if agrees else "DIFFERS", "same pennies", agrees),
    ]


def run(scale: int) -> list:
    """The figures at one year (made and rolled back) or ten years (the kept history)."""
    import national
    from figures import connect_scale

    if not connect_scale(scale, "bench_batches"):
        return []
    from django.db import transaction

    with transaction.atomic():
        if scale == 1:
            month = national.build(month=national.MONTH, months=12, referrals=0).month
        else:
            import decade

            month = decade.LAST_MONTH
        figures = measure(month, scale=scale)
        transaction.set_rollback(True)
    return figures


def main() -> None:
    run(1)


if __name__ == "__main__":
    main()
