"""/health/ for load balancers and uptime monitors: can this web process reach its database and,
where one is configured, its Celery broker? No sign-in; JSON; 503 when it cannot."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A monitor polls every few seconds and has its own timeout: answer well within it.
BROKER_TIMEOUT_SECONDS = 2


@never_cache
@require_safe
def health_check(request):
    status = {"database": database_status(), "broker": broker_status()}
    healthy = status["database"] == "ok" and status["broker"] != "error"
    return JsonResponse(status, status=200 if healthy else 503)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check: the database did not answer: %s", exc)
        return "error"
    return "ok"


def broker_status() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not configured"  # tasks run in the web process: there is no broker to reach
    # Imported here so the health check's import never depends on the Celery app loading.
    from .celery import app

    try:
        with app.connection_for_write(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception as exc:  # each transport raises its own errors; all mean "unreachable"
        logger.warning("Health check: the Celery broker did not answer: %s", exc)
        return "error"
    return "ok"
