"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live_server. Skipped, with the reason, where Chromium or the playwright package is missing
(tests/conftest.py); Chromium comes from `apt-get install chromium`, never `playwright install`.

How to write one (tests/browser/test_login_browser.py is the example):

    pytestmark = pytest.mark.browser

    def test_something(page, log_in, visit):
        log_in(ClinicalDirectorUserFactory())     # through the real sign-in form
        visit("/networks/some-page/")             # a path on the live server
        expect(page.get_by_role("heading", name="...")).to_be_visible()

Fixtures:
- `browser`: one headless Chromium for the whole of tests/browser (package scope). Started by
  the first browser test and closed after the last, so the asyncio event loop that Playwright's
  sync API keeps running in the main thread never reaches the other tests. While it runs,
  DJANGO_ALLOW_ASYNC_UNSAFE is set (as Playwright's and Django's documentation advise), since
  Django refuses ORM calls in a thread with a running event loop; it is put back afterwards.
  Meanwhile the ORM in the test uses its own connection objects (see the fixture's comment).
- `page`: a fresh browser context (no cookies) and page per test, with a 5-second default
  timeout so a missing element fails quickly.
- `live_site`: the live server, with database access that it shares: transactional, as the
  server's thread cannot see the test's uncommitted rows, and with serialized rollback, so the
  reference data the migrations seed (ARRS roles and rates, referral sources) is there in each
  test, even after an earlier transactional test emptied the tables.
- `visit(path)`: open a path on the live server; returns Playwright's response.
- `log_in(user, password=PASSWORD, *, succeed=True)`: sign in through the form at
  /accounts/login/ and, unless `succeed=False`, check the browser left the sign-in page.
  Users from tests/pcn_admin/factories.py have PASSWORD.
"""

import os
import re

import pytest

from tests.conftest import BROWSER_ARGS, browser_unavailable_reason, chromium_path

# The password tests.pcn_admin.factories.UserFactory gives every user.
PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 5_000


@pytest.fixture(scope="package")
def browser():
    reason = browser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    snapshots = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    # With an event loop running in this thread, Django keeps database connections per async
    # context rather than per thread (asgiref's Local), so from here on the ORM in the tests
    # uses new connection objects. Give them the snapshot of the migrated database that
    # serialized rollback restores, which Django keeps on the connection object.
    for alias, snapshot in snapshots.items():
        if snapshot is not None:
            connections[alias]._test_serialized_contents = snapshot
    try:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        connections.close_all()  # the connections opened while the loop ran
        playwright.stop()
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def live_site(browser, live_server, transactional_db, django_db_serialized_rollback):
    # `browser` first, so the async-unsafe allowance is in place before any database work.
    return live_server


@pytest.fixture
def page(browser, live_site):
    context = browser.new_context(base_url=live_site.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def visit(page):
    def visit(path: str):
        return page.goto(path)

    return visit


@pytest.fixture
def log_in(page):
    from playwright.sync_api import expect

    def log_in(user, password: str = PASSWORD, *, succeed: bool = True):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if succeed:
            expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return page

    return log_in
