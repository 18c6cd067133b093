"""Time the monthly payment batch build on PostgreSQL at national scale, against one
hand-written SQL statement doing the same sums, and check the two agree to the penny.

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

# The batch build's sums in one statement: approved lines of each commissioner's PCNs for the
# month or earlier, in no batch yet; an adjustment line counts its amount less its original
# line's when that original was approved (reimbursement.calculations.adjustment_due).
SQL = """
    SELECT pcn.commissioner_id,
           claim.pcn_id,
           COUNT(*) AS lines,
           SUM(COALESCE(line.reimbursable, 0)
               - CASE WHEN original.status = 'approved'
                      THEN COALESCE(original.reimbursable, 0) ELSE 0 END) AS amount
    FROM reimbursement_claimline AS line
    JOIN reimbursement_claim AS claim ON claim.id = line.claim_id
    JOIN networks_pcn AS pcn ON pcn.id = claim.pcn_id
    LEFT JOIN reimbursement_claimline AS original ON original.id = line.original_line_id
    WHERE line.status = 'approved'
      AND claim.month <= %s
      AND NOT EXISTS (
          SELECT 1 FROM reimbursement_batchline AS batched WHERE batched.line_id = line.id
      )
    GROUP BY pcn.commissioner_id, claim.pcn_id
"""


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

    from reimbursement.models import Batch, BatchLine, BatchPayee

    _print("database:", f"{connection.vendor} {connection.settings_dict['NAME']}")
    if connection.vendor != "postgresql":
        print("   SKIPPED: bench_batches needs PostgreSQL (set DATABASE_URL).")
        return
    with transaction.atomic():
        data = national.build(month=national.MONTH, months=1, referrals=0)
        month = data.month

        runs = []
        with connection.cursor() as cursor:
            for _ in range(MONTH_RUNS):
                started = time.perf_counter()
                cursor.execute(SQL, [month])
                rows = cursor.fetchall()
                runs.append(time.perf_counter() - started)
        sql_seconds = statistics.median(runs)
        sql_total = sum((row[3] for row in rows), Decimal("0"))
        sql_lines = sum(row[2] for row in rows)
        by_pcn = {row[1]: row[3] for row in rows}
        _print(f"SQL aggregate (median of {MONTH_RUNS})", f"{sql_seconds:6.2f} s")
        _print(
            "SQL figures",
            f"{len({r[0] for r in rows})} commissioners, {len(rows)} PCNs, {sql_lines} lines, "
            f"£{sql_total:,}",
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
        figures = batches.aggregate(total=Sum("total"), lines=Sum("line_count"), n=Count("pk"))
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
            f"{figures['n']} batches, {figures['lines']} lines, £{figures['total']:,}",
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
