"""Time the lists people open most, at national scale: the admin changelists commissioner staff
use (claims, claim lines, batches, posts, and each one's history page), the two superusers read
(referrals, audit events), and every API list endpoint, each on its first page and on every
filter its page offers, against the goal of issue 18: under 500 ms, with a fixed number of
queries.

Each page is a whole request through Django's test client, signed in as the person who uses it:
staff of the commissioner with the most PCNs (the most rows a commissioner's lists hold), a
superuser, and the link worker of the PCN with the most posts. An admin list's filters are read
from the page itself (its sidebar's links, as a person would click them; a filter of many
choices, such as the batch months, is sampled at FILTER_CHOICES of them, first and last
included) and its search box is tried with a PCN code and a name. The API's filters are its
documented query parameters, each with a value from the data.

National data (bench/national.py at one year, bench/decade.py at ten) has no audit events and
no history rows: the bench adds them inside its transaction, one audit event per referral (a
floor: every referral is listed or opened at least once) and a history row for every claim,
post and batch, and for the claim lines of the chosen commissioner's area, and rolls them back.

Timings: one request first, then the median and maximum of RUNS (FILTER_RUNS for each filter
choice; a filter reports its slowest choice); the query count is of one request, savepoints of
the bench's own transaction left out. Run alone: `.venv/bin/python bench/bench_lists.py [1|10]`;
BENCH_LISTS_KEEP=1 (one year) measures the data already in DATABASE_URL's database instead of
building a year of England first.
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

RUNS = int(os.environ.get("BENCH_LIST_RUNS", "5"))
FILTER_RUNS = int(os.environ.get("BENCH_LIST_FILTER_RUNS", "3"))
FILTER_CHOICES = 6
TARGET_MS = 500
MONTH = dt.date(2026, 2, 1)
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _print(label: str, value: str) -> None:
    print(f"   {label:<52} {value}", flush=True)


# --- data the national builds leave out --------------------------------------------------------


def _copy_to_history(model, where: str = "", params=(), history_type: str = "+") -> int:
    """A history row for each row of `model` (WHERE `where`), as an import writes them."""
    from django.db import connection

    history = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(f.column) for f in history._meta.concrete_fields if not f.name.startswith("history_")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {columns}, now() - (random() * interval '3 years'), 'bench', %s, NULL "
            f"FROM {quote(model._meta.db_table)} {where}",
            [history_type, *params],
        )
        return cursor.rowcount


def _add_audit_and_history(commissioner) -> str:
    """One audit event per referral, and history rows (see the module's docstring)."""
    from django.db import connection

    from referrals.models import AuditEvent
    from reimbursement.models import Batch, Claim, ClaimLine
    from roles.models import Post

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditEvent._meta.db_table} "
            "(user_id, username, role, action, model, record_id, at, detail) "
            "SELECT NULL, 'bench-user-' || (r.id % 997), "
            "(ARRAY['link_worker', 'clinical_director', ''])[1 + r.id % 3], "
            "(ARRAY['view', 'list', 'create', 'change', 'export'])[1 + r.id % 5], "
            "'referrals.Referral', r.id::text, r.received_on + time '10:00', '' "
            "FROM referrals_referral r"
        )
        events = cursor.rowcount
    claims = _copy_to_history(Claim) + _copy_to_history(Claim, history_type="~")
    posts = _copy_to_history(Post)
    batches = _copy_to_history(Batch)
    lines = _copy_to_history(
        ClaimLine,
        "WHERE claim_id IN (SELECT c.id FROM reimbursement_claim c JOIN networks_pcn p "
        "ON p.id = c.pcn_id WHERE p.commissioner_id = %s)",
        [commissioner.pk],
    )
    with connection.cursor() as cursor:
        # The planner's statistics, counting this transaction's own rows (as national.py does).
        tables = [AuditEvent._meta.db_table]
        tables += [m.history.model._meta.db_table for m in (Claim, ClaimLine, Post, Batch)]
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
    return (
        f"{events:,} audit events; history rows: {claims:,} claims, {lines:,} claim lines "
        f"({commissioner.code}'s), {posts:,} posts, {batches:,} batches "
        f"({time.perf_counter() - started:.0f} s)"
    )


# --- measuring ---------------------------------------------------------------------------------


def _request(client, url: str) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    milliseconds = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {body[:300]!r}")
    return milliseconds, response


def _measure(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _request(client, url)
    times = [_request(client, url)[0] for _ in range(runs)]
    with CaptureQueriesContext(connection) as captured:
        _request(client, url)
    queries = [q for q in captured.captured_queries if not q["sql"].startswith(SAVEPOINTS)]
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    return {
        "median": statistics.median(times),
        "max": max(times),
        "queries": len(queries),
        "slowest": slowest,
    }


def _sample(choices: list, count: int) -> list:
    if len(choices) <= count:
        return choices
    step = (len(choices) - 1) / (count - 1)
    return [choices[round(i * step)] for i in range(count)]


def _admin_filters(client, url: str) -> list[tuple[str, list[tuple[str, str]], int]]:
    """Each filter in the changelist's sidebar: its title, the choices measured (label, query
    string) and how many it offers. The "All" choice is the first page itself."""
    _, response = _request(client, url)
    changelist = response.context_data["cl"]
    found = []
    for spec in changelist.filter_specs:
        choices = [
            (str(choice["display"]), choice["query_string"])
            for choice in spec.choices(changelist)
            if choice["query_string"] not in ("", "?")
        ]
        found.append((str(spec.title), _sample(choices, FILTER_CHOICES), len(choices)))
    return found


class Lists:
    """What was measured, printed as it goes and kept as figures for run.py's table."""

    def __init__(self):
        self.figures = []

    def page(self, label: str, client, url: str) -> None:
        from figures import Figure

        try:
            found = _measure(client, url, RUNS)
        except Exception as exc:  # one broken page should not hide the others' figures
            _print(label, f"FAILED: {type(exc).__name__}: {str(exc)[:200]}")
            self.figures.append(Figure(label, "FAILED", "works", False))
            return
        met = found["median"] < TARGET_MS
        _print(
            label,
            f"median {found['median']:6.0f} ms, max {found['max']:6.0f} ms, "
            f"{found['queries']:2d} queries   under {TARGET_MS} ms: {'yes' if met else 'NO'}",
        )
        if found["slowest"] and float(found["slowest"]["time"]) * 1000 > TARGET_MS / 5:
            sql = " ".join(found["slowest"]["sql"].split())
            _print("  slowest query", f"{float(found['slowest']['time']) * 1000:.0f} ms {sql[:90]}")
        self.figures += [
            Figure(f"{label}: median", f"{found['median']:.0f} ms", f"< {TARGET_MS} ms", met),
            Figure(f"{label}: queries", str(found["queries"]), "fixed (same at both scales)"),
        ]

    def choices(
        self, label: str, client, base: str, choices: list[tuple[str, str]], *, figure: str
    ) -> None:
        """A filter's choices, each measured; the slowest is its figure (named `figure`, the
        same at every scale, for run.py's table)."""
        from figures import Figure

        results = []
        for name, query in choices:
            url = base + query if query.startswith("?") else f"{base}?{query}"
            try:
                results.append((_measure(client, url, FILTER_RUNS), name))
            except Exception as exc:
                _print(f"{label} = {name}", f"FAILED: {type(exc).__name__}: {str(exc)[:200]}")
                self.figures.append(Figure(figure, "FAILED", "works", False))
                return
        if not results:
            return
        worst, name = max(results, key=lambda r: r[0]["median"])
        counts = sorted({r[0]["queries"] for r in results})
        queries = f"{counts[0]}-{counts[-1]}" if len(counts) > 1 else str(counts[0])
        met = worst["median"] < TARGET_MS
        _print(
            f"{label} ({len(results)})",
            f"slowest {worst['median']:6.0f} ms ({name[:24]}), {queries} queries"
            f"   under {TARGET_MS} ms: {'yes' if met else 'NO'}",
        )
        self.figures.append(
            Figure(f"{figure}: slowest", f"{worst['median']:.0f} ms", f"< {TARGET_MS} ms", met)
        )

    def admin(self, label: str, client, url: str, searches=()) -> None:
        self.page(f"admin {label}", client, url)
        try:
            filters = _admin_filters(client, url)
        except Exception as exc:
            _print(f"admin {label} filters", f"FAILED: {type(exc).__name__}: {exc}")
            return
        for title, choices, offered in filters:
            shown = f"{title}, {len(choices)} of {offered}" if offered > len(choices) else title
            self.choices(
                f"  filter: {shown}", client, url, choices, figure=f"admin {label}, by {title}"
            )
        if searches:
            searched = [(term, f"?q={term}") for term in searches]
            self.choices("  search", client, url, searched, figure=f"admin {label}, searched")


# --- the lists ---------------------------------------------------------------------------------


def _user(username: str, **fields):
    from pcn_admin.models import User

    return User.objects.create(username=username, first_name="Bench", last_name=username, **fields)


def _people_and_places():
    """The commissioner with the most PCNs, its staff, a superuser, and the PCN with the most
    posts with its link worker and clinical director."""
    from django.db.models import Count

    from networks.models import PCN, Commissioner
    from pcn_admin.models import Role
    from roles.models import Post

    biggest = Commissioner.objects.annotate(n=Count("pcns")).order_by("-n", "code").first()
    busiest_id = (
        Post.objects.values("pcn").annotate(n=Count("pk")).order_by("-n", "pcn").first()["pcn"]
    )
    busiest = PCN.objects.get(pk=busiest_id)
    staff = _user(
        "bench-list-staff", role=Role.COMMISSIONER_STAFF, commissioner=biggest, is_staff=True
    )
    superuser = _user("bench-list-root", is_superuser=True, is_staff=True)
    link_worker = _user("bench-list-link-worker", role=Role.LINK_WORKER, pcn=busiest)
    return biggest, busiest, staff, superuser, link_worker


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _admin_lists(lists: Lists, biggest, busiest, staff, superuser) -> None:
    from reimbursement.models import Batch, Claim, ClaimLine
    from roles.models import Post

    as_staff, as_root = _client(staff), _client(superuser)
    pcn_code = busiest.code if busiest.commissioner_id == biggest.pk else None
    pcn_code = pcn_code or biggest.pcns.order_by("code").values_list("code", flat=True).first()
    post = Post.objects.filter(pcn__commissioner=biggest).order_by("-pk").first()
    surname = post.person_name.split()[-1]
    lists.admin("claims", as_staff, "/admin/reimbursement/claim/", [pcn_code])
    lists.admin("claim lines", as_staff, "/admin/reimbursement/claimline/", [pcn_code, surname])
    lists.admin("batches", as_staff, "/admin/reimbursement/batch/", [biggest.code])
    lists.admin("posts", as_staff, "/admin/roles/post/", [pcn_code, surname])
    lists.admin("referrals (superuser)", as_root, "/admin/referrals/referral/")
    lists.admin("audit events (superuser)", as_root, "/admin/referrals/auditevent/", ["9999"])
    claim = Claim.objects.filter(pcn__commissioner=biggest).order_by("-month", "pk").first()
    line = ClaimLine.objects.filter(claim=claim).order_by("pk").first()
    batch = Batch.objects.filter(commissioner=biggest).order_by("-month").first()
    for label, url in (
        ("claim history", f"/admin/reimbursement/claim/{claim.pk}/history/"),
        ("claim line history", f"/admin/reimbursement/claimline/{line.pk}/history/"),
        ("post history", f"/admin/roles/post/{post.pk}/history/"),
        ("batch history", f"/admin/reimbursement/batch/{batch.pk}/history/"),
    ):
        lists.page(f"admin {label}", as_staff, url)


def _api_lists(lists: Lists, biggest, busiest, staff, superuser, link_worker) -> None:
    from networks.models import PCN, Practice
    from referrals.models import Organisation
    from referrals.models.referrals import Status as ReferralStatus
    from reimbursement.models import Batch, Claim
    from roles.models import Post

    as_staff, as_root, as_link_worker = _client(staff), _client(superuser), _client(link_worker)
    pcn = PCN.objects.filter(commissioner=biggest).order_by("code").first()
    practice = Practice.objects.filter(commissioner=biggest).order_by("code").first()
    post = Post.objects.filter(pcn__commissioner=biggest).order_by("-pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    batch_month = Batch.objects.filter(commissioner=biggest).order_by("-month").first().month
    claim_month = MONTH

    def api(label, client, url, filters=()):
        lists.page(f"api {label}", client, url)
        if filters:
            lists.choices(
                f"  api {label} filters",
                client,
                url,
                list(filters),
                figure=f"api {label}, filtered",
            )

    api("commissioners", as_staff, "/api/v1/commissioners/", [("code", f"code={biggest.code}")])
    api(
        "practices",
        as_staff,
        "/api/v1/practices/",
        [
            ("commissioner", f"commissioner={biggest.code}"),
            ("code", f"code={practice.code}"),
            *[(value, f"status={value}") for value in Practice.Status.values],
        ],
    )
    api(
        "pcns",
        as_staff,
        "/api/v1/pcns/",
        [
            ("commissioner", f"commissioner={biggest.code}"),
            ("code", f"code={pcn.code}"),
            ("open", "status=open"),
            ("closed", "status=closed"),
        ],
    )
    api("roles", as_staff, "/api/v1/roles/", [("code", "code=gp"), ("unit", "unit=hours")])
    api(
        "rates",
        as_staff,
        "/api/v1/rates/",
        [
            ("role", "role__code=gp"),
            ("region", "region=national"),
            ("prov", "provenance=published"),
        ],
    )
    post_filters = [
        ("role", f"role__code={post.role.code}"),
        ("pcn", f"pcn__code={post.pcn.code}"),
        ("region", f"region={post.region}"),
    ]
    api("posts", as_staff, "/api/v1/posts/", post_filters)
    api("posts (superuser)", as_root, "/api/v1/posts/", post_filters)
    claim_filters = [
        *[(value, f"status={value}") for value in Claim.Status.values],
        *[(value, f"kind={value}") for value in Claim.Kind.values],
        ("month", f"month={claim_month:%Y-%m-%d}"),
    ]
    api("claims", as_staff, "/api/v1/claims/", claim_filters)
    api("claims (superuser)", as_root, "/api/v1/claims/", claim_filters)
    api(
        "batches",
        as_staff,
        "/api/v1/batches/",
        [
            *[(value, f"status={value}") for value in Batch.Status.values],
            ("month", f"month={batch_month:%Y-%m}"),
        ],
    )
    api(
        "referrals (link worker)",
        as_link_worker,
        "/api/v1/referrals/",
        [
            *[(value, f"status={value}") for value in ReferralStatus.values],
            ("link_worker", f"link_worker={link_worker.pk}"),
        ],
    )
    api("organisations", as_staff, "/api/v1/organisations/", [("kind", "kind=charity")])
    by_organisation = [("organisation", f"organisation={organisation.pk}")] if organisation else []
    api("services", as_staff, "/api/v1/services/", [*by_organisation, ("active", "is_active=true")])
    year = MONTH.year - 1 if MONTH.month < 4 else MONTH.year
    api("entitlement", as_staff, f"/api/v1/pcns/{pcn.code}/entitlement/?year={year}")


def run(scale: int) -> list:
    """The lists at one year (made and rolled back) or ten years (the kept history)."""
    import national
    from figures import connect_scale

    if not connect_scale(scale, "bench_lists"):
        return []
    from django.db import transaction

    from referrals.models import Referral
    from reimbursement.models import Claim, ClaimLine
    from roles.models import Post

    lists = Lists()
    with transaction.atomic():
        if scale == 1 and not os.environ.get("BENCH_LISTS_KEEP"):
            national.build(month=MONTH, months=12, referrals=500_000)
        biggest, busiest, staff, superuser, link_worker = _people_and_places()
        _print("added", _add_audit_and_history(biggest))
        _print(
            "data",
            f"{Claim.objects.count():,} claims, {ClaimLine.objects.count():,} lines, "
            f"{Post.objects.count():,} posts, {Referral.objects.count():,} referrals",
        )
        _print(
            "staff of",
            f"{biggest.code} ({biggest.pcns.count()} PCNs); link worker of {busiest.code}",
        )
        _print(f"runs: {RUNS} per page, {FILTER_RUNS} per filter choice", "")
        _admin_lists(lists, biggest, busiest, staff, superuser)
        _api_lists(lists, biggest, busiest, staff, superuser, link_worker)
        transaction.set_rollback(True)
    return lists.figures


def main() -> None:
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1)


if __name__ == "__main__":
    main()
