"""Celery tasks for referrals: thin shells that call a service. Each is also a command."""

from celery import shared_task
from django.utils import timezone

from . import retention


@shared_task
def anonymise_expired_referrals() -> int:
    """The nightly run (CELERY_BEAT_SCHEDULE): anonymise the referrals that closed more than
    REFERRAL_RETENTION_YEARS ago. Safe to repeat: anonymised referrals are not taken again."""
    return retention.referrals_anonymise_expired(today=timezone.localdate())
