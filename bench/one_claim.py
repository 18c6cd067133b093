"""One practice's month end, alone: each request of bench/locustfile_month_end.py's scenario
made once by one person on the ten-year database, with production settings (load_settings:
DEBUG off), timed with its queries and their SQL time. What a claim costs the server when
nothing else runs; the load test shows what 220 people at once make of it. Nothing is kept
(one transaction, rolled back).

`.venv/bin/python bench/one_claim.py` (the ten-year database is built first if missing).
"""

import os
import re
import secrets
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

PASSWORD = "bench-one-claim-not-secret"


def _timed(label: str, request) -> object:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = request()
        ms = (time.perf_counter() - started) * 1000
    sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(
        f"   {label:<28} {response.status_code}  {ms:6.0f} ms  {len(queries.captured_queries):3} "
        f"queries  {sql:5.0f} ms of SQL",
        flush=True,
    )
    return response


def main() -> None:
    for name, value in {
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "CACHE_URL": "locmem://",
        "REQUIRE_TWO_FACTOR": "false",  # the staff member's code is not what is measured
    }.items():
        os.environ[name] = value
    import decade

    decade.connect(rebuild=False)
    from django.db import transaction
    from django.test import Client
    from month_end import LOAD_MONTH

    from networks.models import PCN, NominatedPayee
    from pcn_admin.models import Role, User
    from reimbursement import selectors
    from reimbursement.models import Claim

    with transaction.atomic():
        payees = dict(NominatedPayee.objects.current().values_list("pcn_id", "practice_id"))
        pcn = next(
            p
            for p in PCN.objects.order_by("code")
            if payees.get(p.pk) and selectors.claimable_posts(p, LOAD_MONTH).exists()
        )
        User.objects.create_user(
            "bench-one-pm",
            password=PASSWORD,
            role=Role.PRACTICE_MANAGER,
            practice_id=payees[pcn.pk],
        )
        staff = User.objects.create_user(
            "bench-one-staff", role=Role.COMMISSIONER_STAFF, commissioner=pcn.commissioner
        )
        print(f"   {pcn.code}, {LOAD_MONTH:%B %Y}, as its payee practice's manager", flush=True)
        practice = Client()
        _timed("sign in (page)", lambda: practice.get("/accounts/login/"))
        _timed(
            "sign in (post)",
            lambda: practice.post(
                "/accounts/login/", {"username": "bench-one-pm", "password": PASSWORD}
            ),
        )
        _timed("claims (list)", lambda: practice.get("/reimbursement/claims/"))
        page = _timed("claim (start page)", lambda: practice.get("/reimbursement/claims/new/"))
        token = re.search(r'name="submission_token" value="([^"]+)"', page.text)
        _timed(
            "claim (start)",
            lambda: practice.post(
                "/reimbursement/claims/new/",
                {
                    "pcn": pcn.pk,
                    "month": f"{LOAD_MONTH:%Y-%m}",
                    "kind": "normal",
                    "copy_forward": "on",
                    "submission_token": token.group(1) if token else "",
                },
            ),
        )
        claim = Claim.objects.get(pcn=pcn, month=LOAD_MONTH, kind=Claim.Kind.NORMAL)
        edit_url = f"/reimbursement/claims/{claim.pk}/edit/"
        edit = _timed("claim (edit)", lambda: practice.get(edit_url))
        costs = {}
        for pk in re.findall(r'name="line-(\d+)-salary"', edit.text):
            costs |= {
                f"line-{pk}-salary": "2500.45",
                f"line-{pk}-employer_ni": "300.05",
                f"line-{pk}-employer_pension": "359.56",
            }
        print(f"   ({len(costs) // 3} lines)", flush=True)
        _timed("claim (save draft)", lambda: practice.post(edit_url, {"action": "save", **costs}))
        submit = {"action": "submit", "declared_additional": "on", "declared_costs_paid": "on"}
        _timed("claim (submit)", lambda: practice.post(edit_url, {**submit, **costs}))
        _timed("claim (view)", lambda: practice.get(f"/reimbursement/claims/{claim.pk}/"))
        reviewer = Client()
        reviewer.force_login(staff)
        _timed(
            "claims awaiting review (list)",
            lambda: reviewer.get("/reimbursement/claims/?status=in_review"),
        )
        _timed("claim (review)", lambda: reviewer.get(f"/reimbursement/claims/{claim.pk}/"))
        _timed(
            "claim (approve remaining)",
            lambda: reviewer.post(f"/reimbursement/claims/{claim.pk}/approve-remaining/"),
        )
        _timed("commissioner dashboard", lambda: reviewer.get("/networks/dashboard/"))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
