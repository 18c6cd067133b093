"""The Celery app. Tasks live in each app's tasks.py, take ids and call one service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcn_admin.settings")

app = Celery("pcn_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
