"""Signing in: the sign-in page, API tokens, the lockout answer, two-factor pages, NHS.net
single sign-on and the end of a password reset. What each does is in README "Signing in".
"""

from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.utils import reset as reset_sign_in_failures
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as django_auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from . import twofactor
from .plain_errors import PlainErrorsForm, PlainErrorsSerializer
from .sso import sso_enabled

# --- Lockout (django-axes) ------------------------------------------------------------------

LOCKED_OUT_API_MESSAGE = (
    "Signing in is paused after too many unsuccessful attempts for this username or from this "
    "address. Try again in {minutes} minutes, or ask your administrator to lift the lock."
)


def _cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the one our trusted proxies put in front of it."""
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    # Each trusted proxy appends the address it saw, so the client's is `trusted` from the end;
    # anything before it was written by the client and cannot be believed.
    if trusted and len(forwarded) >= trusted:
        return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR")


def api_locked_out_response() -> JsonResponse:
    message = LOCKED_OUT_API_MESSAGE.format(minutes=_cool_off_minutes())
    return JsonResponse({"detail": message}, status=status.HTTP_429_TOO_MANY_REQUESTS)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers a locked-out sign-in with (AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith("/api/"):
        return api_locked_out_response()
    context = {
        "cool_off_minutes": _cool_off_minutes(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )


# --- The sign-in page -----------------------------------------------------------------------


class SignInView(django_auth_views.LoginView):
    """Django's sign-in page, offering NHS.net sign-in when it is configured."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context


_sso_start = OIDCAuthenticationRequestView.as_view()
_sso_callback = OIDCAuthenticationCallbackView.as_view()


def sso_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to NHS.net (Entra ID) to sign in; absent when SSO is not configured."""
    if not sso_enabled():
        raise Http404("Single sign-on is not configured")
    return _sso_start(request)


def sso_callback(request: HttpRequest) -> HttpResponse:
    if not sso_enabled():
        raise Http404("Single sign-on is not configured")
    return _sso_callback(request)


class PasswordResetConfirmView(django_auth_views.PasswordResetConfirmView):
    """Setting a new password from the e-mailed link also lifts a lockout on that username:
    the person has shown they hold the account's mailbox."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_sign_in_failures(username=form.user.get_username())
        return response


# --- API tokens (django-rest-knox) ----------------------------------------------------------


class TokenRequestSerializer(PlainErrorsSerializer, serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The code from your authenticator app: needed when two-factor authentication "
        "is required for your role.",
    )


_token_response = inline_serializer(
    "IssuedToken",
    {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
)


def _two_factor_refusal(user, otp_token: str) -> str:
    """Why a token is refused to a person who needs two-factor, or "" if it may be issued.

    A token is as good as a signed-in session for its lifetime, so those who must enter a code
    on the website must send one (otp_token) with their password here too.
    """
    if not twofactor.needs_two_factor(user):
        return ""
    if not user_has_device(user):
        return (
            "Two-factor authentication is required for your role. Sign in on the website to "
            "set up an authenticator app, then ask for a token with otp_token."
        )
    if not otp_token:
        return "Enter the code from your authenticator app in otp_token."
    allowed, _ = twofactor.totp_device(user).verify_is_allowed()
    if not allowed:
        return "Too many wrong codes. Wait a minute, then send the code your app shows."
    if twofactor.verify_code(user, otp_token) is None:
        return "The code in otp_token is not right. Send the code your app shows now."
    return ""


class TokenIssueView(knox_views.LoginView):
    """POST a username and password (and otp_token where needed) for a token that expires."""

    authentication_classes: list = []  # the credentials are in the body
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses={200: _token_response})
    def post(self, request, format=None):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = serializer.validated_data
        # django-axes counts this attempt and refuses it when locked: it needs the request.
        user = authenticate(
            request, username=credentials["username"], password=credentials["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return api_locked_out_response()
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with the username and password given."]}
            )
        refusal = _two_factor_refusal(user, credentials.get("otp_token", ""))
        if refusal:
            return Response({"otp_token": [refusal]}, status=status.HTTP_403_FORBIDDEN)
        request.user = user
        return super().post(request, format=format)


class TokenRevokeView(knox_views.LogoutView):
    """Revoke the token this request presents (signing out an API client)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class TokenRevokeAllView(knox_views.LogoutAllView):
    """Revoke every token of the person whose token this request presents."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


# --- Two-factor pages -----------------------------------------------------------------------

SETUP_KEY_SESSION = "twofactor_setup_key"


class CodeForm(PlainErrorsForm, forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=10,
        help_text="The 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code: `next` if it is on this site, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(route: str, next_url: str) -> str:
    return f"{reverse(route)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code from the person's authenticator app, after their password."""
    user = request.user
    next_url = _next_url(request)
    if not twofactor.needs_two_factor(user) or twofactor.is_verified(user):
        return redirect(next_url)
    device = twofactor.totp_device(user)
    if device is None:
        return redirect(_with_next("twofactor_setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        verified = twofactor.verify_code(user, form.cleaned_data["code"]) if allowed else None
        if verified is not None:
            otp_login(request, verified)
            return redirect(next_url)
        form.add_error(
            "code",
            "That code is not right. Enter the code your authenticator app shows now."
            if allowed
            else "Too many wrong codes. Wait a minute, then enter the code your app shows.",
        )
    return render(request, "twofactor/verify.html", {"form": form, "next": next_url})


def _qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code, drawn here: nothing is fetched."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return image.to_string(encoding="unicode")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    """First time: show a new secret (QR code and text) and confirm it with a code."""
    user = request.user
    next_url = _next_url(request)
    if not twofactor.needs_two_factor(user):
        return redirect(next_url)
    if user_has_device(user):
        return redirect(_with_next("twofactor_verify", next_url))
    # The secret waits in the session until confirmed, so reloading the page keeps the one
    # the person may already have added to their app.
    key = request.session.get(SETUP_KEY_SESSION) or random_hex(20)
    request.session[SETUP_KEY_SESSION] = key
    device = TOTPDevice(user=user, key=key, name="Authenticator app", confirmed=True)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        time_step = twofactor.code_matches(key, form.cleaned_data["code"])
        if time_step is not None:
            device.last_t = time_step  # this code may not be used again
            device.save()
            del request.session[SETUP_KEY_SESSION]
            otp_login(request, device)
            messages.success(request, "Two-factor authentication is set up.")
            return redirect(next_url)
        form.add_error(
            "code", "That code is not right. Enter the code your authenticator app shows now."
        )
    context = {
        "form": form,
        "next": next_url,
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "otpauth_uri": device.config_url,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # drawn by us from our own URI
    }
    return render(request, "twofactor/setup.html", context)
