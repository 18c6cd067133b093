"""Signing in is locked after too many wrong passwords, for the username and for the address,
on the sign-in page, the admin's and the API token route; sessions are short."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from pcn_admin.auth_views import client_ip_address
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth-token/"


def _fail_until_locked(client, url: str, username: str) -> None:
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": username, "password": "wrong-password"})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_failure_limit_and_cool_off_come_from_settings():
    assert django_settings.AXES_FAILURE_LIMIT == 10
    assert django_settings.AXES_COOLOFF_TIME == timedelta(minutes=30)
    assert django_settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_wrong_passwords_below_the_limit_do_not_lock():
    ClinicalDirectorUserFactory(username="asha")
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN, {"username": "asha", "password": "nope"}).status_code == 200

    response = client.post(LOGIN, {"username": "asha", "password": PASSWORD})

    assert response.status_code == 302 and _signed_in(client)


def test_after_the_limit_the_sign_in_page_refuses_the_right_password():
    ClinicalDirectorUserFactory(username="asha")
    client = Client()
    _fail_until_locked(client, LOGIN, "asha")

    response = client.post(LOGIN, {"username": "asha", "password": PASSWORD})

    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert "You cannot sign in at the moment" in page
    assert "Wait 30 minutes" in page and "reset your password" in page


def test_after_the_limit_the_admin_sign_in_refuses_the_right_password():
    CommissionerStaffFactory(username="carol")
    client = Client()
    _fail_until_locked(client, ADMIN_LOGIN, "carol")

    response = client.post(ADMIN_LOGIN, {"username": "carol", "password": PASSWORD})

    assert response.status_code == 429
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to sign in


def test_after_the_limit_the_api_refuses_a_token_for_the_right_password():
    CommissionerStaffFactory(username="carol")
    client = APIClient()
    _fail_until_locked(client, TOKEN, "carol")

    response = client.post(TOKEN, {"username": "carol", "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert "Try again in 30 minutes" in response.json()["detail"]
    assert "token" not in response.json()


def test_the_address_is_locked_too_so_another_user_from_it_is_refused():
    ClinicalDirectorUserFactory(username="asha")
    ClinicalDirectorUserFactory(username="bola")
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    _fail_until_locked(attacker, LOGIN, "asha")

    same_address = Client(REMOTE_ADDR="203.0.113.7")
    response = same_address.post(LOGIN, {"username": "bola", "password": PASSWORD})

    assert response.status_code == 429 and not _signed_in(same_address)


def test_the_username_is_locked_too_so_it_is_refused_from_another_address():
    ClinicalDirectorUserFactory(username="asha")
    ClinicalDirectorUserFactory(username="bola")
    _fail_until_locked(Client(REMOTE_ADDR="203.0.113.7"), LOGIN, "asha")

    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    refused = elsewhere.post(LOGIN, {"username": "asha", "password": PASSWORD})
    # ... while another person at that other address signs in as usual.
    colleague = Client(REMOTE_ADDR="198.51.100.20")
    allowed = colleague.post(LOGIN, {"username": "bola", "password": PASSWORD})

    assert refused.status_code == 429 and not _signed_in(elsewhere)
    assert allowed.status_code == 302 and _signed_in(colleague)


def test_failures_spread_over_the_three_routes_count_together():
    CommissionerStaffFactory(username="carol")
    limit = django_settings.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        url = (LOGIN, ADMIN_LOGIN, TOKEN)[attempt % 3]
        Client().post(url, {"username": "carol", "password": "wrong-password"})

    response = Client().post(LOGIN, {"username": "carol", "password": PASSWORD})

    assert response.status_code == 429


def test_axes_reset_lifts_the_lock():
    ClinicalDirectorUserFactory(username="asha")
    client = Client()
    _fail_until_locked(client, LOGIN, "asha")

    call_command("axes_reset", verbosity=0)

    response = client.post(LOGIN, {"username": "asha", "password": PASSWORD})
    assert response.status_code == 302 and _signed_in(client)


def test_the_lock_lifts_by_itself_after_the_cool_off():
    ClinicalDirectorUserFactory(username="asha")
    client = Client()
    _fail_until_locked(client, LOGIN, "asha")

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))

    response = client.post(LOGIN, {"username": "asha", "password": PASSWORD})
    assert response.status_code == 302 and _signed_in(client)


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request) == "10.0.0.2"  # a client can write any header it likes
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request) == "203.0.113.7"  # what our one proxy saw


def test_sessions_end_after_30_idle_minutes_and_with_the_browser():
    ClinicalDirectorUserFactory(username="asha")
    client = Client()

    response = client.post(LOGIN, {"username": "asha", "password": PASSWORD})

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() == 1800


def _stored_session(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def test_a_page_within_the_minute_writes_no_session_and_a_later_one_moves_the_expiry_on(
    monkeypatch,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pcn_admin import sessions

    ClinicalDirectorUserFactory(username="asha")
    client = Client()
    client.post(LOGIN, {"username": "asha", "password": PASSWORD})
    signed_in_expiry = _stored_session(client).expire_date

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]

    later = sessions.time.time() + django_settings.SESSION_REFRESH_SECONDS + 1
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert client.get("/").status_code == 200
    assert _stored_session(client).expire_date > signed_in_expiry


def test_a_session_idle_for_30_minutes_is_over():
    import datetime as dt

    from django.utils import timezone

    ClinicalDirectorUserFactory(username="asha")
    client = Client()
    client.post(LOGIN, {"username": "asha", "password": PASSWORD})
    stored = _stored_session(client)
    stored.expire_date = timezone.now() - dt.timedelta(seconds=1)
    stored.save()

    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
