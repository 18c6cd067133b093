"""/health/: what a load balancer or uptime monitor sees, signed out."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerError

pytestmark = pytest.mark.django_db


def test_healthy_without_a_broker_says_so(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthy_with_a_broker_that_answers(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    with mock.patch.object(Connection, "ensure_connection") as ensure_connection:
        response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert ensure_connection.call_args.kwargs["max_retries"] == 1


def test_a_database_that_does_not_answer_is_a_503(client, settings):
    settings.CELERY_BROKER_URL = ""

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("refused")):
        response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"database": "error", "broker": "not configured"}


def test_a_configured_broker_that_does_not_answer_is_a_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    with mock.patch.object(Connection, "ensure_connection", side_effect=BrokerError("refused")):
        response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}


def test_an_unreachable_broker_is_reported_within_seconds(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["broker"] == "error"


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker: set CELERY_BROKER_URL")
def test_the_configured_broker_answers(client):
    assert client.get("/health/").json() == {"database": "ok", "broker": "ok"}


def test_the_health_check_is_read_only(client):
    assert client.post("/health/").status_code == 405
