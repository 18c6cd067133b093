"""NHS.net single sign-on: an Entra ID sign-in maps to exactly one existing, active account by
e-mail address, never creates one, and is offered only when configured. No network is used."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import SuspiciousOperation

from pcn_admin.models import User
from pcn_admin.sso import NHSMailBackend
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.django_db

TENANT = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000"


@pytest.fixture
def sso_on(settings):
    settings.OIDC_RP_CLIENT_ID = "pcn-admin-client"
    settings.OIDC_RP_CLIENT_SECRET = "not-a-real-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{TENANT}/oauth2/v2.0/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{TENANT}/oauth2/v2.0/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://graph.microsoft.com/oidc/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{TENANT}/discovery/v2.0/keys"
    settings.SSO_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "pcn_admin.sso.NHSMailBackend",
    ]


def _sign_in_with(backend: NHSMailBackend, claims: dict, monkeypatch):
    """The backend's last step, with the claims Entra ID's userinfo would have returned."""
    monkeypatch.setattr(backend, "get_userinfo", lambda *args: claims)
    return backend.get_or_create_user("access-token", "id-token", {})


def test_an_nhs_net_address_signs_in_its_account_whatever_the_letter_case(sso_on, monkeypatch):
    director = ClinicalDirectorUserFactory(email="asha.rahman@nhs.net")

    user = _sign_in_with(NHSMailBackend(), {"email": "Asha.Rahman@NHS.net"}, monkeypatch)

    assert user == director


def test_an_address_nobody_has_is_refused_and_no_account_is_made(sso_on, monkeypatch):
    ClinicalDirectorUserFactory(email="asha.rahman@nhs.net")
    before = User.objects.count()

    user = _sign_in_with(NHSMailBackend(), {"email": "someone.else@nhs.net"}, monkeypatch)

    assert user is None
    assert User.objects.count() == before


def test_an_address_two_accounts_share_is_refused(sso_on, monkeypatch):
    ClinicalDirectorUserFactory(email="shared.inbox@nhs.net")
    CommissionerStaffFactory(email="SHARED.INBOX@nhs.net")

    backend = NHSMailBackend()

    assert not backend.filter_users_by_claims({"email": "shared.inbox@nhs.net"}).exists()
    assert _sign_in_with(backend, {"email": "shared.inbox@nhs.net"}, monkeypatch) is None


def test_a_deactivated_account_is_not_signed_in(sso_on, monkeypatch):
    ClinicalDirectorUserFactory(email="left@nhs.net", is_active=False)

    assert _sign_in_with(NHSMailBackend(), {"email": "left@nhs.net"}, monkeypatch) is None


def test_claims_without_an_email_address_are_refused(sso_on):
    backend = NHSMailBackend()

    assert backend.verify_claims({"email": "asha.rahman@nhs.net"})
    assert not backend.verify_claims({"name": "Asha Rahman"})
    assert not backend.verify_claims({"email": "  "})
    with pytest.raises(SuspiciousOperation):
        backend.create_user({"email": "new.person@nhs.net"})


def test_the_login_page_offers_nhs_net_only_when_configured(client, settings, sso_on):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with NHS.net" in page

    settings.SSO_ENABLED = False
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with NHS.net" not in page
    assert client.get("/oidc/authenticate/").status_code == 404


def test_starting_sso_sends_the_browser_to_the_tenant(client, sso_on):
    response = client.get("/oidc/authenticate/?next=/roles/")

    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{TENANT}/oauth2/v2.0/authorize"
    query = parse_qs(target.query)
    assert query["client_id"] == ["pcn-admin-client"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]


def test_a_failed_sso_sign_in_explains_on_the_login_page(client):
    page = client.get("/accounts/login/?sso=failed").content.decode()

    assert "could not sign you in with your NHS.net account" in page


def _start_with(env: dict) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    environment.update({"DEBUG": "true", **env})
    return subprocess.run(
        [sys.executable, "-c", "import pcn_admin.settings"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_half_configured_or_multi_tenant_sso_stops_start_up():
    half = _start_with({"OIDC_RP_CLIENT_ID": "pcn-admin-client"})
    assert half.returncode != 0
    assert "OIDC_OP_TOKEN_ENDPOINT" in half.stderr

    common = "https://login.microsoftonline.com/common"
    shared = _start_with(
        {
            "OIDC_RP_CLIENT_ID": "pcn-admin-client",
            "OIDC_RP_CLIENT_SECRET": "x",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{common}/oauth2/v2.0/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{common}/oauth2/v2.0/token",
            "OIDC_OP_USER_ENDPOINT": "https://graph.microsoft.com/oidc/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{common}/discovery/v2.0/keys",
        }
    )
    assert shared.returncode != 0
    assert "tenant's own endpoints" in shared.stderr
