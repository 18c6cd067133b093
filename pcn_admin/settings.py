"""Settings for PCN Admin, all from environment variables (see .env.example).

With nothing set it runs on a SQLite file with Celery tasks in-process, so a newcomer needs
nothing installed. DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from .env import (
    cache_settings,
    env_bool,
    env_int,
    env_list,
    env_str,
    evidence_storage,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Safe defaults: production unless told otherwise ------------------------------------------
# DEBUG is off unless the environment turns it on (`make run` and the tests do). With it off,
# a missing or placeholder SECRET_KEY stops start-up with ImproperlyConfigured saying what to do.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(env_str("SECRET_KEY", ""), debug=DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "pcn_admin",
    "networks",
    "roles",
    "reimbursement",
    "referrals",
    "workforce",
    "evidence",
    "maturity",
    "development",
    "dashboards",
    "claim_cycle",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pcn_admin.sessions.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pcn_admin.twofactor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pcn_admin.urls"
WSGI_APPLICATION = "pcn_admin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two posts at once (a double click) must queue, not fail with "database is locked".
    # SQLite's default (DEFERRED) transaction reads first and asks for the write lock later,
    # which another writer can refuse at once, with no wait; IMMEDIATE takes the write lock at
    # BEGIN, so a second writer waits for the first, up to `timeout` seconds (Django 5.1+).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "pcn_admin.User"
SIMPLE_HISTORY_REVERT_DISABLED = True  # money and the register change only through services

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Signing in (README "Signing in") -----------------------------------------------------
# django-axes sees every authenticate() call: the sign-in page, the admin's and the API token
# route. Its backend goes first so a locked-out person is refused before the password is tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures count by username and, separately, by address: either reaching the limit locks, so
# guessing one account's password and trying many accounts from one address are both stopped.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_COOL_OFF_MINUTES", 30))
AXES_LOCKOUT_CALLABLE = "pcn_admin.auth_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "pcn_admin.auth_views.client_ip_address"
# Masked in the attempt records and logs (the password always is).
# Attempts and lockouts are kept in the database (the admin's Axes pages): no log line for each
# sign-in, nor a banner on every command.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# Behind a load balancer every request comes from its address; the number of proxies we trust
# to append to X-Forwarded-For says where the real client's address is.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sessions end after 30 minutes without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 1800)
# Idle sessions end after SESSION_COOKIE_AGE: pcn_admin/sessions.py moves the expiry on at most
# once a minute, so a page need not write the session each time.
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# API tokens (django-rest-knox): stored as digests, expire, revoked at /api/v1/auth-token/revoke/.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 10)),
    "AUTH_HEADER_PREFIX": "Token",  # what clients already send: "Authorization: Token <key>"
}

# Two-factor authentication (TOTP) for commissioner staff and superusers; off by default only
# where DEBUG is on, so the demo and the tests sign in with a password alone.
REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", not DEBUG)
OTP_TOTP_ISSUER = "PCN Admin"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows anyone's TOTP secret

# Single sign-on with NHS.net (Microsoft Entra ID) through OpenID Connect, only when configured.
# Register the application as single-tenant and use the tenant's own endpoints (.env.example):
# accounts are matched by e-mail address, which only one tenant may vouch for.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = False  # SSO signs in existing accounts; it never makes new ones
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
if SSO_ENABLED:
    _oidc_required = {
        "OIDC_RP_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "OIDC_OP_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "OIDC_OP_USER_ENDPOINT": OIDC_OP_USER_ENDPOINT,
        "OIDC_OP_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
    }
    _missing = [name for name, value in _oidc_required.items() if not value]
    _shared = [
        name
        for name, value in _oidc_required.items()
        if any(f"/{tenant}/" in value for tenant in ("common", "organizations", "consumers"))
    ]
    if _missing or _shared:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"Single sign-on is on (OIDC_RP_CLIENT_ID is set) but {', '.join(_missing)} "
            "must be set too"
            if _missing
            else f"{', '.join(_shared)} must use your tenant's own endpoints, not a shared one"
        )
    AUTHENTICATION_BACKENDS.append("pcn_admin.sso.NHSMailBackend")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# --- Static files in production (WhiteNoise) --------------------------------------------------
# With DEBUG off, `collectstatic` writes compressed files with hashed names that browsers may
# cache for ever. That storage fails for want of a manifest until `collectstatic` has run, so
# with DEBUG on (`make run`, the tests) files are served as they are; STATIC_MANIFEST overrides.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    # Claim evidence (payslips, contracts): private local files under EVIDENCE_ROOT, or an
    # S3-compatible bucket when EVIDENCE_S3_BUCKET is set; served only by evidence/views.py.
    "evidence": evidence_storage(os.environ, default_root=BASE_DIR / "private" / "evidence"),
}
# Without npm there is no static/vendor (scripts/build_static.sh): link to the missing file, as
# `make run` does, rather than fail every page for want of its manifest entry.
WHITENOISE_MANIFEST_STRICT = False
if not DEBUG:
    # WhiteNoise serves the collected files, straight after the security headers. With DEBUG on
    # runserver serves them from static/, and WhiteNoise would only warn that none are collected.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pcn-admin@example.nhs.uk")

# Bounds on imported files (national ePCN about 5 MB unzipped and 8,000 rows): a bigger file,
# or a zip that unzips past the size, is refused before it is read.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)

# Production hardening; `manage.py check --deploy` passes with DEBUG off.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer's health check may come over plain HTTP: answer it rather than redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- Content-Security-Policy (django-csp) -----------------------------------------------------
# Scripts come only from our own static files: no inline <script> and no on* attributes (the
# API docs use drf-spectacular's split Swagger view, which loads its start-up script by URL).
# Inline styles stay allowed: the admin's add-ons (django-import-export, simple-history), DRF's
# browsable API and Swagger UI write style attributes we do not control. Images may be data:
# URIs, which Swagger UI's and the NHS.UK frontend's stylesheets use for icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pcn_admin.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PCN Admin API",
    "DESCRIPTION": "Primary Care Networks: the register, ARRS, claims and social prescribing.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Names for choice sets that share a field name with another ("kind", "status"), so the
    # schema names them for what they are (and `check --deploy` has nothing to warn of).
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "reimbursement.models.Claim.Kind",
        "ClaimStatusEnum": "reimbursement.models.Claim.Status",
    },
}

# Social prescribing records are anonymised this many whole years after the referral closed:
# health and care records are usually kept eight years after the last contact (Records
# Management Code of Practice 2023, adult health records; referrals/retention.py).
REFERRAL_RETENTION_YEARS = env_int("REFERRAL_RETENTION_YEARS", 8)

# Celery: with no broker configured, tasks run in-process (eager) so nothing else is needed.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "generate-claim-batches": {
        "task": "reimbursement.tasks.generate_claim_batches",
        "schedule": crontab(
            minute=env_int("BATCH_MINUTE", 0),
            hour=env_int("BATCH_HOUR", 6),
            day_of_month=env_str("BATCH_DAY_OF_MONTH", "5"),
        ),
    },
    # Nightly, at 03:15: clear of the hour that the clocks skip or repeat (01:00-02:00).
    "anonymise-expired-referrals": {
        "task": "referrals.tasks.anonymise_expired_referrals",
        "schedule": crontab(minute=15, hour=3),
    },
    # Claim reminders (claim_cycle): each sent once however often this runs, so a missed day
    # is caught up the next; weekdays at 07:30, before the working day starts.
    "send-claim-reminders": {
        "task": "claim_cycle.tasks.send_claim_reminders",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon-fri"),
    },
}

# The Open Referral UK directory feed is open to any origin; nothing else is.
CORS_URLS_REGEX = r"^/openreferral/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]

# django-ratelimit counts in the default cache, which must be shared by every web worker for
# the limit to hold: Redis from CACHE_URL or a Redis CELERY_BROKER_URL, else local memory.
CACHES = cache_settings(os.environ)
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

# Social prescribing: a referral no link worker has taken after this many working days is
# flagged in the PCN's new-referrals queue and on its dashboard. The public form promises
# contact "usually within two weeks" (ten working days): three leaves a week for the link
# worker to reach the person, a missed call and a second try included.
REFERRAL_UNASSIGNED_WORKING_DAYS = env_int("REFERRAL_UNASSIGNED_WORKING_DAYS", 3)
if not 1 <= REFERRAL_UNASSIGNED_WORKING_DAYS <= 10:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "REFERRAL_UNASSIGNED_WORKING_DAYS must be from 1 to 10: the self-referral page promises "
        "contact within two weeks."
    )

# --- Logging: no NHS numbers, names or salaries (pcn_admin/logfilters.py) ----------------------
# Every handler runs the personal-data filter. Django's own loggers are routed here too, which
# replaces its default handlers: the error e-mail to ADMINS would carry the request's POST body
# and the traceback's local variables. Celery's task logger likewise writes through our handler,
# and the worker leaves the root logger as configured here rather than installing its own.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "pcn_admin.logfilters.PersonalDataFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # SQL is never logged, even at DEBUG: its parameters are people's details.
        "django.db.backends": {"level": "INFO"},
        "celery.task": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
