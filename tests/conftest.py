"""Shared fixtures. Tests needing PostgreSQL or a live broker skip elsewhere, saying why."""

import os

import pytest
from django.conf import settings
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(settings.CELERY_BROKER_URL)
    for item in items:
        # `make test` runs the suite in parallel (pytest-xdist, --dist loadgroup): the browser
        # tests share one Chromium and the broker tests one queue, so each kind stays together
        # in one worker, one test after another. Without -n the marker does nothing.
        for kind in ("browser", "broker"):
            if kind in item.keywords:
                item.add_marker(pytest.mark.xdist_group(kind))
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "broker" in item.keywords and not (has_broker and on_postgres):
            item.add_marker(
                pytest.mark.skip(reason="needs a broker: set CELERY_BROKER_URL and DATABASE_URL")
            )


@pytest.fixture
def db_vendor():
    return connection.vendor


@pytest.fixture
def figures_before_pay_awards(db):
    """The ARRS maxima as published (maxima.csv), before the pay awards the migrations apply
    (2025/26 and 2026/27): for tests written against the published figures, such as arrs.md's
    worked check (a clinical pharmacist in June 2025 at £66,972)."""
    from django.db.models import F

    from roles.models import Provenance, Rate

    superseded = list(Rate.objects.filter(superseded_by__isnull=False).values_list("pk", flat=True))
    # The superseded rows point at the derived ones (PROTECT): point them away first.
    Rate.objects.filter(pk__in=superseded).update(superseded_by=F("pk"))
    Rate.objects.filter(provenance=Provenance.DERIVED_UPLIFT).delete()
    Rate.objects.filter(pk__in=superseded).update(superseded_by=None)


@pytest.fixture(scope="session", autouse=True)
def evidence_files_in_a_temporary_folder(tmp_path_factory):
    """Claim evidence (evidence/) that tests attach is written under pytest's temporary folder,
    never in the working tree's private/evidence or a configured bucket."""
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("evidence")
    storages = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    with override_settings(STORAGES=storages):
        yield folder


# Reference data that migrations load (decision 0014's payment streams, the backfill stream):
# a transactional test's flush empties it for the tests after it, so those get it back.
MIGRATED_REFERENCE_DATA = (
    ("reimbursement.migrations.0006_payment_streams", "load_streams"),
    ("development.migrations.0002_backfill_payment_stream", "add_backfill_stream"),
)


@pytest.fixture(autouse=True)
def reference_data_after_a_flush(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        import importlib

        from django.apps import apps

        request.getfixturevalue("transactional_db")
        for module, function in MIGRATED_REFERENCE_DATA:
            getattr(importlib.import_module(module), function)(apps, None)
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests make many users; the production hasher made set-up take seconds on 2 cores.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Tasks run in the test's own process, even where CI configures a broker; only tests
    marked `broker` send them to a real worker."""
    from pcn_admin.celery import app

    if "broker" in request.keywords:
        yield
        return
    # The app reads Django's settings under the CELERY_ namespace, so the override must use
    # the namespaced key: setting `task_always_eager` itself is silently ignored.
    before = app.conf.task_always_eager
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER = before


# --- Browser tests (tests/browser): Playwright driving Debian's Chromium ----------------------
# Chromium comes from `apt-get install chromium` (.ci/run does it), never `playwright install`,
# which downloads a browser build of its own. PLAYWRIGHT_CHROMIUM points at another binary.
BROWSER_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
_browser_skips: list[str] = []


def chromium_path() -> str:
    return os.environ.get("PLAYWRIGHT_CHROMIUM") or "/usr/bin/chromium"


def browser_unavailable_reason() -> str:
    """Why browser tests cannot run here, or "" when they can."""
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        return "needs the playwright package: .venv/bin/pip install -r requirements-dev.txt"
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return (
            f"needs Chromium at {path}: apt-get install chromium, "
            "or set PLAYWRIGHT_CHROMIUM to a Chromium binary"
        )
    return ""


def pytest_runtest_setup(item):
    if "browser" in item.keywords:
        reason = browser_unavailable_reason()
        if reason and os.environ.get("BROWSER_TESTS_REQUIRED"):
            # CI installs Chromium: there, a missing browser is a failure, not a quiet skip.
            pytest.fail(f"browser test {reason}")
        if reason:
            _browser_skips.append(item.nodeid)
            pytest.skip(f"browser test {reason}")


def pytest_terminal_summary(terminalreporter):
    if _browser_skips:
        terminalreporter.write_line(
            f"{len(_browser_skips)} browser test(s) skipped: {browser_unavailable_reason()}"
        )
