"""Single sign-on with NHS.net accounts (Microsoft Entra ID) through OpenID Connect.

Optional: on only when OIDC_RP_CLIENT_ID and the endpoints are set (settings.SSO_ENABLED).
It signs in an existing, active PCN Admin account whose e-mail address matches the NHS.net
one; it never creates an account, and refuses when no account or several accounts match.
"""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import User

logger = logging.getLogger(__name__)


def sso_enabled() -> bool:
    return bool(getattr(settings, "SSO_ENABLED", False))


def email_from_claims(claims: dict) -> str:
    return (claims.get("email") or "").strip()


def matching_users(claims: dict):
    """Active accounts with the signed-in person's e-mail address (any letter case)."""
    email = email_from_claims(claims)
    if not email:
        return User.objects.none()
    return User.objects.filter(email__iexact=email, is_active=True)


class NHSMailBackend(OIDCAuthenticationBackend):
    """Map an NHS.net sign-in to exactly one existing account, by e-mail address."""

    def verify_claims(self, claims: dict) -> bool:
        # Without an e-mail address there is nothing to match an account by.
        return bool(email_from_claims(claims))

    def filter_users_by_claims(self, claims: dict):
        users = matching_users(claims)
        count = users.count()
        if count == 1:
            return users
        # Zero: nobody has set this address up. Several: we cannot tell who it is; signing in
        # one of them at random could give someone another person's access.
        logger.warning(
            "NHS.net sign-in refused: %d active accounts have the e-mail address given", count
        )
        return User.objects.none()

    def create_user(self, claims: dict):
        # OIDC_CREATE_USER is off; this stops a change of that setting creating accounts.
        raise SuspiciousOperation("Single sign-on never creates accounts")
