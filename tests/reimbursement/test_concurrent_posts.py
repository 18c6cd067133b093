"""Posts sent at the same moment (a double click that beat the script, two tabs, a slow network
sending again) give no 500 and no duplicate.

Each post runs in its own thread with its own database connection, as requests do in
production. On PostgreSQL (CI) the threads share the test database; row locks and the form
token's unique index make the second wait for the first. The tests' SQLite database lives in
memory behind one shared connection, so on SQLite the threads work on a file copy of it, opened
with the project's settings: transactions take the write lock at BEGIN IMMEDIATE and wait for
it (the busy timeout). Before that setting the second post failed with "database is locked".
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.cookies import SimpleCookie

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.urls import reverse

from pcn_admin.submissions import FIELD
from referrals.models import Referral, ReferralReason, ReferralSource
from reimbursement.models import Claim
from roles.models import Rate, ReimbursementPercentage
from tests.referrals.factories import (
    AssignedReferralFactory,
    ReferralReasonFactory,
    ReferralSourceFactory,
)
from tests.reimbursement.factories import filled_claim
from tests.roles.factories import RateFactory, ReimbursementPercentageFactory, RoleFactory

# Committed rows: the threads' connections cannot see a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

AT_ONCE = 4  # posts sent together: more than two, so at least two overlap on a busy machine


class Threads:
    """Runs calls in threads, each with a connection of its own (see the module's note)."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.wrapper = None
        self.settings_dict = None

    def freeze(self) -> None:
        """On SQLite, copy the test database to a file for the threads; call after set-up."""
        database = connections[DEFAULT_DB_ALIAS]
        if database.vendor != "sqlite":
            return
        path = self.tmp_path / "copy.sqlite3"
        database.ensure_connection()
        copy = sqlite3.connect(path)
        database.connection.backup(copy)
        copy.close()
        self.wrapper = type(database)
        self.settings_dict = {**database.settings_dict, "NAME": str(path)}

    def _in_thread(self, call, start: threading.Barrier | None = None):
        def run():
            if self.settings_dict is not None:
                connections[DEFAULT_DB_ALIAS] = self.wrapper(self.settings_dict, DEFAULT_DB_ALIAS)
            try:
                if start is not None:
                    start.wait(timeout=10)
                return call()
            finally:
                connections.close_all()

        return run

    def together(self, call, times: int = AT_ONCE) -> list:
        """`call` in `times` threads released at the same moment; each thread's result (an
        exception in a thread, a 500 included, fails the test with its traceback)."""
        start = threading.Barrier(times)
        with ThreadPoolExecutor(max_workers=times) as pool:
            futures = [pool.submit(self._in_thread(call, start)) for _ in range(times)]
            return [future.result(timeout=60) for future in futures]

    def one(self, call):
        """`call` against the database the threads changed."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self._in_thread(call)).result(timeout=60)


@pytest.fixture
def threads(tmp_path):
    return Threads(tmp_path)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The ARRS figures and referral lists the migrations load, made again where an earlier
    committing test has emptied the tables (as every such test does when it ends)."""
    for code in ("clinical_pharmacist", "social_prescribing_link_worker"):
        role = RoleFactory(code=code)
        if not Rate.objects.filter(role=role).exists():
            RateFactory(role=role, annual_max=Decimal("55000.00"))
        if not ReimbursementPercentage.objects.filter(role=role).exists():
            ReimbursementPercentageFactory(role=role)
    if not ReferralSource.objects.filter(is_active=True).exists():
        ReferralSourceFactory()
    if not ReferralReason.objects.filter(is_active=True).exists():
        ReferralReasonFactory()


def signed_in(user) -> SimpleCookie:
    """The session cookie of a signed-in user, for clients made in the threads."""
    client = Client()
    client.force_login(user)
    return client.cookies


def poster(cookies: SimpleCookie, url: str, data: dict):
    def post():
        client = Client()
        client.cookies = SimpleCookie({name: morsel.value for name, morsel in cookies.items()})
        response = client.post(url, data)
        return response.status_code, response.get("Location", "")

    return post


def test_the_sqlite_settings_queue_writers_rather_than_fail_them(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's transaction mode; PostgreSQL waits on locks of its own")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5


def test_submit_the_claim_pressed_at_once_submits_it_once(world, threads):
    claim = filled_claim(world)
    data = {"action": "submit", "declared_additional": "on", "declared_costs_paid": "on"}
    for line in claim.lines.all():
        for name in ("salary", "employer_ni", "employer_pension"):
            data[f"line-{line.pk}-{name}"] = getattr(line, name)
    url = reverse("reimbursement:claim_edit", args=[claim.pk])
    post = poster(signed_in(world.director), url, data)
    threads.freeze()

    answers = threads.together(post)

    detail = reverse("reimbursement:claim_detail", args=[claim.pk])
    assert answers == [(302, detail)] * AT_ONCE
    submitted = threads.one(
        lambda: Claim.history.filter(id=claim.pk, status=Claim.Status.SUBMITTED).count()
    )
    assert submitted == 1


def test_start_the_claim_pressed_at_once_starts_one_claim(world, threads):
    data = {"pcn": world.pcn.pk, "month": "2025-06", "kind": "normal", FIELD: "0" * 32}
    post = poster(signed_in(world.director), reverse("reimbursement:claim_create"), data)
    threads.freeze()

    answers = threads.together(post)

    claims = threads.one(lambda: list(Claim.objects.values_list("pk", flat=True)))
    assert len(claims) == 1
    assert answers == [(302, reverse("reimbursement:claim_edit", args=claims))] * AT_ONCE


def test_start_the_claim_from_two_pages_at_once_gives_no_500(world, threads):
    """Two forms (two tokens) for the same month: one starts it, the other is told why not."""
    data = {"pcn": world.pcn.pk, "month": "2025-06", "kind": "normal"}
    post = poster(signed_in(world.director), reverse("reimbursement:claim_create"), data)
    threads.freeze()

    answers = threads.together(post, times=2)

    assert sorted(status for status, _ in answers) == [200, 302]
    assert threads.one(lambda: Claim.objects.count()) == 1


def test_record_a_referral_pressed_at_once_records_one(threads):
    known = AssignedReferralFactory()
    data = {
        "given_name": "Ivy",
        "family_name": "Armstrong",
        "date_of_birth": "1951-09-14",
        "phone": "07700 900456",
        "preferred_contact_method": "phone",
        "practice": known.practice.pk,
        "source": ReferralSource.objects.filter(is_active=True).first().pk,
        "reasons": [ReferralReason.objects.filter(is_active=True).first().pk],
        "link_worker": known.link_worker.pk,
        "consent_given": "on",
        FIELD: "1" * 32,
    }
    post = poster(signed_in(known.link_worker), reverse("referrals:create"), data)
    threads.freeze()

    answers = threads.together(post)

    made = threads.one(lambda: list(Referral.objects.filter(given_name="Ivy").values("pk")))
    assert len(made) == 1
    assert answers == [(302, reverse("referrals:detail", args=[made[0]["pk"]]))] * AT_ONCE
