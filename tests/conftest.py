"""Shared fixtures. Tests needing PostgreSQL or a live broker skip elsewhere, saying why."""

import pytest
from django.conf import settings
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(settings.CELERY_BROKER_URL)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "broker" in item.keywords and not (has_broker and on_postgres):
            item.add_marker(
                pytest.mark.skip(reason="needs a broker: set CELERY_BROKER_URL and DATABASE_URL")
            )


@pytest.fixture
def db_vendor():
    return connection.vendor


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
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
