"""API clients sign in with a session or a token that expires, is stored hashed and can be
revoked; the schema and docs are published."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.pcn_admin.factories import CommissionerStaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _token_for(username: str) -> dict:
    response = APIClient().post("/api/v1/auth-token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def _client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_user_exchanges_their_password_for_a_token_and_uses_it():
    user = CommissionerStaffFactory(username="carol")
    token = _token_for("carol")["token"]
    assert _client_with(token).get("/api/v1/commissioners/").json()["results"][0]["code"] == (
        user.commissioner.code
    )


def test_a_token_expires_after_the_configured_time(settings):
    CommissionerStaffFactory(username="carol")
    before = timezone.now()
    issued = _token_for("carol")
    expiry = parse_datetime(issued["expiry"])
    assert before + timedelta(hours=9, minutes=59) < expiry <= timezone.now() + timedelta(hours=10)

    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = _client_with(issued["token"]).get("/api/v1/commissioners/")
    # DRF answers 403, not 401, because session authentication is listed first.
    assert response.status_code == 403 and response.json()["detail"] == "Invalid token."
    assert not AuthToken.objects.exists()  # the expired token is deleted when presented


def test_the_database_holds_a_digest_not_the_token():
    CommissionerStaffFactory(username="carol")
    token = _token_for("carol")["token"]
    stored = AuthToken.objects.get()
    assert token not in stored.digest
    assert stored.digest != token and len(stored.digest) == 128


def test_revoking_a_token_stops_it_working_and_leaves_the_others():
    CommissionerStaffFactory(username="carol")
    first, second = _token_for("carol")["token"], _token_for("carol")["token"]

    assert _client_with(first).post("/api/v1/auth-token/revoke/").status_code == 204

    assert _client_with(first).get("/api/v1/commissioners/").status_code == 403
    assert _client_with(second).get("/api/v1/commissioners/").status_code == 200


def test_revoke_all_stops_every_token_of_that_user_only():
    CommissionerStaffFactory(username="carol")
    CommissionerStaffFactory(username="dev")
    first, second = _token_for("carol")["token"], _token_for("carol")["token"]
    others = _token_for("dev")["token"]

    assert _client_with(first).post("/api/v1/auth-token/revoke-all/").status_code == 204

    assert _client_with(second).get("/api/v1/commissioners/").status_code == 403
    assert _client_with(others).get("/api/v1/commissioners/").status_code == 200


def test_a_wrong_password_gets_no_token():
    CommissionerStaffFactory(username="carol")
    response = APIClient().post("/api/v1/auth-token/", {"username": "carol", "password": "nope"})
    assert response.status_code == 400
    assert "username and password" in response.json()["non_field_errors"][0]
    assert not AuthToken.objects.exists()


def test_a_missing_password_is_named():
    response = APIClient().post("/api/v1/auth-token/", {"username": "carol"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_the_admin_lists_tokens_without_any_secret(client):
    from tests.pcn_admin.factories import UserFactory

    CommissionerStaffFactory(username="carol")
    token = _token_for("carol")["token"]
    stored = AuthToken.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/admin/knox/authtoken/").content.decode()
    detail = client.get(f"/admin/knox/authtoken/{stored.pk}/change/").content.decode()

    assert "carol" in listing
    # Knox keys each row by the token's one-way digest, which appears in links; neither the
    # token nor its first characters (token_key, kept for look-up) appear anywhere.
    for page in (listing, detail):
        assert token not in page and stored.token_key not in page
    assert client.get("/admin/knox/authtoken/add/").status_code == 403


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/pcns/" in schema.content
    assert b"/api/v1/auth-token/revoke/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content  # served from our own static files
