"""Month-end load test (issue 18): gunicorn serving the app on 127.0.0.1 with production settings
(bench/load_settings.py) and the ten-year bench database, and a locust scenario
(bench/locustfile_month_end.py) of 200 practice managers starting, filling and submitting their
PCN's claim for March 2026 while 20 commissioner staff review them, for 5 minutes. Then it
prints the throughput, the median and 95th percentile per page and the errors, checks by SQL
that every claim a practice manager saw submitted is there once, whole, with the costs typed,
and puts the database back as it was (the month's claims and the bench's accounts removed).

`make loadtest` runs it; `BENCH_LOAD=1 make bench` runs it after the benches. Settings from the
environment: LOAD_SECONDS (300), LOAD_PRACTICE_MANAGERS (200), LOAD_COMMISSIONER_STAFF (20),
LOAD_WORKERS (gunicorn workers, 4), LOAD_PORT (8765). Traffic goes to the loopback address
only; both servers are stopped by this script, whatever happens.

The accounts are made for the run with one known (invented) password and, for commissioner
staff, an authenticator key the scenario works codes out from: two-factor stays on, as in
production. django-axes counts failures only, so 220 people signing in from one address is
not a lockout.
"""

import csv
import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

LOAD_MONTH = dt.date(2026, 3, 1)
PASSWORD = "bench-month-end-not-secret"
PREFIX = "bench-load-"
P95_GOAL_MS = 500


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _print(label: str, value: str) -> None:
    print(f"   {label:<40} {value}", flush=True)


def _clean() -> dict:
    """Remove what a load run leaves: the month's claims (with their lines and history), the
    bench's accounts (with their devices, form tokens and sign-in records) and sessions."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session
    from django.db import transaction

    from pcn_admin.models import User
    from reimbursement.models import Claim, ClaimLine

    with transaction.atomic():
        claim_ids = list(Claim.objects.filter(month=LOAD_MONTH).values_list("pk", flat=True))
        ClaimLine.history.filter(claim_id__in=claim_ids).delete()
        Claim.history.filter(month=LOAD_MONTH).delete()
        lines, _ = ClaimLine.objects.filter(claim_id__in=claim_ids).delete()
        claims, _ = Claim.objects.filter(pk__in=claim_ids).delete()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__startswith=PREFIX).delete()
        users, _ = User.objects.filter(username__startswith=PREFIX).delete()
        Session.objects.all().delete()
    return {"claims": claim_ids, "removed": claims + lines + users}


def _accounts(managers: int, staff: int) -> dict:
    """The practice managers of `managers` PCNs' nominated payee practices (the same number of
    PCNs under each of `staff` commissioners) and a member of staff of each commissioner."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from networks.models import PCN, Commissioner, NominatedPayee
    from pcn_admin.models import Role, User
    from reimbursement import selectors

    per_commissioner = -(-managers // staff)
    commissioners = list(
        Commissioner.objects.annotate(n=Count("pcns"))
        .filter(n__gte=per_commissioner)
        .order_by("-n", "code")[:staff]
    )
    if len(commissioners) < staff:
        raise RuntimeError(f"Fewer than {staff} commissioners have {per_commissioner} PCNs.")
    payees = dict(NominatedPayee.objects.current().values_list("pcn_id", "practice_id"))
    chosen = []
    for commissioner in commissioners:
        pcns = [
            pcn
            for pcn in PCN.objects.filter(commissioner=commissioner).order_by("code")
            if payees.get(pcn.pk) and selectors.claimable_posts(pcn, LOAD_MONTH).exists()
        ]
        chosen += pcns[:per_commissioner]
    chosen = chosen[:managers]
    password = make_password(PASSWORD)  # hashed once: the accounts share it
    with transaction.atomic():
        people = User.objects.bulk_create(
            [
                User(
                    username=f"{PREFIX}pm-{pcn.code}",
                    password=password,
                    first_name="Bench",
                    last_name=f"Practice manager {pcn.code}",
                    email=f"{PREFIX}pm-{pcn.code}@example.nhs.uk",
                    role=Role.PRACTICE_MANAGER,
                    practice_id=payees[pcn.pk],
                )
                for pcn in chosen
            ]
            + [
                User(
                    username=f"{PREFIX}staff-{commissioner.code}",
                    password=password,
                    first_name="Bench",
                    last_name=f"Staff {commissioner.code}",
                    email=f"{PREFIX}staff-{commissioner.code}@example.nhs.uk",
                    role=Role.COMMISSIONER_STAFF,
                    commissioner=commissioner,
                )
                for commissioner in commissioners
            ]
        )
        keys = {}
        for person in people[len(chosen) :]:
            keys[person.username] = secrets.token_hex(20)
            TOTPDevice.objects.create(
                user=person, name="Bench", key=keys[person.username], confirmed=True
            )
    return {
        "month": f"{LOAD_MONTH:%Y-%m}",
        "password": PASSWORD,
        "practice_managers": [
            {"username": f"{PREFIX}pm-{pcn.code}", "pcn_id": pcn.pk} for pcn in chosen
        ],
        "commissioner_staff": [
            {"username": f"{PREFIX}staff-{c.code}", "key": keys[f"{PREFIX}staff-{c.code}"]}
            for c in commissioners
        ],
    }


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.5)


def _stop(process: subprocess.Popen | None) -> None:
    """Stop a server this script started (by its own process id), waiting for it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _report(prefix: str, seconds: int) -> dict:
    with open(f"{prefix}_stats.csv") as source:
        rows = list(csv.DictReader(source))
    failures = []
    if os.path.exists(f"{prefix}_failures.csv"):
        with open(f"{prefix}_failures.csv") as source:
            failures = list(csv.DictReader(source))
    _print("page", "requests  errors  median     p95    per s")
    worst = 0.0
    total = None
    rows = [row for row in rows if int(row["Request Count"])]  # sign-in pages: none in the window
    for row in rows:
        name = row["Name"] if row["Type"] else "all pages"
        p95 = float(row["95%"] or 0)
        line = (
            f"{int(row['Request Count']):>8} {int(row['Failure Count']):>7} "
            f"{float(row['Median Response Time'] or 0):>6.0f} ms {p95:>5.0f} ms "
            f"{float(row['Requests/s'] or 0):>6.1f}"
        )
        if row["Name"] == "Aggregated":
            total = row
            continue
        worst = max(worst, p95)
        _print(f"  {name[:38]}", line)
    if total:
        _print(
            "  all pages",
            f"{int(total['Request Count']):>8} {int(total['Failure Count']):>7} "
            f"{float(total['Median Response Time'] or 0):>6.0f} ms "
            f"{float(total['95%'] or 0):>5.0f} ms {float(total['Requests/s'] or 0):>6.1f}",
        )
    for failure in failures[:10]:
        _print(
            f"  error x{failure['Occurrences']}",
            f"{failure['Method']} {failure['Name']}: {failure['Error'][:120]}",
        )
    return {
        "requests": int(total["Request Count"]) if total else 0,
        "errors": int(total["Failure Count"]) if total else 0,
        "p95": float(total["95%"] or 0) if total else 0.0,
        "worst_page_p95": worst,
        "throughput": float(total["Requests/s"] or 0) if total else 0.0,
    }


def _sign_in_report(sign_in: dict) -> None:
    """Signing in, before the window: every person once, as they were spawned (10 a second)."""
    _print(
        "signing in (before the window)",
        f"{sign_in.get('_seconds', 0):.0f} s for everyone; requests  errors  median     p95",
    )
    for name, row in sign_in.items():
        if name.startswith("_"):
            continue
        _print(
            f"  {name[:38]}",
            f"{row['requests']:>8} {row['errors']:>7} {row['median'] or 0:>6.0f} ms "
            f"{row['p95'] or 0:>5.0f} ms",
        )


def _check(submitted: list[dict]) -> dict:
    """By SQL: each claim a practice manager saw submitted is there, once, with its lines and
    the salaries typed; no PCN has two claims for the month."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*), COUNT(DISTINCT pcn_id),
                   COUNT(*) FILTER (WHERE status = 'draft'),
                   COUNT(*) FILTER (WHERE status = 'submitted'),
                   COUNT(*) FILTER (WHERE status IN ('approved', 'partly_approved'))
            FROM reimbursement_claim WHERE month = %s AND kind = 'normal'
            """,
            [LOAD_MONTH],
        )
        claims, pcns, drafts, waiting, approved = cursor.fetchone()
        cursor.execute(
            """
            SELECT c.id, c.pcn_id, c.status, COUNT(l.id), COALESCE(SUM(l.salary), 0)
            FROM reimbursement_claim AS c
            LEFT JOIN reimbursement_claimline AS l ON l.claim_id = c.id
            WHERE c.month = %s GROUP BY c.id
            """,
            [LOAD_MONTH],
        )
        stored = {row[0]: row[1:] for row in cursor.fetchall()}
    lost = []
    for claim in submitted:
        row = stored.get(claim["claim_id"])
        if (
            row is None
            or row[0] != claim["pcn_id"]
            or row[1] == "draft"
            or row[2] != claim["lines"]
            or row[3] != Decimal(claim["salaries"])
        ):
            lost.append(claim["claim_id"])
    return {
        "claims": claims,
        "duplicated": claims - pcns,
        "drafts": drafts,
        "waiting": waiting,
        "approved": approved,
        "submitted_seen": len(submitted),
        "lost": lost,
    }


def main() -> int:
    import decade

    seconds = _setting("LOAD_SECONDS", 300)
    managers = _setting("LOAD_PRACTICE_MANAGERS", 200)
    staff = _setting("LOAD_COMMISSIONER_STAFF", 20)
    workers = _setting("LOAD_WORKERS", 4)
    port = _setting("LOAD_PORT", 8765)
    decade.connect(rebuild=False)
    from django.conf import settings

    database_url = os.environ["DATABASE_URL"]
    _print("database", settings.DATABASES["default"]["NAME"])
    cleaned = _clean()
    if cleaned["removed"]:
        _print("left by an earlier run, removed", f"{cleaned['removed']} rows")
    accounts = _accounts(managers, staff)
    _print(
        "people",
        f"{len(accounts['practice_managers'])} practice managers, "
        f"{len(accounts['commissioner_staff'])} commissioner staff, for {LOAD_MONTH:%B %Y}",
    )
    work = Path(tempfile.mkdtemp(prefix="month-end-"))
    (work / "accounts.json").write_text(json.dumps(accounts))
    server_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "REQUIRE_TWO_FACTOR": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Each worker keeps its database connection (production would): a minute idle at most.
        "DB_CONN_MAX_AGE": "60",
        "CACHE_URL": "locmem://",
    }
    server = locust = None
    host = f"http://127.0.0.1:{port}"
    try:
        with open(work / "gunicorn.log", "w") as log:
            server = subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "pcn_admin.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                env=server_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for(f"{host}/health/", 60)
        _print("gunicorn", f"{workers} workers on {host} (DEBUG off, two-factor on)")
        prefix = str(work / "locust")
        started = time.perf_counter()
        locust = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(BENCH / "locustfile_month_end.py"),
                "--headless",
                "--users",
                str(managers + staff),
                "--spawn-rate",
                "10",
                # The scenario stops itself LOAD_SECONDS after the last person signed in;
                # this is only the backstop should signing in never end.
                "--run-time",
                f"{seconds + 900}s",
                "--stop-timeout",
                "60",
                "--host",
                host,
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_ACCOUNTS": str(work / "accounts.json"),
                "LOAD_RESULTS": str(work / "submitted.json"),
                "LOAD_PRACTICE_MANAGERS": str(len(accounts["practice_managers"])),
                "LOAD_COMMISSIONER_STAFF": str(len(accounts["commissioner_staff"])),
                "LOAD_SECONDS": str(seconds),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        ran = time.perf_counter() - started
        if not os.path.exists(f"{prefix}_stats.csv"):
            print(locust.stderr[-2000:])
            raise RuntimeError("locust wrote no figures")
        results = json.loads((work / "submitted.json").read_text())
        _sign_in_report(results["sign_in"])
        if not results["window"]:
            raise RuntimeError("not everyone signed in: the window never opened")
        _print(
            "ran",
            f"{ran:.0f} s: signing in, then {seconds} s with everyone in, then the users stopped",
        )
        figures = _report(prefix, seconds)
    finally:
        _stop(server)
    submitted = results["submitted"]
    checked = _check(submitted)
    _print(
        "claims for the month",
        f"{checked['claims']} ({checked['submitted_seen']} seen submitted; "
        f"{checked['waiting']} awaiting review, {checked['approved']} approved, "
        f"{checked['drafts']} still drafts when the time was up)",
    )
    _print(
        "lost or duplicated claims (by SQL)",
        f"{len(checked['lost'])} lost, {checked['duplicated']} duplicated",
    )
    met = {
        f"p95 of all pages under {P95_GOAL_MS} ms": figures["p95"] < P95_GOAL_MS,
        f"p95 of every page under {P95_GOAL_MS} ms": figures["worst_page_p95"] < P95_GOAL_MS,
        "no errors": figures["errors"] == 0,
        "no claim lost or duplicated": not checked["lost"] and not checked["duplicated"],
    }
    for goal, ok in met.items():
        _print(goal, "yes" if ok else "NO")
    _clean()
    _print("put back", f"the {LOAD_MONTH:%B %Y} claims and the bench's accounts removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
