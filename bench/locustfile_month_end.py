"""Locust scenario for bench/month_end.py: month end, when every payee practice submits its
claim at once and commissioner staff review them as they come in.

Practice managers sign in, open their claim list, start the month's claim (from last month's
costs), open it, fill every line's costs, save the draft, submit it, then look at it now and
then. Commissioner staff sign in with their password and an authenticator code, open the
claims awaiting review, open one of their commissioner's and approve its remaining lines, and
look at their dashboard. Every user waits 5-15 s between pages, as a person reading would.

The window: every user signs in first (as spawned); the measured 5 minutes (LOAD_SECONDS) start
when the last of them is in, each person then starting at a moment of their own in the first
minute. The figures of the signing in are kept apart (written with the results) and the counts
reset; the test stops itself at the end of the window. A month-end morning has everyone signed
in: 220 password checks of about 0.6 s each (PBKDF2, a cost paid on purpose) in the first 22
seconds would measure the spawn, not the month end.

The accounts come from the file named by LOAD_ACCOUNTS (written by month_end.py); each user
takes the next account of its kind. What each practice manager submitted (claim id, lines and
the sum of the salaries typed) is written to LOAD_RESULTS when the test stops, so month_end.py
can check by SQL that no claim was lost or duplicated.
"""

import hashlib
import hmac
import json
import os
import random
import re
import struct
import time
from decimal import Decimal

import gevent
from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())
MONTH = ACCOUNTS["month"]  # "2026-03"
_managers = iter(ACCOUNTS["practice_managers"])
_staff = iter(ACCOUNTS["commissioner_staff"])
SUBMITTED: list[dict] = []
WINDOW_SECONDS = int(os.environ.get("LOAD_SECONDS", "300"))
PEOPLE = int(os.environ.get("LOAD_PRACTICE_MANAGERS", "200")) + int(
    os.environ.get("LOAD_COMMISSIONER_STAFF", "20")
)
SIGN_IN: dict = {}  # the figures of the signing in, before the window
_signed_in = 0
_window_open = False
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
LINE_INPUT = re.compile(r'name="line-(\d+)-salary"')
REVIEW_LINK = re.compile(r'href="/reimbursement/claims/(\d+)/"')
PENNY, NI, PENSION = Decimal("0.01"), Decimal("0.12"), Decimal("0.14")


def totp(key_hex: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows (RFC 6238: SHA-1, 30-second steps), as
    django-otp's TOTPDevice checks it."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _open_window(environment) -> None:
    """The last person is in: keep the sign-in figures, start the counts afresh, and stop the
    test when the window ends."""
    global _window_open
    stats = environment.runner.stats
    for (name, _method), entry in stats.entries.items():
        SIGN_IN[name] = {
            "requests": entry.num_requests,
            "errors": entry.num_failures,
            "median": entry.median_response_time,
            "p95": entry.get_response_time_percentile(0.95),
        }
    SIGN_IN["_seconds"] = round(time.time() - stats.total.start_time, 1)
    stats.reset_all()
    _window_open = True
    gevent.spawn_later(WINDOW_SECONDS, environment.runner.quit)


class _Person(HttpUser):
    abstract = True
    wait_time = between(5, 15)

    def _in(self) -> None:
        global _signed_in
        _signed_in += 1
        if _signed_in == PEOPLE:
            _open_window(self.environment)

    def _await_window(self) -> None:
        """Wait for everyone to be in, then for this person's own moment in the first minute:
        a month-end morning has people arriving all the time, not 220 at the same second."""
        while not _window_open:
            gevent.sleep(0.5)
        gevent.sleep(random.uniform(0, 60))

    def _csrf(self, html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else self.client.cookies.get("csrftoken", "")

    def _sign_in(self, username: str, password: str) -> None:
        page = self.client.get("/accounts/login/", name="sign in (page)")
        self.client.post(
            "/accounts/login/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self._csrf(page.text),
            },
            name="sign in (post)",
        )


class PracticeManager(_Person):
    fixed_count = int(os.environ.get("LOAD_PRACTICE_MANAGERS", "200"))

    def on_start(self):
        self.account = next(_managers)
        self.claim_id = None
        try:
            self._sign_in(self.account["username"], ACCOUNTS["password"])
        finally:
            self._in()
        self._await_window()

    @task
    def month_end(self):
        if self.claim_id is None:
            self._claim()
        else:
            # Submitted: now and then the practice looks at it, or at the list.
            self.client.get(f"/reimbursement/claims/{self.claim_id}/", name="claim (view)")
            self.wait()
            self.client.get("/reimbursement/claims/", name="claims (list)")

    def _claim(self):
        self.client.get("/reimbursement/claims/", name="claims (list)")
        self.wait()
        page = self.client.get("/reimbursement/claims/new/", name="claim (start page)")
        self.wait()
        started = self.client.post(
            "/reimbursement/claims/new/",
            {
                "csrfmiddlewaretoken": self._csrf(page.text),
                "submission_token": (TOKEN.search(page.text) or [None, ""])[1],
                "pcn": self.account["pcn_id"],
                "month": MONTH,
                "kind": "normal",
                "copy_forward": "on",
            },
            name="claim (start)",
        )
        found = re.search(r"/reimbursement/claims/(\d+)/edit/", started.url or "")
        if not found:
            return  # the failure shows in the figures: the next task tries again
        claim_id = int(found.group(1))
        self.wait()
        edit = self.client.get(f"/reimbursement/claims/{claim_id}/edit/", name="claim (edit)")
        lines = [int(pk) for pk in LINE_INPUT.findall(edit.text)]
        # The practice types each person's costs (from its payroll): pounds and pence.
        costs, salaries = {}, Decimal("0")
        for i, pk in enumerate(lines):
            salary = Decimal(2400 + (pk * 37 + i * 11) % 1500) + Decimal("0.45")
            salaries += salary
            costs[f"line-{pk}-salary"] = f"{salary}"
            costs[f"line-{pk}-employer_ni"] = f"{(salary * NI).quantize(PENNY)}"
            costs[f"line-{pk}-employer_pension"] = f"{(salary * PENSION).quantize(PENNY)}"
        token = self._csrf(edit.text)
        self.wait()
        self.client.post(
            f"/reimbursement/claims/{claim_id}/edit/",
            {"csrfmiddlewaretoken": token, "action": "save", **costs},
            name="claim (save draft)",
        )
        self.wait()
        with self.client.post(
            f"/reimbursement/claims/{claim_id}/edit/",
            {
                "csrfmiddlewaretoken": token,
                "action": "submit",
                "declared_additional": "on",
                "declared_costs_paid": "on",
                **costs,
            },
            name="claim (submit)",
            catch_response=True,
        ) as submitted:
            if submitted.url and submitted.url.endswith(f"/reimbursement/claims/{claim_id}/"):
                self.claim_id = claim_id
                SUBMITTED.append(
                    {
                        "claim_id": claim_id,
                        "pcn_id": self.account["pcn_id"],
                        "lines": len(lines),
                        "salaries": str(salaries),
                    }
                )
            else:
                submitted.failure("the claim was not submitted (the edit page came back)")


class CommissionerStaff(_Person):
    fixed_count = int(os.environ.get("LOAD_COMMISSIONER_STAFF", "20"))

    def on_start(self):
        self.account = next(_staff)
        try:
            self._sign_in(self.account["username"], ACCOUNTS["password"])
            page = self.client.get("/accounts/two-factor/", name="two-factor (page)")
            self.client.post(
                "/accounts/two-factor/",
                {"csrfmiddlewaretoken": self._csrf(page.text), "code": totp(self.account["key"])},
                name="two-factor (post)",
            )
        finally:
            self._in()
        self._await_window()

    @task(3)
    def review(self):
        listing = self.client.get(
            "/reimbursement/claims/?status=in_review", name="claims awaiting review (list)"
        )
        ids = REVIEW_LINK.findall(listing.text)
        if not ids:
            return
        self.wait()
        claim_id = ids[0]
        detail = self.client.get(f"/reimbursement/claims/{claim_id}/", name="claim (review)")
        if "approve-remaining" not in detail.text:
            return
        self.wait()
        self.client.post(
            f"/reimbursement/claims/{claim_id}/approve-remaining/",
            {"csrfmiddlewaretoken": self._csrf(detail.text)},
            name="claim (approve remaining)",
        )

    @task(1)
    def dashboard(self):
        self.client.get("/networks/dashboard/", name="commissioner dashboard")


@events.test_stop.add_listener
def _write_results(environment, **kwargs):
    with open(os.environ["LOAD_RESULTS"], "w") as out:
        json.dump({"submitted": SUBMITTED, "sign_in": SIGN_IN, "window": _window_open}, out)
