"""Ten years of invented national data for the benches (issue 18), built once into its own
database and kept: 120 months of ARRS claims (about 40,000 lines a month, 4.8 million in all),
every month but the last in a paid batch per commissioner with its batch lines, subtotals and
Network Contract DES stream payments, ten ePCN vintages of membership history (practices moving
between PCNs each April), list sizes for every year, about 5 million social prescribing
referrals with their contacts and wellbeing outcomes, and the link workers who recorded them.

The register and the posts come from Python through national.Writer's COPY (a few hundred
thousand rows); everything by the million is made in PostgreSQL by INSERT ... SELECT, with ids
worked out from the month and the PCN, so nothing of it passes through Python. The load runs
with `session_replication_role = replica` (no per-row foreign-key triggers: queued for millions
of rows they take longer than the load) and every foreign key written is then checked with one
anti-join per column instead, before the transaction commits.

Dates. The last month is national.MONTH's dashboards month (February 2026): its approved lines
and the late ones of January wait for the bench's batch build, as in the one-year mode. The
first is March 2016. ARRS and PCNs began in July 2019: the months before it are invented
history, there for the volume a service carries after ten years, not as a claim that the scheme
ran then; their lines are priced on each role's first seeded maximum, and the PCNs (and their
memberships, payees and directors) are opened with the first month. No stream has a rate before
July 2019, so those months' batches pay ARRS lines only.

`.venv/bin/python bench/decade.py [--rebuild]` builds bench/national.TEN_YEAR_URL if it is
missing or was made by an older version of this file, and prints what it holds.
"""

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import national  # noqa: E402
from national import (  # noqa: E402
    BASELINE,
    FAMILY,
    GIVEN,
    ROLE_MIX,
    SUBCONTRACTED_ROLES,
    National,
    Writer,
    _month_end,
    _months_back,
)

# Bump when the data made here changes: a database made by another version is rebuilt.
VERSION = 1
LAST_MONTH = dt.date(2026, 2, 1)
MONTHS = 120
SEATS = 40_000  # posts in post at any time, each seat refilled when its holder leaves
MEAN_TENURE_DAYS = 5 * 365
REFERRALS = 5_000_000
VINTAGE_MOVE_SHARE = 0.02  # of practices moving to another PCN at each April's ePCN
REJECTED_SHARE = 0.003
LATE_SHARE = 0.01
ADJUSTMENT_SHARE = 0.02
PENDING_SHARE = 0.005
SEED = 2016


def _fy(month: dt.date) -> int:
    return month.year if month.month >= 4 else month.year - 1


# --- posts: seats filled over ten years ------------------------------------------------------


def _build_posts(writer, rng, register, *, roles, months, seats):
    """SEATS posts in post at any time: each seat's first holder started up to three years
    before the first month; each leaves after an exponential tenure (mean five years) and the
    seat is filled again within three months, by someone new in a role of the national mix."""
    from roles.models import Post

    first, last_day = months[0], _month_end(months[-1])
    mix = {code: weight for code, weight in ROLE_MIX.items() if code in roles}
    codes, weights = list(mix), list(mix.values())
    posts = []
    for pcn in rng.choices(register, weights=[p.population for p in register], k=seats):
        start = first - dt.timedelta(days=rng.randint(0, 3 * 365))
        while start <= last_day:
            tenure = int(rng.expovariate(1 / MEAN_TENURE_DAYS)) + 60
            end = start + dt.timedelta(days=tenure)
            code = rng.choices(codes, weights)[0]
            posts.append((pcn, code, start, end if end < last_day else None))
            start = end + dt.timedelta(days=rng.randint(1, 90))
    ids = writer.ids(Post, len(posts))
    rows, hours, made = [], [], []
    for pid, (pcn, code, start, end) in zip(ids, posts, strict=True):
        role = roles[code]
        hours_c, full_time_c, region, band = national.post_terms(rng, pcn, code, role)
        baseline = (
            code in ("clinical_pharmacist", "social_prescribing_link_worker")
            and start <= BASELINE
            and rng.random() < 0.01
        )
        subcontracted = code in SUBCONTRACTED_ROLES and rng.random() < 0.3
        rows.append(
            national.post_row(
                rng,
                pid,
                pcn,
                code,
                role,
                band=band,
                start=start,
                end=end,
                region=region,
                baseline=baseline,
                subcontracted=subcontracted,
            )
        )
        hours.append((pid, start, hours_c))
        made.append(
            (
                pid,
                pcn.id,
                role.pk,
                hours_c,
                full_time_c,
                region,
                band,
                start,
                end,
                not baseline,
                subcontracted and code == "social_prescribing_link_worker",
            )
        )
    national.write_posts(writer, rows, hours)
    return made


def _rate_rows(book, roles, posts, months):
    """(role, region, band, month index) -> the rate a line would be priced on; a month before
    the role's first seeded maximum takes that first one (invented history: see above)."""
    from national import _Post, _rate_on

    combos = {(role_id, region, band) for _, _, role_id, _, _, region, band, *_ in posts}
    code_of = {role.pk: code for code, role in roles.items()}
    rows = []
    for role_id, region, band in sorted(combos):
        code = code_of[role_id]
        firsts = [
            rate.effective_from
            for (role_code, _), rates in book.rates.items()
            if role_code == code
            for rate in rates
        ]
        probe = _Post(0, None, code, role_id, 0, 0, region, band, None, None, True, False)
        for index, month in enumerate(months):
            on = max(month, min(firsts))
            effective_from, annual_pence, rate_id = _rate_on(book, probe, on)
            rows.append((role_id, region, band, index, effective_from, annual_pence, rate_id))
    return rows


# --- SQL helpers -------------------------------------------------------------------------------


def _defaults(model, given, prefix: str) -> tuple[str, str, dict]:
    """The NOT NULL columns left out of `given`, as ", col" and ", %(prefix0)s::type" SQL
    fragments with their named parameters."""
    from django.db import connection

    names, values = Writer()._defaults(model, given)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns, expressions, params = "", "", {}
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        key = f"{prefix}{i}"
        columns += f', "{fields[name].column}"'
        expressions += f", %({key})s::{fields[name].db_type(connection)}"
        params[key] = national._text(value) if isinstance(value, list | dict) else value
    return columns, expressions, params


def _temp(cursor, name: str, columns: str, rows) -> None:
    import io

    cursor.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(national._text(v) for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {name} FROM STDIN", buffer)
    cursor.execute(f"ANALYZE {name}")


class _IndexesLater:
    """A table's secondary indexes dropped for a bulk load and made again after it: building
    an index once over millions of rows is several times quicker than keeping it up to date
    row by row. Primary keys and constraints' indexes stay (the load is checked by them); a
    unique index that is not a constraint (a conditional UniqueConstraint) checks the rows
    when it is made again."""

    def __init__(self, cursor, *tables: str):
        self.cursor, self.tables, self.definitions = cursor, tables, []

    def __enter__(self):
        for table in self.tables:
            self.cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index AS i
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
                """,
                [table],
            )
            for name, definition in self.cursor.fetchall():
                self.definitions.append(definition)
                self.cursor.execute(f"DROP INDEX {name}")
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            for definition in self.definitions:
                self.cursor.execute(definition)
            for table in self.tables:
                self.cursor.execute(f'ANALYZE "{table}"')


def _next_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
    return cursor.fetchone()[0]


# At 10:00 (or another hour) UTC on the day `days` after a date expression.
def _at(day_sql: str, days_sql: str, hour: int) -> str:
    return f"((({day_sql}) + ({days_sql}))::timestamp + interval '{hour} hours') AT TIME ZONE 'UTC'"


def _money(pence_sql: str) -> str:
    return f"(({pence_sql})::numeric / 100)"


# --- the whole ---------------------------------------------------------------------------------


def build(
    *,
    last_month: dt.date = LAST_MONTH,
    months: int = MONTHS,
    referrals: int = REFERRALS,
    commissioners: int = 106,
    pcns: int = 1_300,
    seats: int = SEATS,
    seed: int = SEED,
    verbose: bool = True,
) -> National:
    """Fill an empty, migrated database with ten years of history, in the caller's
    transaction (which should commit it: this is meant to be built once and kept)."""
    from django.db import connection

    from networks.models import PCN, Commissioner, ImportRecord, Membership, Practice
    from pcn_admin.models import Role, User
    from referrals.models import Contact, OutcomeMeasurement, Referral
    from reimbursement.models import (
        Batch,
        BatchLine,
        BatchPayee,
        Claim,
        ClaimLine,
        StreamPayment,
    )

    if connection.vendor != "postgresql":
        raise RuntimeError("The ten-year history is made in PostgreSQL.")
    if Claim.objects.exists() or Practice.objects.exists():
        raise RuntimeError("The ten-year history goes into an empty database.")
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        phases[name] = time.perf_counter() - started - sum(phases.values())
        if verbose:
            print(f"   ... {name} {phases[name]:.1f} s", flush=True)

    rng = random.Random(seed)
    claim_months = _months_back(last_month, months)
    first = claim_months[0]
    last = len(claim_months) - 1
    writer = Writer()
    cursor = connection.cursor()
    # Superuser only (the bench connects as postgres): no foreign-key triggers during the load;
    # _check_foreign_keys does their work, set-based, before the commit.
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
    roles, book = national._reference_data()
    years = sorted({_fy(m) for m in claim_months})
    commissioner_ids, register, practices = national._build_register(
        writer, rng, commissioners=commissioners, pcns=pcns, years=years, opened=first
    )
    lap("register")
    posts = _build_posts(writer, rng, register, roles=roles, months=claim_months, seats=seats)
    lap("posts")

    # Working tables: the PCNs (with their commissioner's index), months, posts and rates.
    codes = dict(Commissioner.objects.values_list("pk", "code"))
    commissioner_index = {cid: i for i, cid in enumerate(commissioner_ids)}
    pending = {i for i in range(len(register)) if rng.random() < PENDING_SHARE}
    by_commissioner: dict[int, list] = {}
    for pcn in register:
        by_commissioner.setdefault(pcn.commissioner_id, []).append(pcn.id)
    # Where a practice leaving a PCN goes: the commissioner's next PCN.
    next_pcn = {
        pcn_id: siblings[(i + 1) % len(siblings)]
        for siblings in by_commissioner.values()
        for i, pcn_id in enumerate(siblings)
    }
    _temp(
        cursor,
        "t_pcn",
        "idx int, id int PRIMARY KEY, commissioner_id int, cidx int, payee_practice_id int, "
        "pending bool, next_pcn_id int",
        (
            (
                i,
                p.id,
                p.commissioner_id,
                commissioner_index[p.commissioner_id],
                p.practice_ids[0],
                i in pending,
                next_pcn[p.id],
            )
            for i, p in enumerate(register)
        ),
    )
    _temp(
        cursor,
        "t_commissioner",
        "idx int, id int PRIMARY KEY, code text",
        ((i, cid, codes[cid]) for i, cid in enumerate(commissioner_ids)),
    )
    _temp(
        cursor,
        "t_month",
        "idx int PRIMARY KEY, month date, month_end date, days int, k int, fy int",
        (
            (i, m, _month_end(m), _month_end(m).day, (m.month - 4) % 12 + 1, _fy(m))
            for i, m in enumerate(claim_months)
        ),
    )
    _temp(
        cursor,
        "t_post",
        "id int PRIMARY KEY, pcn_id int, role_id int, hours_c int, full_time_c int, "
        "region text, band text, start_date date, end_date date, claimable bool, fee bool",
        posts,
    )
    _temp(
        cursor,
        "t_rate",
        "role_id int, region text, band text, midx int, effective_from date, "
        "annual_pence bigint, rate_id int",
        _rate_rows(book, roles, posts, claim_months),
    )
    cursor.execute("CREATE INDEX ON t_rate (role_id, region, band, midx)")
    lap("working tables")

    # The rows COPY wrote chose their ids: move the sequences past them for the INSERTs.
    for model in writer.written:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
        )
    _membership_vintages(cursor, claim_months)
    lap("ePCN vintages")

    n_pcns, n_commissioners = len(register), len(commissioner_ids)
    first_claim = _next_id(cursor, Claim._meta.db_table)
    first_batch = _next_id(cursor, Batch._meta.db_table)
    params = {
        "last": last,
        "n_pcns": n_pcns,
        "n_commissioners": n_commissioners,
        "first_claim": first_claim,
        "first_batch": first_batch,
        "rejected": REJECTED_SHARE,
        "late": LATE_SHARE,
        "adjustment": ADJUSTMENT_SHARE,
        "now": writer.now,
    }
    with _IndexesLater(cursor, "reimbursement_claim", "reimbursement_claimline"):
        _claims(cursor, params)
        lap("claims")
        _lines(cursor, params)
    lap("claim lines")
    _adjustments(cursor, params)
    lap("adjustments")
    tables = ("reimbursement_batchline", "reimbursement_streampayment", "reimbursement_batchpayee")
    with _IndexesLater(cursor, *tables):
        _batches(cursor, params)
    lap("batches")

    # The link workers who record contacts and outcomes: one per PCN.
    lw_ids = writer.ids(User, n_pcns)
    writer.write(
        User,
        ["id", "username", "password", "first_name", "last_name", "email", "role", "pcn_id"],
        (
            (
                uid,
                f"bench-lw-{p.id}",
                "!",
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                f"bench-lw-{p.id}@example.nhs.uk",
                Role.LINK_WORKER.value,
                p.id,
            )
            for uid, p in zip(lw_ids, register, strict=True)
        ),
    )
    through = Referral.reasons.through._meta.db_table
    with _IndexesLater(cursor, Referral._meta.db_table, through):
        written_referrals = national._build_referrals(
            writer, rng, register, count=referrals, month=last_month, span_months=months
        )
    lap("referrals")
    tables = (Contact._meta.db_table, OutcomeMeasurement._meta.db_table)
    with _IndexesLater(cursor, *tables):
        _contacts_and_outcomes(cursor, params)
    lap("contacts and outcomes")

    writer.write(
        ImportRecord,
        ["id", "kind", "file_name", "sha256", "created_at", "counts"],
        (
            (
                rid,
                "epcn",
                f"ePCN-{year}-04.xlsx",
                f"{year:064d}",
                dt.datetime(year, 4, 20, 9, tzinfo=dt.UTC),
                {"vintage": f"{year}-04-01"},
            )
            for rid, year in zip(
                writer.ids(ImportRecord, 10), range(first.year, first.year + 10), strict=True
            )
        ),
    )
    for model in (Claim, ClaimLine, Batch, BatchLine, BatchPayee, StreamPayment, Membership):
        writer.written.add(model)
    writer.written.update({Contact, OutcomeMeasurement, Referral, PCN})
    checked = _check_foreign_keys(cursor, writer.written)
    writer.finish()
    lap("checks")

    def count(sql: str) -> int:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]

    last_month_sql = "(SELECT month FROM t_month WHERE idx = %(last)s)"
    result = National(
        month=last_month,
        months=claim_months,
        commissioners=n_commissioners,
        practices=practices,
        pcns=n_pcns,
        posts=len(posts),
        claims=count("SELECT count(*) FROM reimbursement_claim"),
        claim_lines=count("SELECT count(*) FROM reimbursement_claimline"),
        approved_lines_in_month=count(
            "SELECT count(*) FROM reimbursement_claimline l JOIN reimbursement_claim c "
            f"ON c.id = l.claim_id WHERE l.status = 'approved' AND c.month = {last_month_sql}"
        ),
        batched_lines=count("SELECT count(*) FROM reimbursement_batchline"),
        late_lines=count(
            "SELECT count(*) FROM reimbursement_claimline l JOIN reimbursement_claim c "
            "ON c.id = l.claim_id WHERE l.status = 'approved' "
            f"AND c.month < {last_month_sql} AND NOT EXISTS (SELECT 1 FROM "
            "reimbursement_batchline b WHERE b.line_id = l.id)"
        ),
        referrals=written_referrals,
        seconds=time.perf_counter() - started,
        commissioner_ids=commissioner_ids,
        phases=phases,
    )
    cursor.close()
    if verbose:
        print(f"   generated in {result.seconds:5.1f} s: {result.summary()}", flush=True)
        print(f"   ({checked} foreign keys checked)", flush=True)
    return result


def _membership_vintages(cursor, months) -> None:
    """Ten ePCN vintages: each April from the second year on, a share of the practices that
    are not their PCN's nominated payee moves to the next PCN of the same commissioner (the
    old membership ends the day before, a new one starts)."""
    aprils = [
        dt.date(year, 4, 1)
        for year in range(months[0].year, months[-1].year + 1)
        if months[0] < dt.date(year, 4, 1) <= months[-1]
    ]
    for april in aprils:
        cursor.execute(
            """
            CREATE TEMP TABLE t_movers ON COMMIT DROP AS
            SELECT ms.id, ms.practice_id, t_pcn.next_pcn_id
            FROM networks_membership AS ms JOIN t_pcn ON t_pcn.id = ms.pcn_id
            WHERE ms.end_date IS NULL AND ms.practice_id <> t_pcn.payee_practice_id
              AND t_pcn.next_pcn_id <> ms.pcn_id AND random() < %(share)s;
            UPDATE networks_membership SET end_date = %(day_before)s
            WHERE id IN (SELECT id FROM t_movers);
            INSERT INTO networks_membership (practice_id, pcn_id, start_date, end_date)
            SELECT practice_id, next_pcn_id, %(april)s, NULL FROM t_movers;
            DROP TABLE t_movers;
            """,
            {
                "share": VINTAGE_MOVE_SHARE,
                "april": april,
                "day_before": april - dt.timedelta(days=1),
            },
        )


def _claims(cursor, params) -> None:
    """One normal claim per PCN and month (ids from the month and the PCN), approved; a few
    of the last month's still with the reviewer."""
    from reimbursement.models import Claim

    given = [
        "id",
        "pcn_id",
        "month",
        "kind",
        "original_id",
        "status",
        "declared_additional",
        "declared_costs_paid",
        "submitted_at",
        "created_at",
    ]
    columns, expressions, extra = _defaults(Claim, given, "claim")
    submitted = _at("m.month_end", "3 + floor(random() * 8)::int", 9)
    cursor.execute(
        f"""
        INSERT INTO reimbursement_claim ({", ".join(given)}{columns})
        SELECT %(first_claim)s + m.idx * %(n_pcns)s + p.idx, p.id, m.month, 'normal', NULL,
               CASE WHEN m.idx = %(last)s AND p.pending THEN 'submitted' ELSE 'approved' END,
               true, true, s.at, s.at{expressions}
        FROM t_month AS m CROSS JOIN t_pcn AS p CROSS JOIN LATERAL (SELECT {submitted} AS at) s
        ORDER BY m.idx, p.idx
        """,
        {**params, **extra},
    )


LINE_COLUMNS = national.LINE_COLUMNS


def _line_select(source: str) -> str:
    """A claim line's columns (national.LINE_COLUMNS' order) from a row of `source` holding
    id, claim_id, post_id, original_line_id, hours_c, full_time_c, days, dim, annual_pence,
    effective_from, rate_id, cap, cost, fee_p, fee_max_p, has_fee, status, decided: all money
    in whole pence, worked out as national._line_row does."""
    return f"""
        SELECT id, claim_id, post_id, original_line_id,
               hours_c::numeric / 100,
               {_money("cost * 78 / 100")}, {_money("cost * 9 / 100")},
               {_money("cost - cost * 78 / 100 - cost * 9 / 100")}, {_money("fee_p")},
               {_money("cost")},
               round(hours_c::numeric / full_time_c, 6), days, dim, round(days::numeric / dim, 6),
               {_money("annual_pence")}, effective_from, rate_id, 1.0000, {_money("cap")},
               CASE WHEN has_fee THEN {_money("fee_max_p")} END,
               CASE WHEN has_fee THEN {_money("fee_p")} END,
               {_money("LEAST(cost, cap) + fee_p")}, '',
               decided - interval '8 days', status,
               CASE WHEN status = 'rejected'
                    THEN 'The costs do not match the payslip: send the correct figures.'
                    ELSE '' END,
               CASE WHEN status <> 'pending' THEN decided END,
               CASE WHEN status = 'approved' THEN decided END
        FROM {source}
    """


def _lines(cursor, params) -> None:
    """Every claimable post in post in a month has a line on its PCN's claim, priced as
    national._line_row prices it (cap = annual maximum / 12 x WTE x part of the month, rounded
    once to the penny; costs 82-104% of the cap; link workers' sub-contract fees). A few are
    rejected; LATE_SHARE are approved too late for their month's batch."""
    from reimbursement.models import ClaimLine

    columns, expressions, extra = _defaults(ClaimLine, LINE_COLUMNS, "line")
    params["first_line"] = _next_id(cursor, ClaimLine._meta.db_table)
    decided = _at("month_end", "12 + floor(r_day * 14)::int", 10)
    late = _at("month_end", "46 + floor(r_day * 10)::int", 11)
    source = f"""(
        WITH x AS (
            SELECT p.id AS post_id, p.hours_c, p.full_time_c, p.fee AS has_fee, t.idx AS pidx,
                   t.pending, m.idx AS midx, m.month_end, m.days AS dim,
                   LEAST(m.month_end, COALESCE(p.end_date, m.month_end))
                   - GREATEST(m.month, p.start_date) + 1 AS days,
                   r.effective_from, r.annual_pence, r.rate_id,
                   random() AS r_status, random() AS r_factor, random() AS r_day,
                   random() AS r_fee
            FROM t_post AS p
            JOIN t_pcn AS t ON t.id = p.pcn_id
            JOIN t_month AS m
              ON p.start_date <= m.month_end AND (p.end_date IS NULL OR p.end_date >= m.month)
            JOIN t_rate AS r ON r.role_id = p.role_id AND r.region = p.region
                            AND r.band = p.band AND r.midx = m.idx
            WHERE p.claimable
        ),
        y AS (
            SELECT x.*,
                   (annual_pence * hours_c * days + (12 * full_time_c * dim) / 2)
                   / (12 * full_time_c * dim) AS cap,
                   CASE WHEN midx = %(last)s AND pending THEN 'pending'
                        WHEN r_status < %(rejected)s THEN 'rejected'
                        ELSE 'approved' END AS status,
                   midx < %(last)s AND r_status >= %(rejected)s
                       AND r_status < %(rejected)s + %(late)s AS is_late,
                   CASE WHEN has_fee THEN 20000 * hours_c / full_time_c ELSE 0 END AS fee_max_p
            FROM x
        )
        SELECT row_number() OVER (ORDER BY midx, pidx, post_id) + %(first_line)s - 1 AS id,
               %(first_claim)s + midx * %(n_pcns)s + pidx AS claim_id, post_id,
               NULL::bigint AS original_line_id, hours_c, full_time_c, days, dim, annual_pence,
               effective_from, rate_id, cap, cap * (82 + floor(r_factor * 23)::int) / 100 AS cost,
               CASE WHEN has_fee
                    THEN LEAST((10000 + floor(r_fee * 10001)::int) * hours_c / full_time_c,
                               fee_max_p)
                    ELSE 0 END AS fee_p,
               fee_max_p, has_fee, status,
               CASE WHEN is_late THEN {late} ELSE {decided} END AS decided
        FROM y
    ) AS lines"""
    cursor.execute(
        f"""
        INSERT INTO reimbursement_claimline ({", ".join(LINE_COLUMNS)}{columns})
        SELECT *{expressions} FROM ({_line_select(source)} ORDER BY 1) AS made
        """,
        {**params, **extra},
    )
    # A claim with a rejected line is partly approved.
    cursor.execute(
        """
        UPDATE reimbursement_claim SET status = 'partly_approved'
        WHERE status = 'approved' AND id IN (
            SELECT claim_id FROM reimbursement_claimline WHERE status = 'rejected')
        """
    )


def _adjustments(cursor, params) -> None:
    """ADJUSTMENT_SHARE of the decided claims has an approved adjustment correcting one to
    three approved lines (costs 60-104% of the cap); decided after the month's batch, each
    joins the next month's batch, marked late."""
    from reimbursement.models import Claim, ClaimLine

    cursor.execute(
        """
        CREATE TEMP TABLE t_adjustment ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY original_id) AS n, chosen.*
        FROM (
            SELECT c.id AS original_id, c.pcn_id, m.idx AS midx, m.month, m.month_end,
                   1 + floor(random() * 3)::int AS k
            FROM reimbursement_claim AS c JOIN t_month AS m ON m.month = c.month
            WHERE c.kind = 'normal' AND c.status <> 'submitted' AND random() < %(adjustment)s
        ) AS chosen
        WHERE EXISTS (SELECT 1 FROM reimbursement_claimline AS l
                      WHERE l.claim_id = chosen.original_id AND l.status = 'approved')
        """,
        params,
    )
    params["first_adjustment"] = _next_id(cursor, Claim._meta.db_table)
    params["first_adjustment_line"] = _next_id(cursor, ClaimLine._meta.db_table)
    given = [
        "id",
        "pcn_id",
        "month",
        "kind",
        "original_id",
        "status",
        "declared_additional",
        "declared_costs_paid",
        "submitted_at",
        "created_at",
    ]
    columns, expressions, extra = _defaults(Claim, given, "claim")
    submitted = _at("a.month_end", "30 + floor(random() * 16)::int", 9)
    cursor.execute(
        f"""
        INSERT INTO reimbursement_claim ({", ".join(given)}{columns})
        SELECT %(first_adjustment)s + a.n - 1, a.pcn_id, a.month, 'adjustment', a.original_id,
               'approved', true, true, s.at, s.at{expressions}
        FROM t_adjustment AS a CROSS JOIN LATERAL (SELECT {submitted} AS at) s
        ORDER BY a.n
        """,
        {**params, **extra},
    )
    columns, expressions, extra = _defaults(ClaimLine, LINE_COLUMNS, "line")
    decided = _at("a.month_end", "46 + floor(random() * 10)::int", 11)
    source = f"""(
        SELECT row_number() OVER (ORDER BY a.n, l.id) + %(first_adjustment_line)s - 1 AS id,
               %(first_adjustment)s + a.n - 1 AS claim_id, l.post_id, l.id AS original_line_id,
               p.hours_c, p.full_time_c,
               l.days_in_post AS days, l.days_in_month AS dim,
               (l.annual_max * 100)::bigint AS annual_pence, l.rate_effective_from AS
               effective_from, l.rate_used_id AS rate_id, (l.cap * 100)::bigint AS cap,
               (l.cap * 100)::bigint * (60 + floor(random() * 45)::int) / 100 AS cost,
               (l.subcontract_fee * 100)::bigint AS fee_p,
               COALESCE((l.fee_max * 100)::bigint, 0) AS fee_max_p,
               l.fee IS NOT NULL AS has_fee, 'approved' AS status, {decided} AS decided
        FROM t_adjustment AS a
        CROSS JOIN LATERAL (
            SELECT * FROM reimbursement_claimline AS l
            WHERE l.claim_id = a.original_id AND l.status = 'approved'
            ORDER BY l.id LIMIT a.k
        ) AS l
        JOIN t_post AS p ON p.id = l.post_id
    ) AS lines"""
    cursor.execute(
        f"""
        INSERT INTO reimbursement_claimline ({", ".join(LINE_COLUMNS)}{columns})
        SELECT *{expressions} FROM ({_line_select(source)} ORDER BY 1) AS made
        """,
        {**params, **extra},
    )


def _batches(cursor, params) -> None:
    """A paid batch per commissioner for every month but the last, built as batches_build
    builds one: the approved lines of the month and the late ones of the month before (an
    adjustment pays its difference from the line it corrects), every rate-based stream's
    amount for the month, and a subtotal per PCN for its nominated payee."""
    built = _at("bm.month_end", "28", 14)
    cursor.execute(
        f"""
        INSERT INTO reimbursement_batchline
            (batch_id, line_id, pcn_id, claim_month, amount, late, added_at)
        SELECT %(first_batch)s + bm.idx * %(n_commissioners)s + t.cidx, l.id, c.pcn_id, c.month,
               l.reimbursable - CASE WHEN l.original_line_id IS NULL THEN 0 ELSE COALESCE((
                   SELECT o.reimbursable FROM reimbursement_claimline AS o
                   WHERE o.id = l.original_line_id AND o.status = 'approved'), 0) END,
               bm.idx > m.idx, {built}
        FROM reimbursement_claimline AS l
        JOIN reimbursement_claim AS c ON c.id = l.claim_id
        JOIN t_pcn AS t ON t.id = c.pcn_id
        JOIN t_month AS m ON m.month = c.month
        JOIN t_month AS bm
          ON bm.idx = m.idx + (l.approved_at > (m.month_end + 40)::timestamptz)::int
        WHERE l.status = 'approved' AND bm.idx < %(last)s
        ORDER BY bm.idx, t.cidx, l.id
        """,
        params,
    )
    cursor.execute(
        f"""
        INSERT INTO reimbursement_streampayment (batch_id, stream_id, pcn_id, practice_id,
            payee_name, month, amount, population, rate_id, declared_id, late, key, added_at)
        WITH members AS (
            SELECT m.idx, ms.pcn_id, ms.practice_id,
                   ls.registered_patients::numeric AS registered, ls.weighted_patients AS weighted
            FROM t_month AS m
            JOIN networks_membership AS ms
              ON ms.start_date <= m.month AND (ms.end_date IS NULL OR ms.end_date >= m.month)
            -- Every practice has a list size for each 1 January: the latest is that day's.
            JOIN networks_listsize AS ls
              ON ls.practice_id = ms.practice_id AND ls.date = make_date(m.fy, 1, 1)
            WHERE m.idx < %(last)s
        ),
        rates AS (
            SELECT m.idx, s.id AS stream_id, s.code, s.basis, s.paid_to, r.id AS rate_id,
                   r.per_patient
            FROM t_month AS m
            JOIN reimbursement_streamrate AS r
              ON r.start_date <= m.month AND (r.end_date IS NULL OR r.end_date >= m.month)
            JOIN reimbursement_paymentstream AS s ON s.id = r.stream_id
            WHERE s.basis IN ('registered', 'weighted') AND m.idx < %(last)s
        ),
        amounts AS (
            SELECT members.idx, members.pcn_id, rates.stream_id, rates.code, rates.rate_id,
                   rates.per_patient,
                   CASE WHEN rates.paid_to = 'member_practice' THEN members.practice_id END
                       AS practice_id,
                   SUM(CASE WHEN rates.basis = 'weighted' THEN members.weighted
                            ELSE members.registered END) AS population
            FROM members JOIN rates ON rates.idx = members.idx
            WHERE CASE WHEN rates.basis = 'weighted' THEN members.weighted
                       ELSE members.registered END IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5, 6, 7
        )
        SELECT %(first_batch)s + a.idx * %(n_commissioners)s + t.cidx, a.stream_id, a.pcn_id,
               COALESCE(a.practice_id, t.payee_practice_id),
               CASE WHEN a.practice_id IS NULL THEN payee.name ELSE '' END, bm.month,
               ROUND(a.per_patient * a.population * bm.k / 12, 2)
               - ROUND(a.per_patient * a.population * (bm.k - 1) / 12, 2),
               a.population, a.rate_id, NULL, false,
               a.code || ':' || a.pcn_id || ':' || COALESCE(a.practice_id::text, '-') || ':'
               || to_char(bm.month, 'YYYY-MM'),
               {built}
        FROM amounts AS a
        JOIN t_pcn AS t ON t.id = a.pcn_id
        JOIN t_month AS bm ON bm.idx = a.idx
        JOIN networks_practice AS payee ON payee.id = t.payee_practice_id
        ORDER BY a.idx, t.cidx, a.pcn_id, a.stream_id, a.practice_id
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO reimbursement_batchpayee (batch_id, pcn_id, payee_practice_id, payee_name,
            amount, arrs_amount, line_count, late_line_count)
        SELECT batch_id, pcn_id, t.payee_practice_id, payee.name,
               COALESCE(lines.amount, 0) + COALESCE(streams.amount, 0),
               COALESCE(lines.amount, 0), COALESCE(lines.n, 0), COALESCE(lines.late, 0)
        FROM (SELECT batch_id, pcn_id, SUM(amount) AS amount, COUNT(*) AS n,
                     COUNT(*) FILTER (WHERE late) AS late
              FROM reimbursement_batchline GROUP BY 1, 2) AS lines
        FULL JOIN (SELECT batch_id, pcn_id, SUM(amount) AS amount
                   FROM reimbursement_streampayment GROUP BY 1, 2) AS streams
          USING (batch_id, pcn_id)
        JOIN t_pcn AS t ON t.id = pcn_id
        JOIN networks_practice AS payee ON payee.id = t.payee_practice_id
        ORDER BY batch_id, pcn_id
        """
    )
    from reimbursement.models import Batch

    given = [
        "id",
        "commissioner_id",
        "month",
        "reference",
        "status",
        "total",
        "line_count",
        "late_line_count",
        "stream_payment_count",
        "built_at",
        "finalised_at",
        "paid_on",
        "payment_reference",
    ]
    columns, expressions, extra = _defaults(Batch, given, "batch")
    cursor.execute(
        f"""
        INSERT INTO reimbursement_batch ({", ".join(given)}{columns})
        SELECT %(first_batch)s + bm.idx * %(n_commissioners)s + c.idx, c.id, bm.month,
               c.code || '-' || to_char(bm.month, 'YYYY-MM'), 'paid',
               COALESCE(p.total, 0), COALESCE(p.lines, 0), COALESCE(p.late, 0),
               COALESCE(s.n, 0), b.at, b.at, (b.at)::date,
               'BACS-' || c.code || '-' || to_char(bm.month, 'YYYYMM'){expressions}
        FROM t_month AS bm CROSS JOIN t_commissioner AS c
        CROSS JOIN LATERAL (SELECT {built} AS at) AS b
        LEFT JOIN (SELECT batch_id, SUM(amount) AS total, SUM(line_count) AS lines,
                          SUM(late_line_count) AS late
                   FROM reimbursement_batchpayee GROUP BY 1) AS p
          ON p.batch_id = %(first_batch)s + bm.idx * %(n_commissioners)s + c.idx
        LEFT JOIN (SELECT batch_id, COUNT(*) AS n FROM reimbursement_streampayment
                   GROUP BY 1) AS s
          ON s.batch_id = %(first_batch)s + bm.idx * %(n_commissioners)s + c.idx
        WHERE bm.idx < %(last)s
        ORDER BY 1
        """,
        {**params, **extra},
    )


def _contacts_and_outcomes(cursor, params) -> None:
    """Contacts by the PCN's link worker (one for a referral only contacted, declined or not
    engaging, one or two once assessed; none while only received) and ONS4 wellbeing scores
    for every other person assessed: a baseline and, once closed, a follow-up."""
    params["end"] = _month_end(LAST_MONTH)
    cursor.execute(
        """
        CREATE TEMP TABLE t_link_worker ON COMMIT DROP AS
        SELECT pcn_id, id AS user_id FROM pcn_admin_user WHERE username LIKE 'bench-lw-%%';
        CREATE UNIQUE INDEX ON t_link_worker (pcn_id);
        ANALYZE t_link_worker;
        INSERT INTO referrals_contact
            (referral_id, date, kind, duration_minutes, notes, recorded_by_id, created_at)
        SELECT r.id, LEAST(r.received_on + 3 + (g::int - 1) * 21, %(end)s),
               (ARRAY['face_to_face', 'phone', 'phone', 'video', 'home_visit', 'message',
                      'attempted'])[1 + (r.id + g) %% 7],
               15 + (r.id * 7 + g * 13) %% 46, '', lw.user_id, %(now)s
        FROM referrals_referral AS r
        JOIN t_link_worker AS lw ON lw.pcn_id = r.pcn_id
        CROSS JOIN LATERAL generate_series(1,
            CASE WHEN r.status = 'received' THEN 0
                 WHEN r.status IN ('contacted', 'declined', 'did_not_engage') THEN 1
                 ELSE 1 + (r.id %% 2)::int END) AS g
        ORDER BY r.id, g;
        INSERT INTO referrals_outcomemeasurement (referral_id, instrument, time_point, date,
            self_completed, life_satisfaction, worthwhile, happy, anxious, total,
            recorded_by_id, created_at)
        SELECT r.id, 'ons4', point.time_point,
               CASE WHEN point.time_point = 'baseline'
                    THEN LEAST(r.received_on + 10, %(end)s)
                    ELSE LEAST(COALESCE(r.closed_on, r.received_on + 90), %(end)s) END,
               true,
               point.lift + 3 + r.id %% 4, point.lift + 4 + r.id %% 3,
               point.lift + 3 + r.id %% 5, 7 - point.lift - r.id %% 3, NULL,
               lw.user_id, %(now)s
        FROM referrals_referral AS r
        JOIN t_link_worker AS lw ON lw.pcn_id = r.pcn_id
        CROSS JOIN LATERAL (VALUES ('baseline', 0), ('follow_up', 2)) AS point (time_point, lift)
        WHERE r.id %% 2 = 0
          AND r.status IN ('assessment', 'plan_agreed', 'connected', 'closed')
          AND (point.time_point = 'baseline' OR r.status = 'closed')
        ORDER BY r.id, point.lift
        """,
        params,
    )


def _check_foreign_keys(cursor, models) -> int:
    """Every foreign key of the tables written, checked with one scan of each table (a LEFT
    JOIN per key): the work the triggers switched off for the load would have done."""
    checked = 0
    for model in sorted(models, key=lambda m: m._meta.db_table):
        keys = [
            f for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None
        ]
        if not keys:
            continue
        joins, counts = [], []
        for i, key in enumerate(keys):
            parent = key.related_model._meta
            target = key.target_field.column
            joins.append(
                f'LEFT JOIN "{parent.db_table}" AS p{i} ON p{i}."{target}" = c."{key.column}"'
            )
            counts.append(
                f'COUNT(*) FILTER (WHERE c."{key.column}" IS NOT NULL AND p{i}."{target}" IS NULL)'
            )
        cursor.execute(
            f'SELECT {", ".join(counts)} FROM "{model._meta.db_table}" AS c {" ".join(joins)}'
        )
        for key, missing in zip(keys, cursor.fetchone(), strict=True):
            if missing:
                raise RuntimeError(
                    f"{missing} row(s) of {model._meta.db_table}.{key.column} point at no "
                    f"{key.related_model._meta.db_table} row."
                )
            checked += 1
    return checked


# --- the kept database -------------------------------------------------------------------------

MARK = f"pcn-admin ten-year bench history, version {VERSION}, complete"


def _server(url: str):
    import psycopg2

    connection = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    return connection


def _is_complete(url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    connection = _server(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [name],
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    return bool(row) and row[0] == MARK


def _recreate(url: str) -> None:
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        raise RuntimeError(f"Refusing to drop {name}: the ten-year database's name says bench.")
    connection = _server(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def connect(*, rebuild: bool = False) -> float:
    """Point Django at the ten-year database (national.TEN_YEAR_URL), building it first if it
    is missing, incomplete, made by another VERSION of this file or `rebuild` is asked for;
    then migrate it. Returns the seconds spent building (0 when it was kept). Call before
    anything else sets Django up: the one-year benches use another database."""
    import os

    url = national.ten_year_url()
    build_needed = rebuild or not _is_complete(url)
    if build_needed:
        print(f"   building the ten-year history in {url.rsplit('/', 1)[1]} ...", flush=True)
        _recreate(url)
    os.environ["DATABASE_URL"] = url
    national.connect()
    if not build_needed:
        return 0.0
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic():
        build()
    vacuum = time.perf_counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        # Left to autovacuum this would come later: a kept database is vacuumed, and its
        # visibility map lets the dashboards' index-only scans skip the table.
        cursor.execute("VACUUM (ANALYZE)")
        name = url.rsplit("/", 1)[1]
        cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [MARK])
    seconds = time.perf_counter() - started
    print(
        f"   built and committed in {seconds:.0f} s (of which VACUUM ANALYZE "
        f"{time.perf_counter() - vacuum:.0f} s)",
        flush=True,
    )
    return seconds


def main() -> None:
    seconds = connect(rebuild="--rebuild" in sys.argv)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        tables = [
            "reimbursement_claim",
            "reimbursement_claimline",
            "reimbursement_batch",
            "reimbursement_batchline",
            "reimbursement_streampayment",
            "roles_post",
            "networks_membership",
            "networks_listsize",
            "referrals_referral",
            "referrals_contact",
            "referrals_outcomemeasurement",
        ]
        counts = []
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts.append(f"{table.split('_', 1)[1]} {cursor.fetchone()[0]:,}")
    print(f"   {'built' if seconds else 'kept'}: {size}; " + ", ".join(counts), flush=True)


if __name__ == "__main__":
    main()
