"""API clients sign in with a session or a token; the schema and docs are published."""

import pytest
from rest_framework.test import APIClient

from tests.pcn_admin.factories import CommissionerStaffFactory

pytestmark = pytest.mark.django_db


def test_a_user_exchanges_their_password_for_a_token_and_uses_it():
    user = CommissionerStaffFactory(username="carol")
    client = APIClient()
    response = client.post(
        "/api/v1/auth-token/", {"username": "carol", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/commissioners/").json()["results"][0]["code"] == (
        user.commissioner.code
    )


def test_a_wrong_password_gets_no_token():
    CommissionerStaffFactory(username="carol")
    response = APIClient().post("/api/v1/auth-token/", {"username": "carol", "password": "nope"})
    assert response.status_code == 400


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/pcns/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content  # served from our own static files
