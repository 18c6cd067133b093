"""Settings from the environment: safe when nothing is set, loud when production is half set up.

The tests themselves run with DEBUG=true (pyproject.toml); production settings are read in a
fresh Python process with a production environment, as a server would start."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

from pcn_admin.env import cache_settings, secret_key

GOOD_KEY = secrets.token_urlsafe(50)
REDIS = "django.core.cache.backends.redis.RedisCache"
LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


def read_settings(**environment) -> subprocess.CompletedProcess:
    """Import the settings in a new process, as `manage.py` or gunicorn would, with only the
    given variables of ours set; print a few of them as JSON."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DEBUG", "SECRET_KEY", "CACHE_URL", "STATIC_MANIFEST"}
    }
    env.update(environment)
    script = (
        "import json, pcn_admin.settings as s; print(json.dumps({"
        "'DEBUG': s.DEBUG, 'storage': s.STORAGES['staticfiles']['BACKEND'],"
        "'whitenoise': 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE,"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'secure_cookies': s.SESSION_COOKIE_SECURE}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- DEBUG and the secret key -----------------------------------------------------------------


def test_with_nothing_set_the_settings_refuse_to_start_without_a_secret_key():
    started = read_settings()

    assert started.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in started.stderr
    assert "secrets.token_urlsafe(50)" in started.stderr and "DEBUG=true" in started.stderr


def test_with_a_secret_key_debug_is_off_and_production_settings_apply():
    started = read_settings(SECRET_KEY=GOOD_KEY)

    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout) == {
        "DEBUG": False,
        "storage": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise": True,
        "ssl_redirect": True,
        "secure_cookies": True,
    }


def test_debug_from_the_environment_needs_no_key_and_serves_static_files_as_they_are():
    started = read_settings(DEBUG="true")

    assert started.returncode == 0, started.stderr
    values = json.loads(started.stdout)
    assert values["DEBUG"] is True
    assert values["storage"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert values["whitenoise"] is False and values["ssl_redirect"] is False


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("", "is not set"),
        ("change-me", "placeholder"),
        ("dev-only-insecure-key", "placeholder"),
        ("x7Kp2" * 9, "45 characters long, fewer than 50"),
        ("django-insecure-" + GOOD_KEY, "development key"),
        ("ab" * 30, "fewer than 5 different characters"),
    ],
    # Named by why, not by the key: the development key is random, and pytest-xdist's workers
    # must collect the same test names.
    ids=["unset", "change-me", "dev-only", "short", "development-key", "few-characters"],
)
def test_a_missing_or_guessable_key_with_debug_off_is_refused_saying_why(key, why):
    with pytest.raises(ImproperlyConfigured, match=why) as refused:
        secret_key(key, debug=False)
    assert "secrets.token_urlsafe(50)" in str(refused.value)


def test_a_long_random_key_is_accepted_with_debug_off():
    assert secret_key(GOOD_KEY, debug=False) == GOOD_KEY


def test_with_debug_on_a_development_key_stands_in_for_a_missing_one():
    assert secret_key("", debug=True) == "dev-only-insecure-key"
    assert secret_key("change-me", debug=True) == "change-me"


def test_the_example_environment_file_ships_no_debug_and_no_placeholder_key():
    example = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    lines = [line.strip() for line in example.splitlines()]

    assert not any(line.startswith("DEBUG=true") for line in lines)
    assert not any(line.startswith("SECRET_KEY=") for line in lines)


# --- The cache ------------------------------------------------------------------------------


def test_with_no_broker_and_no_cache_url_the_cache_is_local_memory():
    assert cache_settings({})["default"]["BACKEND"] == LOCAL_MEMORY


def test_a_redis_broker_is_shared_as_the_cache_so_rate_limits_hold_across_workers():
    cache = cache_settings({"CELERY_BROKER_URL": "redis://10.0.0.5:6379/0"})["default"]

    assert cache["BACKEND"] == REDIS
    assert cache["LOCATION"] == "redis://10.0.0.5:6379/0"


def test_cache_url_wins_over_the_broker():
    cache = cache_settings(
        {"CACHE_URL": "rediss://cache.example.nhs.uk:6380/1", "CELERY_BROKER_URL": "redis://b/0"}
    )["default"]

    assert cache["BACKEND"] == REDIS
    assert cache["LOCATION"] == "rediss://cache.example.nhs.uk:6380/1"


def test_cache_url_locmem_keeps_local_memory_even_with_a_broker():
    environment = {"CACHE_URL": "locmem://", "CELERY_BROKER_URL": "redis://b/0"}

    assert cache_settings(environment)["default"]["BACKEND"] == LOCAL_MEMORY


def test_a_cache_url_that_is_not_redis_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be a Redis URL"):
        cache_settings({"CACHE_URL": "memcached://127.0.0.1:11211"})


def test_a_broker_that_is_not_redis_asks_for_a_cache_url():
    with pytest.raises(ImproperlyConfigured, match="set CACHE_URL"):
        cache_settings({"CELERY_BROKER_URL": "amqp://guest@127.0.0.1//"})


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"),
    reason="needs Redis: set CELERY_BROKER_URL=redis://...",
)
def test_two_workers_count_in_the_same_redis_cache():
    config = cache_settings({"CELERY_BROKER_URL": settings.CELERY_BROKER_URL})["default"]
    params = {"KEY_PREFIX": config["KEY_PREFIX"], "OPTIONS": config["OPTIONS"]}
    first_worker = RedisCache(config["LOCATION"], params)
    second_worker = RedisCache(config["LOCATION"], params)
    key = f"test-rate-limit-{secrets.token_hex(8)}"
    try:
        first_worker.add(key, 0, timeout=60)
        first_worker.incr(key)
        second_worker.incr(key)
        assert first_worker.get(key) == 2
    finally:
        first_worker.delete(key)
