"""The new-referrals queue: every referral without a link worker, self-referrals included, is
shared by the PCN's link workers, who take one into their caseload (one wins if two try at
once); one left there more than REFERRAL_UNASSIGNED_WORKING_DAYS working days is flagged."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pcn_admin.dates import working_days_before
from referrals import selectors, services
from referrals.models import AuditEvent, Referral, ReferralSource
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)
from tests.referrals.factories import AssignedReferralFactory, ReferralFactory

pytestmark = pytest.mark.django_db
QUEUE = "/referrals/new-referrals/"


@pytest.fixture
def worker():
    return LinkWorkerUserFactory(first_name="Jess", last_name="Pattinson")


@pytest.fixture
def self_referral(worker):
    return ReferralFactory(
        pcn=worker.pcn,
        given_name="Norah",
        family_name="Bainbridge",
        source=ReferralSource.objects.get(name=ReferralSource.SELF_REFERRAL),
    )


def take_url(referral):
    return reverse("referrals:take", args=[referral.pk])


# Who sees the queue ------------------------------------------------------------------------


def test_a_self_referral_is_in_the_queue_of_every_link_worker_of_its_pcn(client, self_referral):
    colleague = LinkWorkerUserFactory(pcn=self_referral.pcn)
    client.force_login(colleague)
    response = client.get(QUEUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Norah Bainbridge" in page and "Self referral" in page
    assert take_url(self_referral) in page
    assert AuditEvent.objects.filter(user=colleague, action="list", detail="queue").count() == 1


def test_the_queue_holds_only_the_pcns_open_unassigned_referrals(client, worker, self_referral):
    AssignedReferralFactory(pcn=worker.pcn, given_name="Assigned")
    ReferralFactory(given_name="Otherpcn")
    ReferralFactory(pcn=worker.pcn, given_name="Declined", status="declined")
    client.force_login(worker)
    page = client.get(QUEUE).content.decode()
    assert "Norah" in page
    for absent in ("Assigned", "Otherpcn", "Declined"):
        assert absent not in page


def test_the_clinical_director_sees_the_queue_without_names_and_cannot_take(client, self_referral):
    client.force_login(ClinicalDirectorUserFactory(pcn=self_referral.pcn))
    response = client.get(QUEUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Referral {self_referral.pk}" in page
    assert "Norah" not in page and "Bainbridge" not in page
    assert take_url(self_referral) not in page
    assert client.post(take_url(self_referral)).status_code == 403
    assert not AuditEvent.objects.filter(action="list").exists()


@pytest.mark.parametrize("factory", [CommissionerStaffFactory, PracticeManagerFactory])
def test_roles_outside_the_pcns_social_prescribing_are_refused(client, self_referral, factory):
    client.force_login(factory())
    assert client.get(QUEUE).status_code == 403
    assert client.post(take_url(self_referral)).status_code == 403


def test_a_referral_waiting_too_long_is_flagged_and_explained(client, worker, settings):
    settings.REFERRAL_UNASSIGNED_WORKING_DAYS = 3
    today = dt.date.today()
    ReferralFactory(pcn=worker.pcn, given_name="Fresh", received_on=today)
    ReferralFactory(pcn=worker.pcn, given_name="Waiting", received_on=working_days_before(today, 4))
    client.force_login(worker)
    page = client.get(QUEUE).content.decode()
    assert page.count("Waiting too long</strong>") == 1
    assert "more than 3 working days" in page and "within two weeks" in page
    counts = selectors.new_referral_counts(pcn_id=worker.pcn_id)
    assert (counts.waiting, counts.too_long) == (2, 1)


def test_exactly_the_limit_is_not_yet_too_long(worker, settings):
    settings.REFERRAL_UNASSIGNED_WORKING_DAYS = 5
    today = dt.date(2026, 11, 26)
    ReferralFactory(pcn=worker.pcn, received_on=working_days_before(today, 5))
    assert selectors.new_referral_counts(pcn_id=worker.pcn_id, today=today).too_long == 0
    ReferralFactory(pcn=worker.pcn, received_on=working_days_before(today, 6))
    assert selectors.new_referral_counts(pcn_id=worker.pcn_id, today=today).too_long == 1


def test_the_caseload_shows_how_many_wait_in_the_queue(client, worker, self_referral):
    client.force_login(worker)
    page = client.get(reverse("referrals:caseload")).content.decode()
    assert "1 new referral waiting for a link worker" in page
    assert f'href="{QUEUE}"' in page


@pytest.mark.parametrize("size", [2, 20])
def test_the_queue_runs_a_fixed_number_of_queries(
    client, worker, django_assert_max_num_queries, size
):
    ReferralFactory.create_batch(size, pcn=worker.pcn)
    client.force_login(worker)
    with django_assert_max_num_queries(8):
        assert client.get(QUEUE).status_code == 200


# Taking a referral --------------------------------------------------------------------------


def test_taking_a_referral_puts_it_in_the_caseload_and_is_audited(client, worker, self_referral):
    client.force_login(worker)
    response = client.post(take_url(self_referral), follow=True)
    assert response.redirect_chain[-1][0] == reverse("referrals:detail", args=[self_referral.pk])
    assert "You have taken the referral for Norah Bainbridge" in response.content.decode()
    self_referral.refresh_from_db()
    assert self_referral.link_worker == worker
    assert AuditEvent.objects.filter(user=worker, action="change", detail="taken").exists()
    assert "Norah" not in client.get(QUEUE).content.decode()
    assert "Norah Bainbridge" in client.get(reverse("referrals:caseload")).content.decode()


def test_pressing_take_twice_answers_as_the_first_time(client, worker, self_referral):
    client.force_login(worker)
    first = client.post(take_url(self_referral))
    second = client.post(take_url(self_referral))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert AuditEvent.objects.filter(detail="taken").count() == 1


def test_when_two_take_at_once_one_wins_and_the_other_is_told_who(worker, self_referral):
    colleague = LinkWorkerUserFactory(pcn=worker.pcn, first_name="Sam", last_name="Hedley")
    # Both loaded the referral while it was unassigned; the conditional update decides.
    seen_by_worker = Referral.objects.get(pk=self_referral.pk)
    seen_by_colleague = Referral.objects.get(pk=self_referral.pk)
    services.referral_take(referral=seen_by_worker, by=worker)
    with pytest.raises(services.ReferralTaken) as refused:
        services.referral_take(referral=seen_by_colleague, by=colleague)
    assert refused.value.taken_by == worker
    assert "Jess Pattinson took this referral first" in refused.value.messages[0]
    assert Referral.objects.get(pk=self_referral.pk).link_worker == worker


def test_the_loser_of_a_race_is_sent_back_to_the_queue_with_a_message(
    client, worker, self_referral
):
    services.referral_take(referral=self_referral, by=worker)
    client.force_login(LinkWorkerUserFactory(pcn=worker.pcn))
    response = client.post(take_url(self_referral), follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Jess Pattinson took this referral first" in response.content.decode()


def test_another_pcns_link_worker_cannot_take_it(client, self_referral):
    client.force_login(LinkWorkerUserFactory())
    assert client.post(take_url(self_referral)).status_code == 404
    with pytest.raises(ValidationError):
        services.referral_take(referral=self_referral, by=LinkWorkerUserFactory())
    assert Referral.objects.get(pk=self_referral.pk).link_worker is None


def test_an_ended_referral_cannot_be_taken(worker):
    declined = ReferralFactory(pcn=worker.pcn, status="declined")
    with pytest.raises(ValidationError, match="has ended"):
        services.referral_take(referral=declined, by=worker)


def test_a_referral_recorded_without_a_link_worker_goes_to_the_queue(client, worker):
    from tests.networks.factories import MembershipFactory
    from tests.referrals.factories import ReferralReasonFactory, ReferralSourceFactory

    practice = MembershipFactory(pcn=worker.pcn).practice
    client.force_login(worker)
    form = client.get(reverse("referrals:create")).content.decode()
    assert "Not yet: leave it for the new-referrals queue" in form
    response = client.post(
        reverse("referrals:create"),
        {
            "given_name": "Arthur",
            "family_name": "Dodd",
            "date_of_birth": "1944-02-03",
            "phone": "07700 900111",
            "preferred_contact_method": "phone",
            "practice": practice.pk,
            "source": ReferralSourceFactory().pk,
            "reasons": [ReferralReasonFactory().pk],
            "link_worker": "",
            "consent_given": "on",
        },
    )
    assert response.status_code == 302
    assert [r.given_name for r in selectors.new_referrals(pcn_id=worker.pcn_id)] == ["Arthur"]


# The dashboards count it ----------------------------------------------------------------------


def test_the_clinical_directors_dashboard_counts_the_queue_and_links_to_it(client, worker):
    today = dt.date.today()
    ReferralFactory(pcn=worker.pcn, received_on=today)
    ReferralFactory(pcn=worker.pcn, received_on=working_days_before(today, 10))
    AssignedReferralFactory(pcn=worker.pcn)  # taken: not counted
    client.force_login(ClinicalDirectorUserFactory(pcn=worker.pcn))
    page = client.get(reverse("dashboards:pcn_dashboard", args=[worker.pcn.code])).content.decode()
    assert 'data-testid="new-referrals" data-value="2"' in page
    assert 'data-testid="new-referrals-too-long" data-value="1"' in page
    assert "1 waiting more than 3 working days" in page
    assert f'<a href="{QUEUE}">2' in page


def test_commissioner_staff_see_the_count_but_no_link_to_a_page_they_cannot_open(client, worker):
    ReferralFactory(pcn=worker.pcn)
    client.force_login(CommissionerStaffFactory(commissioner=worker.pcn.commissioner))
    page = client.get(reverse("dashboards:pcn_dashboard", args=[worker.pcn.code])).content.decode()
    assert 'data-testid="new-referrals" data-value="1"' in page
    assert QUEUE not in page
