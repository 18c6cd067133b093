"""Two-factor authentication: with REQUIRE_TWO_FACTOR on, commissioner staff and superusers
enter a code from an authenticator app after their password; other roles are not asked."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/set-up/"


@pytest.fixture
def two_factor_on(settings):
    settings.REQUIRE_TWO_FACTOR = True


def _code(key: bytes) -> str:
    return f"{totp(key):06d}"


def _device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _sign_in(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step should succeed"
    return client


def test_staff_who_signed_in_with_a_password_must_enter_a_code_before_the_admin(two_factor_on):
    staff = CommissionerStaffFactory()
    device = _device_for(staff)
    client = _sign_in(staff)

    refused = client.get("/admin/")
    assert refused.status_code == 302
    assert refused["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert "Enter your security code" in client.get(refused["Location"]).content.decode()

    verified = client.post(VERIFY, {"code": _code(device.bin_key), "next": "/admin/"})

    assert verified.status_code == 302 and verified["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_every_page_waits_for_the_code_not_only_the_admin(two_factor_on):
    staff = CommissionerStaffFactory()
    _device_for(staff)
    client = _sign_in(staff)

    for path in ("/", "/reimbursement/claims/", "/roles/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), path


def test_a_wrong_code_is_refused_and_says_what_to_do(two_factor_on):
    staff = CommissionerStaffFactory()
    device = _device_for(staff)
    client = _sign_in(staff)
    wrong = f"{(int(_code(device.bin_key)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong, "next": "/admin/"})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_code_cannot_be_used_twice(two_factor_on):
    staff = CommissionerStaffFactory()
    device = _device_for(staff)
    code = _code(device.bin_key)
    first = _sign_in(staff)
    first.post(VERIFY, {"code": code})

    second = _sign_in(staff)
    response = second.post(VERIFY, {"code": code, "next": "/admin/"})

    assert response.status_code == 200
    assert second.get("/admin/").status_code == 302


def test_next_must_stay_on_this_site(two_factor_on):
    staff = CommissionerStaffFactory()
    device = _device_for(staff)
    client = _sign_in(staff)

    response = client.post(
        VERIFY, {"code": _code(device.bin_key), "next": "https://attacker.example/"}
    )

    assert response["Location"] == "/"


def test_staff_without_an_app_set_one_up_with_the_secret_and_a_code(two_factor_on):
    staff = CommissionerStaffFactory(username="carol")
    client = _sign_in(staff)

    sent = client.get("/admin/")
    assert sent["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    page = client.get(sent["Location"]).content.decode()
    assert "otpauth://totp/PCN%20Admin%3Acarol?secret=" in page
    assert "<svg" in page  # the QR code is drawn into the page, nothing is fetched
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    assert client.get(SETUP).content.decode().count(secret[:8]) >= 1  # reload keeps it

    response = client.post(SETUP, {"code": _code(b32decode(secret)), "next": "/admin/"})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed


def test_a_wrong_code_at_set_up_saves_no_app(two_factor_on):
    staff = CommissionerStaffFactory()
    client = _sign_in(staff)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})
    response = client.post(SETUP, {"code": "not a code"})

    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert client.get("/admin/").status_code == 302


def test_a_superuser_is_asked_too(two_factor_on):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = _sign_in(admin)

    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_a_clinical_director_is_not_asked(two_factor_on):
    director = ClinicalDirectorUserFactory()
    client = _sign_in(director)

    assert client.get("/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/"  # nothing to verify: sent on


def test_with_the_setting_off_nobody_is_asked(settings):
    settings.REQUIRE_TWO_FACTOR = False
    staff = CommissionerStaffFactory()
    _device_for(staff)
    client = _sign_in(staff)

    assert client.get("/admin/").status_code == 200


def test_the_api_refuses_an_unverified_staff_session(two_factor_on):
    staff = CommissionerStaffFactory()
    _device_for(staff)
    client = _sign_in(staff)

    response = client.get("/api/v1/commissioners/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_a_token_for_staff_needs_a_code_in_otp_token(two_factor_on):
    staff = CommissionerStaffFactory(username="carol")
    device = _device_for(staff)
    credentials = {"username": "carol", "password": PASSWORD}

    without = APIClient().post("/api/v1/auth-token/", credentials)
    right = APIClient().post(
        "/api/v1/auth-token/", {**credentials, "otp_token": _code(device.bin_key)}
    )

    assert without.status_code == 403 and "otp_token" in without.json()
    assert right.status_code == 200 and right.json()["token"]


def test_a_wrong_code_gets_no_token_and_repeated_ones_are_slowed(two_factor_on):
    staff = CommissionerStaffFactory(username="carol")
    device = _device_for(staff)
    credentials = {"username": "carol", "password": PASSWORD}
    wrong = f"{(int(_code(device.bin_key)) + 1) % 1_000_000:06d}"

    first = APIClient().post("/api/v1/auth-token/", {**credentials, "otp_token": wrong})
    # django-otp then refuses even the right code for a while, doubling the wait each time.
    at_once = APIClient().post(
        "/api/v1/auth-token/", {**credentials, "otp_token": _code(device.bin_key)}
    )

    assert first.status_code == 403 and "not right" in first.json()["otp_token"][0]
    assert at_once.status_code == 403 and "Too many wrong codes" in at_once.json()["otp_token"][0]


def test_no_token_for_staff_who_have_not_set_up_an_app(two_factor_on):
    CommissionerStaffFactory(username="carol")

    response = APIClient().post(
        "/api/v1/auth-token/", {"username": "carol", "password": PASSWORD, "otp_token": "123456"}
    )

    assert response.status_code == 403
    assert "set up an authenticator app" in response.json()["otp_token"][0]


def test_a_clinical_director_gets_a_token_without_a_code(two_factor_on):
    ClinicalDirectorUserFactory(username="asha")

    response = APIClient().post("/api/v1/auth-token/", {"username": "asha", "password": PASSWORD})

    assert response.status_code == 200
