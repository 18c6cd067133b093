"""The URL tree and the one API router, composed here on the roof: each app lists its pages
(urls.py) and its API routes (api.ROUTES), and nothing below imports this module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from networks import api as networks_api
from referrals import api as referrals_api
from reimbursement import api as reimbursement_api
from roles import api as roles_api

from . import auth_views as sign_in
from . import views
from .health import health_check


def api_router() -> DefaultRouter:
    router = DefaultRouter()
    for app_api in (networks_api, referrals_api, reimbursement_api, roles_api):
        for prefix, viewset, basename in app_api.ROUTES:
            router.register(prefix, viewset, basename=basename)
    return router


router = api_router()

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health_check, name="health"),
    # The accessibility statement (the Public Sector Bodies Accessibility Regulations 2018): public.
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", sign_in.twofactor_verify, name="twofactor_verify"),
    path("accounts/two-factor/set-up/", sign_in.twofactor_setup, name="twofactor_setup"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        sign_in.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # NHS.net single sign-on (OpenID Connect): 404 unless configured. The names are the ones
    # mozilla-django-oidc reverses.
    path("oidc/authenticate/", sign_in.sso_start, name="oidc_authentication_init"),
    path("oidc/callback/", sign_in.sso_callback, name="oidc_authentication_callback"),
    path("admin/", admin.site.urls),
    path("api/v1/auth-token/", sign_in.TokenIssueView.as_view(), name="api-token"),
    path("api/v1/auth-token/revoke/", sign_in.TokenRevokeView.as_view(), name="api-token-revoke"),
    path(
        "api/v1/auth-token/revoke-all/",
        sign_in.TokenRevokeAllView.as_view(),
        name="api-token-revoke-all",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads Swagger UI's start-up script by URL: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("networks/", include("dashboards.urls")),
    path("roles/", include("roles.urls")),
    path("reimbursement/", include("reimbursement.urls")),
    path("claim-cycle/", include("claim_cycle.urls")),
    # Claim evidence: files open only through its download view (access checked, audited).
    path("evidence/", include("evidence.urls")),
    path("referrals/", include("referrals.urls")),
    path("maturity/", include("maturity.urls")),
    path("development/", include("development.urls")),
    path("workforce/", include("workforce.urls")),
    path("openreferral/", include("referrals.oruk_urls")),
]
