"""Forgotten passwords: a reset link by e-mail sets a new one, and lifts a sign-in lockout."""

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from tests.pcn_admin.factories import ClinicalDirectorUserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "harbour-lantern-quietly-42"


def _reset_link(client, email: str) -> str:
    response = client.post("/accounts/password-reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    return re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body)[1]


def test_the_login_page_links_to_the_reset(client):
    page = client.get("/accounts/login/").content.decode()

    assert 'href="/accounts/password-reset/"' in page and "Forgotten your password?" in page


def test_a_reset_email_is_sent_and_its_link_sets_a_new_password(client):
    user = ClinicalDirectorUserFactory(username="asha", email="asha.rahman@nhs.net")

    link = _reset_link(client, "Asha.Rahman@nhs.net")
    message = mail.outbox[0]
    assert message.to == ["asha.rahman@nhs.net"]
    assert message.subject == "Reset your PCN Admin password"
    assert "asha" in message.body

    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/accounts/password-reset/done/"

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert (
        Client()
        .post("/accounts/login/", {"username": "asha", "password": NEW_PASSWORD})
        .status_code
        == 302
    )
    # The link works once.
    assert "has expired or has been used" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_email(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@nhs.net"})

    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_with_the_reason(client):
    user = ClinicalDirectorUserFactory(email="asha.rahman@nhs.net")
    form = client.get(_reset_link(client, user.email), follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )

    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_setting_a_new_password_lifts_a_lockout_on_that_account(client):
    user = ClinicalDirectorUserFactory(username="asha", email="asha.rahman@nhs.net")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="203.0.113.7").post(
            "/accounts/login/", {"username": "asha", "password": "wrong"}
        )
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    locked = elsewhere.post("/accounts/login/", {"username": "asha", "password": "wrong"})
    assert locked.status_code == 429

    form = client.get(_reset_link(client, user.email), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    response = elsewhere.post("/accounts/login/", {"username": "asha", "password": NEW_PASSWORD})
    assert response.status_code == 302
