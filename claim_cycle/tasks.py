"""Celery tasks for the claim cycle: thin shells that call claim_cycle/services.py.

`send_claim_reminders` runs on the beat schedule (settings.CELERY_BEAT_SCHEDULE) and is also
`python manage.py send_claim_reminders`; each e-mail is its own `deliver_reminder` task,
queued once the reminder's row is committed. Both are safe to run twice.
"""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services
from .models import ReminderMessage


def describe(message: ReminderMessage) -> str:
    """One line of the command's output: what was sent, to whom."""
    return f"{message.get_kind_display()}: {message.address}: {message.subject}"


@shared_task(
    bind=True,
    autoretry_for=(OSError,),  # the mail server could not be reached (SMTPException is one)
    retry_backoff=60,
    max_retries=5,
)
def deliver_reminder(self, message_id: int) -> bool:
    return services.reminder_deliver(message_id=message_id)


@shared_task
def send_claim_reminders(today: str | None = None) -> list[str]:
    """Every reminder due today (or on `today`, YYYY-MM-DD) and not sent before; returns a
    line per reminder sent."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    messages = services.reminders_send(today=day, deliver=deliver_reminder.delay)
    return [describe(message) for message in messages]
