"""`python manage.py send_claim_reminders [--today YYYY-MM-DD]`: a line per message, then
how many were sent; run again, nothing more."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from claim_cycle import tasks
from claim_cycle.models import ReminderMessage
from pcn_admin.celery import app
from tests.claim_cycle.factories import ClaimWindowFactory
from tests.networks.factories import MembershipFactory, NominatedPayeeFactory, PCNFactory
from tests.pcn_admin.factories import PracticeManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers():
    """Two PCNs of one commissioner whose June 2025 claims are not in: one manager each."""
    window = ClaimWindowFactory()
    found = []
    for code in ("U11111", "U22222"):
        pcn = PCNFactory(code=code, commissioner=window.commissioner)
        practice = MembershipFactory(pcn=pcn).practice
        NominatedPayeeFactory(pcn=pcn, practice=practice)
        found.append(PracticeManagerFactory(practice=practice, username=f"pm-{code}"))
    return found


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("send_claim_reminders", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_a_line_per_message_and_ends_with_the_count(
    managers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lines = _run("--today", "2025-06-30")

    assert lines == [
        "Claim deadline coming up (practice managers): pm-U11111@example.nhs.uk: "
        "ARRS claim for U11111 June 2025 due by Thursday 3 July 2025",
        "Claim deadline coming up (practice managers): pm-U22222@example.nhs.uk: "
        "ARRS claim for U22222 June 2025 due by Thursday 3 July 2025",
        "2 sent",
    ]
    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.email for m in managers)


def test_run_again_it_sends_nothing(managers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _run("--today", "2025-06-30")
    with django_capture_on_commit_callbacks(execute=True):
        again = _run("--today", "2025-07-01")

    assert again == ["0 sent"]
    assert len(mail.outbox) == 2
    assert ReminderMessage.objects.count() == 2


def test_without_a_date_it_acts_on_today(managers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lines = _run()

    assert lines[-1].endswith(" sent")


def test_a_date_that_is_not_one_is_refused_and_nothing_is_sent(managers):
    with pytest.raises(CommandError, match="give it as YYYY-MM-DD, for example 2025-07-01"):
        _run("--today", "2025-02-30")

    assert ReminderMessage.objects.count() == 0


def test_celery_beat_runs_the_job_on_weekday_mornings(settings):
    (entry,) = [
        job
        for job in settings.CELERY_BEAT_SCHEDULE.values()
        if job["task"] == "claim_cycle.tasks.send_claim_reminders"
    ]
    assert entry["schedule"].day_of_week == {1, 2, 3, 4, 5}
    assert tasks.send_claim_reminders.name in app.tasks
