"""Two-factor authentication (TOTP) for the people who can change the register and money.

With REQUIRE_TWO_FACTOR on, commissioner staff, admin-site staff and superusers must enter a
code from an authenticator app after their password before any page opens: the middleware
sends them to set up an app (first time) or to enter a code. Everyone else signs in as before.
"""

from binascii import unhexlify
from time import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role

# Paths an unverified person may still reach: signing in and out, the two-factor pages, and
# what those pages need. Named routes are resolved when the middleware starts.
_EXEMPT_ROUTES = ("login", "logout", "twofactor_verify", "twofactor_setup")
_EXEMPT_PREFIXES = ("/health",)


def needs_two_factor(user) -> bool:
    """True for a signed-in person who must verify a code, when the setting is on."""
    if not settings.REQUIRE_TWO_FACTOR or not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or user.role == Role.COMMISSIONER_STAFF


def is_verified(user) -> bool:
    # OTPMiddleware installs is_verified(); a request that skipped it is not verified.
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def totp_device(user) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have set one up."""
    return next(iter(devices_for_user(user)), None)


def code_matches(key: str, code: str) -> int | None:
    """Check a code against a secret not yet saved as a device; the time step it matched."""
    code = (code or "").replace(" ", "")
    if not code.isdigit():
        return None
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def verify_code(user, code: str) -> TOTPDevice | None:
    """The user's device if `code` is its current code (throttled by django-otp), else None."""
    device = totp_device(user)
    code = (code or "").replace(" ", "")
    if device is None or not code:
        return None
    return device if device.verify_token(code) else None


class TwoFactorMiddleware:
    """Send a signed-in person who needs two-factor, and has not entered a code, to do so."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_paths: set[str] | None = None

    def _is_exempt(self, path: str) -> bool:
        if self._exempt_paths is None:
            self._exempt_paths = {reverse(name) for name in _EXEMPT_ROUTES}
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in self._exempt_paths or path.startswith((static, *_EXEMPT_PREFIXES))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if needs_two_factor(user) and not is_verified(user) and not self._is_exempt(request.path):
            return self._refuse(request, user)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, user) -> HttpResponse:
        if request.path.startswith("/api/"):
            # An API client signed in through the browser session gets an answer it can read.
            return JsonResponse(
                {"detail": "Enter your two-factor authentication code on the website first."},
                status=403,
            )
        page = "twofactor_verify" if user_has_device(user) else "twofactor_setup"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
