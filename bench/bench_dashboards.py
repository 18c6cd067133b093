"""Time the two dashboards of issue 7 at national scale: a PCN's (its clinical director's) and
a commissioner's (its staff's), each a whole request through Django's test client, against the
goals of issue 18: a median under 150 ms, every run under 300 ms, and a fixed number of queries
(the same at one year and at ten).

At one year (`run(1)`, and `python bench/bench_dashboards.py`) it uses DATABASE_URL if set, else
postgres://postgres@127.0.0.1:5432/pcn_admin_bench (created and migrated if missing):
bench/national.py fills it with 106 commissioners, ~1,300 PCNs, 40,000 posts, a year of claims
and 500,000 referrals inside one transaction, which is rolled back at the end, so the database
is left as it was. At ten years (`run(10)`) it reads the kept history of bench/decade.py (4.8
million claim lines, 5 million referrals with their contacts and outcomes, ending with the
same February 2026); only the bench's users are made, and rolled back.

The year of claims runs from March 2025 to February 2026 and the bench pins "today" to
16 March 2026, so the year shown, 2025/26, is the current one with eleven months claimed and
eleven twelfths of the referrals, and March still to forecast: the most data a dashboard of a
current year reads (a past year has no forecast to work out).

Timings are of a warm process (one request first, then the median and maximum of RUNS); the
query count is of one request and includes the session and user look-ups every page makes.
"""

import datetime as dt
import statistics
import time
from unittest import mock

RUNS = 10
TARGET_MEDIAN_MS = 150
TARGET_MS = 300
# The last month of claims, and the day the dashboards are looked at.
MONTH = dt.date(2026, 2, 1)
TODAY = dt.date(2026, 3, 16)
SLOWEST_SHOWN = 3
# Statements the bench's outer transaction adds (a real request has none of them).
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _print(label: str, value: str) -> None:
    print(f"   {label:<34} {value}", flush=True)


def _user(username: str, **organisation):
    """A user of one role and organisation, made directly (the benches do not use
    factory_boy); force_login needs no password."""
    from pcn_admin.models import User

    return User.objects.create(
        username=username,
        first_name="Bench",
        last_name=username,
        email=f"{username}@example.nhs.uk",
        **organisation,
    )


def _choose(year: int):
    """A typical PCN: of a commissioner with the national average number of PCNs, the one with
    the median number of posts among those with posts, claims and referrals in the year. And
    the commissioner with the most PCNs, and the PCN with the most posts."""
    from django.db.models import Count

    from networks.models import PCN, Commissioner
    from referrals.models import Referral
    from reimbursement.models import Claim
    from roles.models import Post

    start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    commissioners = list(Commissioner.objects.annotate(n=Count("pcns")).order_by("code"))
    mean = statistics.mean(c.n for c in commissioners)
    typical = min(commissioners, key=lambda c: (abs(c.n - mean), c.code))
    biggest = max(commissioners, key=lambda c: (c.n, c.code))

    def counts(queryset) -> dict[int, int]:
        return dict(queryset.values_list("pcn_id").annotate(n=Count("pk")).order_by())

    posts = counts(Post.objects.all())
    claims = counts(Claim.objects.filter(month__range=(start, end)))
    referrals = counts(Referral.objects.filter(received_on__range=(start, end)))
    candidates = sorted(
        (posts[pcn.pk], pcn.code, pcn)
        for pcn in PCN.objects.filter(commissioner=typical)
        if posts.get(pcn.pk) and claims.get(pcn.pk) and referrals.get(pcn.pk)
    )
    if not candidates:
        raise RuntimeError(f"No PCN of {typical.code} has posts, claims and referrals in {year}.")
    pcn = candidates[len(candidates) // 2][2]
    busiest = PCN.objects.get(pk=max(posts, key=lambda pk: (posts[pk], -pk)))
    for chosen in (pcn, busiest):
        chosen.figures = (posts[chosen.pk], claims.get(chosen.pk, 0), referrals.get(chosen.pk, 0))
    return pcn, typical, biggest, busiest, mean


def _request(client, url: str):
    started = time.perf_counter()
    response = client.get(url)
    # Read a streamed response whole, as a browser would.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    milliseconds = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {body[:300]!r}")
    return milliseconds, body


def _measure(user, url: str, *, runs: int = RUNS) -> dict:
    """One warm-up request, `runs` timed, then one with its queries captured."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    _request(client, url)
    times = [_request(client, url)[0] for _ in range(runs)]
    with CaptureQueriesContext(connection) as captured:
        captured_ms, body = _request(client, url)
    queries = [q for q in captured.captured_queries if not q["sql"].startswith(SAVEPOINTS)]
    return {
        "median": statistics.median(times),
        "max": max(times),
        "queries": len(queries),
        "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
        "captured_ms": captured_ms,
        "slowest": sorted(queries, key=lambda q: -float(q["time"]))[:SLOWEST_SHOWN],
        "bytes": len(body),
    }


def _report(label: str, figures: dict, *, target: bool = True) -> None:
    _print(
        f"{label}",
        f"median {figures['median']:6.1f} ms, max {figures['max']:6.1f} ms, "
        f"{figures['queries']} queries ({figures['sql_ms']:.1f} ms of SQL in "
        f"{figures['captured_ms']:.1f} ms), {figures['bytes'] / 1024:.0f} KiB",
    )
    for rank, query in enumerate(figures["slowest"], 1):
        sql = " ".join(query["sql"].split())
        _print(f"  slowest query {rank}", f"{float(query['time']) * 1000:6.1f} ms  {sql[:100]}")
    if target:
        _print(
            f"  median under {TARGET_MEDIAN_MS} ms, every run under {TARGET_MS} ms",
            "yes" if _met(figures) else "NO",
        )


def _met(figures: dict) -> bool:
    return figures["median"] < TARGET_MEDIAN_MS and figures["max"] < TARGET_MS


def _pinned_localdate():
    """timezone.localdate with today pinned to TODAY; a given datetime converted as before."""
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    return localdate


def run(scale: int) -> list:
    """The figures at one year (made and rolled back) or ten years (the kept history)."""
    import national
    from figures import connect_scale

    if not connect_scale(scale, "bench_dashboards"):
        return []
    from django.db import transaction
    from django.urls import reverse
    from figures import Figure

    from networks.models import PCN, Practice
    from pcn_admin.models import Role
    from referrals.models import Referral
    from reimbursement.models import Claim, ClaimLine
    from roles.models import Post

    results = []
    with transaction.atomic():
        if scale == 1:
            data = national.build(month=MONTH, months=12, referrals=500_000)
        else:
            import decade

            data = national.National(month=decade.LAST_MONTH, months=[])
        year = data.month.year if data.month.month >= 4 else data.month.year - 1
        pcn, commissioner, biggest, busiest, mean = _choose(year)
        _print(
            "data",
            f"{PCN.objects.count():,} PCNs, {Practice.objects.count():,} practices, "
            f"{Post.objects.count():,} posts, {Claim.objects.count():,} claims "
            f"({ClaimLine.objects.count():,} lines to {data.month:%b %Y}), "
            f"{Referral.objects.count():,} referrals",
        )
        _print("year shown; today", f"{year}/{(year + 1) % 100:02d}; {TODAY:%d %B %Y} (pinned)")
        _print(
            "typical PCN",
            f"{pcn.code}: %d posts, %d claims and %d referrals in the year" % pcn.figures,
        )
        _print("its commissioner", f"{commissioner.code}: {commissioner.n} PCNs")
        _print("  national mean", f"{mean:.1f} PCNs per commissioner")
        _print("commissioner with most PCNs", f"{biggest.code}: {biggest.n} PCNs")
        _print(
            "PCN with most posts",
            f"{busiest.code}: %d posts, %d claims and %d referrals in the year" % busiest.figures,
        )

        staff = Role.COMMISSIONER_STAFF
        director = _user("bench-director", role=Role.CLINICAL_DIRECTOR, pcn=pcn)
        own_staff = _user("bench-staff", role=staff, commissioner=commissioner, is_staff=True)
        most_staff = _user("bench-staff-most", role=staff, commissioner=biggest, is_staff=True)
        busiest_director = _user("bench-director-busiest", role=Role.CLINICAL_DIRECTOR, pcn=busiest)

        def url(name: str, **kwargs) -> str:
            return reverse(f"dashboards:{name}", kwargs=kwargs) + f"?year={year}"

        pages = [
            ("PCN dashboard", director, url("pcn_dashboard", code=pcn.code)),
            (
                f"  most posts, {busiest.code}",
                busiest_director,
                url("pcn_dashboard", code=busiest.code),
            ),
            ("commissioner dashboard", own_staff, url("commissioner_dashboard")),
            (f"  most PCNs, {biggest.code}", most_staff, url("commissioner_dashboard")),
            ("PCN CSV (spend)", director, url("pcn_dashboard_csv", code=pcn.code, chart="spend")),
            ("commissioner CSV (pcns)", own_staff, url("commissioner_dashboard_csv", chart="pcns")),
        ]
        # The views and the selectors ask django.utils.timezone for today's date.
        with mock.patch("django.utils.timezone.localdate", side_effect=_pinned_localdate()):
            for label, user, page in pages:
                try:
                    figures = _measure(user, page)
                except Exception as exc:  # one broken page should not hide the others' figures
                    _print(label, f"FAILED: {type(exc).__name__}: {str(exc)[:300]}")
                    results.append(Figure(_side_label(label), "FAILED", "works", False))
                    continue
                _report(label, figures, target="CSV" not in label)
                results.extend(_figures(_side_label(label), figures, target="CSV" not in label))
        transaction.set_rollback(True)
    return results


def _side_label(label: str) -> str:
    """The page's name in the side-by-side table, without the PCN or commissioner code (the
    busiest differ between the scales' data)."""
    names = {"most posts": "PCN with most posts", "most PCNs": "commissioner, most PCNs"}
    label = label.strip()
    return names.get(label.split(",")[0], label)


def _figures(label: str, figures: dict, *, target: bool) -> list:
    from figures import Figure

    if not target:
        return [Figure(f"{label}: median", f"{figures['median']:.0f} ms")]
    return [
        Figure(
            f"{label}: median / max",
            f"{figures['median']:.0f} / {figures['max']:.0f} ms",
            f"< {TARGET_MEDIAN_MS} / < {TARGET_MS} ms",
            _met(figures),
        ),
        Figure(f"{label}: queries", str(figures["queries"]), "fixed (same at both scales)"),
    ]


def main() -> None:
    run(1)


if __name__ == "__main__":
    main()
