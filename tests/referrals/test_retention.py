"""Referrals past the retention period lose their identifying details and keep their facts."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from referrals import selectors
from referrals.models import AuditEvent, OnwardReferral, Referral, Status
from referrals.retention import REMOVED, referrals_anonymise_expired
from tests.referrals.factories import (
    AssignedReferralFactory,
    ContactFactory,
    OnwardReferralFactory,
    OutcomeMeasurementFactory,
    ReferralStatusChangeFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 10)
EIGHT_YEARS_AGO = dt.date(2018, 5, 10)


def closed_referral(*, closed_on: dt.date, **fields) -> Referral:
    """A closed referral with notes, contacts, an onward referral and wellbeing scores."""
    referral = AssignedReferralFactory(
        given_name="Margaret",
        family_name="Elliot",
        date_of_birth=dt.date(1950, 5, 17),
        email="margaret.elliot@example.com",
        phone="07700 900123",
        address="12 Quay Road, Blyth",
        postcode="NE24 2AA",
        what_matters="Margaret misses her late husband's allotment.",
        referrer_name="Dr A Patel, Blyth MC",
        received_on=closed_on - dt.timedelta(days=90),
        **fields,
    )
    ReferralStatusChangeFactory(referral=referral, note="Spoke to Margaret's daughter.")
    ContactFactory(referral=referral, notes="Margaret was tearful on the phone.")
    OnwardReferralFactory(
        referral=referral,
        message="Margaret uses a stick.",
        status=OnwardReferral.Status.DECLINED,
        decline_reason="We cannot take Margaret: no step-free access.",
    )
    OutcomeMeasurementFactory(referral=referral, life_satisfaction=4)
    Referral.objects.filter(pk=referral.pk).update(
        status=Status.CLOSED,
        outcome=Referral.Outcome.NEEDS_MET,
        closure_notes="Margaret joined the walking group.",
        closed_on=closed_on,
        gp_appointments_before=6,
        gp_appointments_after=2,
    )
    return Referral.objects.get(pk=referral.pk)


def test_a_referral_closed_eight_years_and_a_day_ago_is_anonymised():
    referral = closed_referral(closed_on=EIGHT_YEARS_AGO - dt.timedelta(days=1))

    assert referrals_anonymise_expired(today=TODAY) == 1

    referral.refresh_from_db()
    assert referral.full_name == "Anonymised referral"
    assert referral.date_of_birth == dt.date(1950, 1, 1)  # the year stays for age bands
    for field in ("nhs_number", "email", "phone", "postcode", "referrer_name"):
        assert getattr(referral, field) == "", field
    for text in (referral.address, referral.what_matters, referral.closure_notes):
        assert text == REMOVED
    assert referral.anonymised_at is not None
    assert referral.status_changes.get().note == REMOVED
    assert referral.contacts.get().notes == REMOVED
    onward = referral.onward_referrals.get()
    assert (onward.message, onward.decline_reason) == (REMOVED, REMOVED)
    # The facts stay: where it came from, when, how it ended, and the measurements.
    assert referral.status == Status.CLOSED and referral.outcome == Referral.Outcome.NEEDS_MET
    assert referral.closed_on == EIGHT_YEARS_AGO - dt.timedelta(days=1)
    assert referral.source_id and referral.reasons.exists()
    assert (referral.gp_appointments_before, referral.gp_appointments_after) == (6, 2)
    assert referral.outcomes.get().life_satisfaction == 4


def test_the_anonymisation_is_audited():
    referral = closed_referral(closed_on=EIGHT_YEARS_AGO - dt.timedelta(days=1))

    referrals_anonymise_expired(today=TODAY)

    event = AuditEvent.objects.get(record_id=str(referral.pk), detail__contains="anonymised")
    assert (event.model, event.action, event.user) == ("referrals.Referral", "change", None)


def test_a_referral_closed_less_than_eight_years_ago_and_an_open_one_are_kept():
    recent = closed_referral(closed_on=EIGHT_YEARS_AGO + dt.timedelta(days=1))
    exactly = closed_referral(closed_on=EIGHT_YEARS_AGO)
    still_open = AssignedReferralFactory(
        given_name="Margaret", received_on=dt.date(2010, 1, 4), status=Status.CONNECTED
    )

    assert referrals_anonymise_expired(today=TODAY) == 0

    for referral in (recent, exactly, still_open):
        referral.refresh_from_db()
        assert referral.given_name == "Margaret" and referral.anonymised_at is None
    assert recent.contacts.get().notes == "Margaret was tearful on the phone."
    assert not AuditEvent.objects.filter(detail__contains="anonymised").exists()


def test_running_it_twice_changes_nothing_the_second_time():
    referral = closed_referral(closed_on=dt.date(2015, 3, 1))
    referrals_anonymise_expired(today=TODAY)
    referral.refresh_from_db()
    events = AuditEvent.objects.count()

    assert referrals_anonymise_expired(today=TODAY) == 0

    again = Referral.objects.get(pk=referral.pk)
    assert again.anonymised_at == referral.anonymised_at
    assert AuditEvent.objects.count() == events


def test_the_period_follows_the_setting(settings):
    settings.REFERRAL_RETENTION_YEARS = 3
    referral = closed_referral(closed_on=dt.date(2023, 5, 9))

    assert referrals_anonymise_expired(today=TODAY) == 1
    referral.refresh_from_db()
    assert referral.given_name == "Anonymised"


def test_a_period_under_a_year_is_refused_rather_than_emptying_the_records(settings):
    settings.REFERRAL_RETENTION_YEARS = 0
    referral = closed_referral(closed_on=TODAY - dt.timedelta(days=1))

    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        referrals_anonymise_expired(today=TODAY)
    referral.refresh_from_db()
    assert referral.given_name == "Margaret"


def test_the_dashboards_still_count_anonymised_referrals():
    referral = closed_referral(closed_on=EIGHT_YEARS_AGO - dt.timedelta(days=1))
    pcn_referrals = Referral.objects.filter(pcn=referral.pcn)
    since, until = dt.date(2017, 1, 1), dt.date(2018, 12, 31)

    def figures():
        return (
            selectors.referral_counts_by_pcn(pcn_ids=[referral.pcn_id], since=since, until=until),
            dict(selectors.status_counts_by_pcn([referral.pcn])[referral.pcn_id]),
            selectors.counts_by(pcn_referrals, "source__name"),
            selectors.counts_by_month(pcn_referrals),
            selectors.outcome_summary(pcn_referrals).people,
            selectors.outcome_summary(pcn_referrals).gp_people,
        )

    before = figures()
    referrals_anonymise_expired(today=TODAY)

    assert figures() == before
    assert before[0] == {referral.pcn_id: 1}


def test_the_command_anonymises_and_says_how_many():
    today = timezone.localdate()
    referral = closed_referral(closed_on=today - dt.timedelta(days=9 * 366))
    out = StringIO()

    call_command("anonymise_expired_referrals", stdout=out)

    assert "Anonymised 1 referral(s) closed before" in out.getvalue()
    referral.refresh_from_db()
    assert referral.given_name == "Anonymised"


def test_the_dry_run_counts_and_writes_nothing():
    today = timezone.localdate()
    referral = closed_referral(closed_on=today - dt.timedelta(days=9 * 366))
    events = AuditEvent.objects.count()
    out = StringIO()

    call_command("anonymise_expired_referrals", "--dry-run", stdout=out)

    assert "1 referral(s) closed before" in out.getvalue()
    assert "nothing changed" in out.getvalue()
    referral.refresh_from_db()
    assert referral.given_name == "Margaret" and referral.anonymised_at is None
    assert AuditEvent.objects.count() == events


def test_the_nightly_schedule_runs_the_task():
    from pcn_admin.celery import app
    from referrals.tasks import anonymise_expired_referrals

    today = timezone.localdate()
    referral = closed_referral(closed_on=today - dt.timedelta(days=9 * 366))
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-expired-referrals"]
    assert entry["task"] in app.tasks

    assert anonymise_expired_referrals.delay().get() == 1
    referral.refresh_from_db()
    assert referral.anonymised_at is not None
