"""PCN Admin: the project package (settings, URLs, Celery app, users and access)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
