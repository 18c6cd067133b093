"""Typed readers for settings from the environment: a bad value fails at start-up, loudly. Also
the choices that need more than one reading: the secret key (by DEBUG) and the cache."""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- The secret key ---------------------------------------------------------------------------
DEV_SECRET_KEY = "dev-only-insecure-key"
# Values that have been committed to this repository at some time, so anyone could know them.
PLACEHOLDER_SECRET_KEYS = {"change-me", DEV_SECRET_KEY}
GENERATE_SECRET_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key(raw: str, *, debug: bool) -> str:
    """The SECRET_KEY to run with. With DEBUG on, a fixed development key stands in for a
    missing one; with DEBUG off, a missing or guessable key stops start-up, because it signs
    sessions and password-reset links."""
    if debug:
        return raw or DEV_SECRET_KEY
    problem = _secret_key_problem(raw)
    if problem:
        raise ImproperlyConfigured(
            f"SECRET_KEY {problem}. With DEBUG off it must be a long random value: set "
            f"SECRET_KEY to the output of `{GENERATE_SECRET_KEY}`, "
            "or set DEBUG=true on a development machine."
        )
    return raw


def _secret_key_problem(key: str) -> str:
    """Why a key is unfit for production, or "" when it is fit. The same tests as Django's
    `check --deploy` (security.W009), so a server that starts also passes that check."""
    if not key:
        return "is not set"
    if key in PLACEHOLDER_SECRET_KEYS:
        return f"is the placeholder {key!r}"
    if key.startswith("django-insecure"):
        return "is a development key (it starts with 'django-insecure')"
    if len(key) < 50:
        return f"is {len(key)} characters long, fewer than 50"
    if len(set(key)) < 5:
        return "has fewer than 5 different characters"
    return ""


# --- The cache --------------------------------------------------------------------------------
REDIS_URL_SCHEMES = ("redis://", "rediss://", "unix://")
LOCAL_MEMORY_CACHE = "locmem://"


def cache_settings(env: Mapping[str, str]) -> dict:
    """CACHES for an environment. The public form's rate limit counts in this cache, so with
    more than one web worker it must be shared: Redis, from CACHE_URL or else a Redis
    CELERY_BROKER_URL. With neither, one process's local memory is enough (`make run`).
    CACHE_URL=locmem:// asks for local memory even where a broker is set (the tests do)."""
    url = env.get("CACHE_URL", "").strip()
    if url == LOCAL_MEMORY_CACHE:
        return _local_memory_cache()
    if url:
        if not url.startswith(REDIS_URL_SCHEMES):
            raise ImproperlyConfigured(
                f"CACHE_URL must be a Redis URL such as redis://127.0.0.1:6379/1, "
                f"or {LOCAL_MEMORY_CACHE}, not {url!r}"
            )
        return _redis_cache(url)
    broker = env.get("CELERY_BROKER_URL", "").strip()
    if broker.startswith(REDIS_URL_SCHEMES):
        return _redis_cache(broker)
    if broker:
        raise ImproperlyConfigured(
            "CELERY_BROKER_URL is not a Redis URL, so the cache cannot share it: set CACHE_URL "
            "to a Redis URL such as redis://127.0.0.1:6379/1"
        )
    return _local_memory_cache()


def _local_memory_cache() -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # Keys stay apart from Celery's when the cache shares the broker's database.
            "KEY_PREFIX": "pcn_admin",
            # A Redis that has gone away fails a request in seconds rather than hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


# --- Claim evidence files ---------------------------------------------------------------------
EVIDENCE_S3_REQUIRES_BOTH_KEYS = (
    "EVIDENCE_S3_ACCESS_KEY_ID and EVIDENCE_S3_SECRET_ACCESS_KEY go together: set both, or "
    "neither to use the server's own credentials (an instance role, AWS_* variables)"
)


def evidence_storage(env: Mapping[str, str], *, default_root) -> dict:
    """STORAGES["evidence"]: payslips and contracts attached to claim lines. Private either way:
    never under MEDIA or static, and read only through the download view, which checks access
    and records each view (evidence/views.py).

    With EVIDENCE_S3_BUCKET set, an S3-compatible bucket through django-storages (objects
    private, no public URL); otherwise local files under EVIDENCE_ROOT (default `default_root`).
    """
    bucket = env.get("EVIDENCE_S3_BUCKET", "").strip()
    if not bucket:
        root = env.get("EVIDENCE_ROOT", "").strip() or str(default_root)
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        }
    key_id = env.get("EVIDENCE_S3_ACCESS_KEY_ID", "").strip()
    secret = env.get("EVIDENCE_S3_SECRET_ACCESS_KEY", "").strip()
    if bool(key_id) != bool(secret):
        raise ImproperlyConfigured(EVIDENCE_S3_REQUIRES_BOTH_KEYS)
    options = {
        "bucket_name": bucket,
        "location": env.get("EVIDENCE_S3_PREFIX", "evidence").strip().strip("/"),
        # Private objects; a name already taken gets a new one rather than replacing the file.
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
    }
    optional = {
        "endpoint_url": "EVIDENCE_S3_ENDPOINT_URL",
        "region_name": "EVIDENCE_S3_REGION",
    }
    for option, name in optional.items():
        value = env.get(name, "").strip()
        if value:
            options[option] = value
    if key_id:
        options.update(access_key=key_id, secret_key=secret)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
