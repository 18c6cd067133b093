"""Caseloads, overdue contacts and outcome aggregates on worked numbers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from referrals import selectors
from referrals.models import Instrument, OnwardReferral, Referral, Status
from tests.pcn_admin.factories import LinkWorkerUserFactory
from tests.referrals.factories import (
    AssignedReferralFactory,
    ContactFactory,
    OnwardReferralFactory,
    OutcomeMeasurementFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - dt.timedelta(days=n)


def ons4(referral, time_point, date, scores):
    life, worth, happy, anxious = scores
    return OutcomeMeasurementFactory(
        referral=referral,
        time_point=time_point,
        date=date,
        life_satisfaction=life,
        worthwhile=worth,
        happy=happy,
        anxious=anxious,
    )


def test_an_open_referral_without_contact_for_a_fortnight_is_overdue():
    worker = LinkWorkerUserFactory()
    stale = AssignedReferralFactory(link_worker=worker, pcn=worker.pcn, received_on=days_ago(30))
    ContactFactory(referral=stale, date=days_ago(15))
    fresh = AssignedReferralFactory(link_worker=worker, pcn=worker.pcn, received_on=days_ago(30))
    ContactFactory(referral=fresh, date=days_ago(14))
    new = AssignedReferralFactory(link_worker=worker, pcn=worker.pcn, received_on=days_ago(3))
    ended = AssignedReferralFactory(
        link_worker=worker, pcn=worker.pcn, received_on=days_ago(90), status=Status.DECLINED
    )
    overdue = {r.pk: r.contact_overdue for r in selectors.caseload(link_worker=worker)}
    assert overdue == {stale.pk: True, fresh.pk: False, new.pk: False, ended.pk: False}


def test_the_caseload_lists_only_the_link_workers_own_referrals_overdue_first():
    worker = LinkWorkerUserFactory()
    colleague = LinkWorkerUserFactory(pcn=worker.pcn)
    mine_new = AssignedReferralFactory(link_worker=worker, pcn=worker.pcn)
    mine_stale = AssignedReferralFactory(
        link_worker=worker, pcn=worker.pcn, received_on=days_ago(20)
    )
    AssignedReferralFactory(link_worker=colleague, pcn=worker.pcn)
    assert list(selectors.caseload(link_worker=worker)) == [mine_stale, mine_new]


def test_people_in_the_last_twelve_months_counts_by_date_received():
    worker = LinkWorkerUserFactory()
    for days in (1, 200, 364, 366, 500):
        AssignedReferralFactory(link_worker=worker, pcn=worker.pcn, received_on=days_ago(days))
    assert selectors.people_in_last_twelve_months(link_worker=worker) == 3


def test_change_is_latest_follow_up_minus_first_baseline_item_by_item():
    referral = AssignedReferralFactory()
    ons4(referral, "baseline", days_ago(100), (3, 4, 2, 8))
    ons4(referral, "follow_up", days_ago(50), (5, 5, 5, 5))
    ons4(referral, "follow_up", days_ago(10), (7, 6, 6, 3))
    changes = selectors.wellbeing_changes(Referral.objects.all())
    assert changes == {
        referral.pk: {
            "life_satisfaction": 4,
            "worthwhile": 2,
            "happy": 4,
            "anxious": -5,
        }
    }


def test_people_without_both_a_baseline_and_a_follow_up_are_left_out():
    only_baseline = AssignedReferralFactory()
    ons4(only_baseline, "baseline", days_ago(20), (3, 3, 3, 3))
    only_follow_up = AssignedReferralFactory()
    ons4(only_follow_up, "follow_up", days_ago(20), (3, 3, 3, 3))
    assert selectors.wellbeing_changes(Referral.objects.all()) == {}


def test_a_licensed_instrument_changes_by_its_entered_total_only():
    referral = AssignedReferralFactory()
    for time_point, total in (("baseline", "17.5"), ("follow_up", "21.0")):
        OutcomeMeasurementFactory(
            referral=referral,
            instrument=Instrument.SWEMWBS,
            time_point=time_point,
            life_satisfaction=None,
            worthwhile=None,
            happy=None,
            anxious=None,
            total=Decimal(total),
        )
    changes = selectors.wellbeing_changes(Referral.objects.all(), instrument=Instrument.SWEMWBS)
    assert changes == {referral.pk: {"total": Decimal("3.5")}}
    assert selectors.wellbeing_changes(Referral.objects.all()) == {}


def test_pcn_summary_gives_mean_change_per_item_and_gp_use_with_the_people_behind_them():
    worker = LinkWorkerUserFactory()
    first = AssignedReferralFactory(
        link_worker=worker, pcn=worker.pcn, gp_appointments_before=8, gp_appointments_after=3
    )
    ons4(first, "baseline", days_ago(60), (2, 4, 3, 9))
    ons4(first, "follow_up", days_ago(5), (6, 6, 6, 4))
    second = AssignedReferralFactory(
        link_worker=worker, pcn=worker.pcn, gp_appointments_before=5, gp_appointments_after=4
    )
    ons4(second, "baseline", days_ago(60), (5, 5, 5, 5))
    ons4(second, "follow_up", days_ago(5), (6, 5, 7, 5))
    AssignedReferralFactory(link_worker=worker, pcn=worker.pcn)  # nothing measured yet

    summary = selectors.outcome_summaries_by(Referral.objects.all(), by="pcn")[worker.pcn_id]
    assert summary.people == 3
    assert summary.wellbeing_people == 2
    # life (4 + 1) / 2, worthwhile (2 + 0) / 2, happy (3 + 2) / 2, anxious (-5 + 0) / 2
    assert summary.wellbeing_change == {
        "life_satisfaction": Decimal("2.5"),
        "worthwhile": Decimal("1.0"),
        "happy": Decimal("2.5"),
        "anxious": Decimal("-2.5"),
    }
    assert summary.gp_people == 2
    assert (summary.gp_before_mean, summary.gp_after_mean) == (Decimal("6.5"), Decimal("3.5"))


def test_organisation_summary_rests_on_the_people_it_accepted():
    service = ServiceFactory()
    accepted = OnwardReferralFactory(service=service, status=OnwardReferral.Status.ACCEPTED)
    ons4(accepted.referral, "baseline", days_ago(60), (4, 4, 4, 6))
    ons4(accepted.referral, "follow_up", days_ago(5), (7, 7, 7, 3))
    declined = OnwardReferralFactory(
        service=service, status=OnwardReferral.Status.DECLINED, decline_reason="Full"
    )
    ons4(declined.referral, "baseline", days_ago(60), (4, 4, 4, 6))
    ons4(declined.referral, "follow_up", days_ago(5), (1, 1, 1, 9))

    summaries = selectors.outcome_summaries_by(Referral.objects.all(), by="organisation")
    summary = summaries[service.organisation_id]
    assert summary.people == 1
    assert summary.wellbeing_change["life_satisfaction"] == Decimal("3.0")
    assert summary.wellbeing_change["anxious"] == Decimal("-3.0")


def test_summaries_by_link_worker_keep_each_workers_people_apart():
    one, two = LinkWorkerUserFactory(), LinkWorkerUserFactory()
    for worker, after in ((one, 8), (two, 2)):
        referral = AssignedReferralFactory(link_worker=worker, pcn=worker.pcn)
        ons4(referral, "baseline", days_ago(60), (5, 5, 5, 5))
        ons4(referral, "follow_up", days_ago(5), (after, 5, 5, 5))
    summaries = selectors.outcome_summaries_by(Referral.objects.all(), by="link_worker")
    assert summaries[one.pk].wellbeing_change["life_satisfaction"] == Decimal("3.0")
    assert summaries[two.pk].wellbeing_change["life_satisfaction"] == Decimal("-3.0")
