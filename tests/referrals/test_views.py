"""Pages: each role sees what it may, identifiable views are audited, query counts are fixed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pcn_admin.templatetags.nhs_format import nhs_number as nhs_number_shown
from referrals.models import AuditEvent, OnwardReferral, Referral, Status
from tests.networks.factories import MembershipFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)
from tests.referrals.factories import (
    AssignedReferralFactory,
    ContactFactory,
    OnwardReferralFactory,
    OutcomeMeasurementFactory,
    ReferralReasonFactory,
    ReferralSourceFactory,
    ServiceFactory,
    test_nhs_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    return AssignedReferralFactory(given_name="Dorothy", family_name="Charlton")


def detail_url(referral):
    return reverse("referrals:detail", args=[referral.pk])


def audited(user, action, referral):
    return AuditEvent.objects.filter(
        user=user,
        role=user.role,
        action=action,
        model="referrals.Referral",
        record_id=str(referral.pk),
    ).exists()


# Referral detail: who may see it ------------------------------------------------------------


def test_the_link_worker_sees_the_referral_and_the_view_is_audited(client, referral):
    client.force_login(referral.link_worker)
    response = client.get(detail_url(referral))
    assert response.status_code == 200
    assert b"Dorothy Charlton" in response.content
    assert nhs_number_shown(referral.nhs_number) == " ".join(
        (referral.nhs_number[:3], referral.nhs_number[3:6], referral.nhs_number[6:])
    )
    assert nhs_number_shown(referral.nhs_number).encode() in response.content  # 999 765 4323
    assert audited(referral.link_worker, "view", referral)


def test_the_clinical_director_reads_the_referral_without_who_it_is_and_cannot_act(
    client, referral
):
    ContactFactory(referral=referral, notes="Talked about her late husband")
    director = ClinicalDirectorUserFactory(pcn=referral.pcn)
    client.force_login(director)
    response = client.get(detail_url(referral))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Referral {referral.pk}" in page and referral.practice.name in page
    number = referral.nhs_number
    shown = nhs_number_shown(number)
    for identifying in ("Dorothy", "Charlton", number, shown, "17 May 1950", "07700"):
        assert identifying not in page
    assert "late husband" not in page  # notes are about the person too
    assert "Change status" not in page and "Message back to the GP" not in page
    assert audited(director, "view", referral)
    post = client.post(reverse("referrals:change_status", args=[referral.pk]), {"to": "contacted"})
    assert post.status_code == 403


@pytest.mark.parametrize("factory", [LinkWorkerUserFactory, ClinicalDirectorUserFactory])
def test_staff_of_another_pcn_get_not_found(client, referral, factory):
    client.force_login(factory())
    assert client.get(detail_url(referral)).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.parametrize(
    "factory",
    [CommissionerStaffFactory, PracticeManagerFactory, CommunityOrganisationUserFactory],
)
def test_roles_that_never_see_identities_are_refused(client, referral, factory):
    client.force_login(factory())
    response = client.get(detail_url(referral))
    assert response.status_code == 403
    assert b"Dorothy" not in response.content


def test_signed_out_visitors_are_sent_to_sign_in(client, referral):
    response = client.get(detail_url(referral))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Working a referral -----------------------------------------------------------------------------


def test_the_link_worker_moves_a_referral_on_and_it_is_recorded(client, referral):
    client.force_login(referral.link_worker)
    response = client.post(
        reverse("referrals:change_status", args=[referral.pk]), {"to": "contacted", "note": "Rang"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED
    assert referral.status_changes.get().changed_by == referral.link_worker
    assert audited(referral.link_worker, "change", referral)


def test_closing_without_an_outcome_shows_the_error_and_keeps_what_was_typed(client, referral):
    for status in ("contacted", "assessment", "plan_agreed"):
        referral.status = status
    referral.save()
    client.force_login(referral.link_worker)
    response = client.post(
        reverse("referrals:change_status", args=[referral.pk]),
        {"to": "closed", "closure_notes": "Joined the walking group"},
    )
    assert response.status_code == 400
    assert b"Choose the outcome before closing" in response.content
    assert b"Joined the walking group" in response.content
    assert Referral.objects.get().status == Status.PLAN_AGREED


def test_a_contact_longer_than_ten_hours_is_refused_with_the_form_kept(client, referral):
    client.force_login(referral.link_worker)
    response = client.post(
        reverse("referrals:contact_add", args=[referral.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "kind": "phone",
            "duration_minutes": "900",
            "notes": "Long chat",
        },
    )
    assert response.status_code == 400
    assert b"Long chat" in response.content and b"There is a problem" in response.content
    assert not referral.contacts.exists()


def test_recording_a_contact_onward_referral_and_ons4(client, referral):
    client.force_login(referral.link_worker)
    today = timezone.localdate().isoformat()
    service = ServiceFactory()
    assert (
        client.post(
            reverse("referrals:contact_add", args=[referral.pk]),
            {"date": today, "kind": "face_to_face", "duration_minutes": "45"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("referrals:onward_add", args=[referral.pk]),
            {"service": service.pk, "consent_to_share": "on", "message": "Likes gardening"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("referrals:outcome_add", args=[referral.pk]),
            {
                "instrument": "ons4",
                "time_point": "baseline",
                "date": today,
                "self_completed": "on",
                "life_satisfaction": 3,
                "worthwhile": 4,
                "happy": 2,
                "anxious": 8,
            },
        ).status_code
        == 302
    )
    assert referral.contacts.count() == 1
    assert referral.onward_referrals.get().service == service
    assert referral.outcomes.get().anxious == 8


def test_the_gp_message_is_offered_at_closure_with_the_snomed_code(client, referral):
    from referrals import services

    for status in ("contacted", "assessment", "plan_agreed", "connected"):
        services.referral_change_status(referral=referral, to=status, by=referral.link_worker)
    client.force_login(referral.link_worker)
    url = reverse("referrals:gp_message", args=[referral.pk])
    assert client.get(url).status_code == 302  # not ready while open
    services.referral_change_status(
        referral=referral,
        to="closed",
        by=referral.link_worker,
        outcome="needs_met",
        closure_notes="Now attends the men's shed weekly.",
    )
    page = client.get(url)
    assert page.status_code == 200
    assert b"871731000000106" in page.content and b"@media print" in page.content
    download = client.get(url, {"format": "txt"})
    assert download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"]
    assert "871731000000106 Referral to social prescribing service" in download.content.decode()
    assert "Now attends the men's shed weekly." in download.content.decode()
    assert audited(referral.link_worker, "export", referral)


# Intake -----------------------------------------------------------------------------------------


def test_a_link_worker_records_a_referral_for_their_pcn(client):
    member = MembershipFactory()
    worker = LinkWorkerUserFactory(pcn=member.pcn)
    client.force_login(worker)
    assert client.get(reverse("referrals:create")).status_code == 200
    response = client.post(
        reverse("referrals:create"),
        {
            "given_name": "Jean",
            "family_name": "Robson",
            "nhs_number": "999 000 0018",
            "date_of_birth": "1948-02-01",
            "preferred_contact_method": "phone",
            "phone": "07700 900000",
            "practice": member.practice.pk,
            "source": ReferralSourceFactory().pk,
            "reasons": [ReferralReasonFactory().pk],
            "link_worker": worker.pk,
            "consent_given": "on",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(referral)
    assert referral.pcn == member.pcn and referral.nhs_number == "9990000018"
    assert audited(worker, "create", referral)


def test_an_invalid_nhs_number_is_explained_and_the_form_kept(client):
    member = MembershipFactory()
    client.force_login(LinkWorkerUserFactory(pcn=member.pcn))
    response = client.post(
        reverse("referrals:create"),
        {
            "given_name": "Jean",
            "family_name": "Robson",
            "nhs_number": "943 476 5918",
            "date_of_birth": "1948-02-01",
            "practice": member.practice.pk,
        },
    )
    assert response.status_code == 200
    assert b"not a valid NHS number" in response.content
    assert b'value="Robson"' in response.content
    assert not Referral.objects.exists()


def test_a_practice_outside_the_pcn_cannot_be_chosen(client):
    member, other = MembershipFactory(), MembershipFactory()
    client.force_login(LinkWorkerUserFactory(pcn=member.pcn))
    response = client.post(reverse("referrals:create"), {"practice": other.practice.pk})
    assert "Choose the registered practice from the list" in response.content.decode()


@pytest.mark.parametrize("factory", [ClinicalDirectorUserFactory, CommissionerStaffFactory])
def test_only_link_workers_record_referrals_and_keep_caseloads(client, factory):
    client.force_login(factory())
    assert client.get(reverse("referrals:create")).status_code == 403
    assert client.get(reverse("referrals:caseload")).status_code == 403


# Caseload -------------------------------------------------------------------------------------


def test_the_caseload_shows_own_referrals_flags_overdue_and_audits_each_one(client):
    worker = LinkWorkerUserFactory()
    stale = AssignedReferralFactory(
        link_worker=worker,
        pcn=worker.pcn,
        received_on=timezone.localdate() - dt.timedelta(30),
        family_name="Stale",
    )
    colleague_case = AssignedReferralFactory(pcn=worker.pcn, family_name="Colleague")
    client.force_login(worker)
    response = client.get(reverse("referrals:caseload"))
    content = response.content.decode()
    assert "Stale" in content and "Colleague" not in content
    assert "Contact overdue" in content
    assert "200 to 250 people a year" in content
    assert audited(worker, "list", stale)
    assert not audited(worker, "list", colleague_case)


@pytest.mark.parametrize("size", [3, 30])
def test_the_caseload_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, size):
    worker = LinkWorkerUserFactory()
    for referral in AssignedReferralFactory.create_batch(size, link_worker=worker, pcn=worker.pcn):
        ContactFactory(referral=referral)
    client.force_login(worker)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("referrals:caseload")).status_code == 200


@pytest.mark.parametrize("size", [1, 8])
def test_the_referral_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    referral = AssignedReferralFactory()
    ContactFactory.create_batch(size, referral=referral)
    OnwardReferralFactory.create_batch(size, referral=referral)
    OutcomeMeasurementFactory.create_batch(size, referral=referral)
    client.force_login(referral.link_worker)
    with django_assert_max_num_queries(15):
        assert client.get(detail_url(referral)).status_code == 200


# Organisation inbox --------------------------------------------------------------------------


def test_an_organisation_sees_only_its_referrals_and_only_what_consent_allows(client):
    service = ServiceFactory()
    shared = OnwardReferralFactory(
        service=service, referral__given_name="Shared", referral__family_name="Person"
    )
    private = OnwardReferralFactory(
        service=service,
        consent_to_share=False,
        message="",
        referral__given_name="Private",
        referral__family_name="Person",
    )
    elsewhere = OnwardReferralFactory(referral__given_name="Elsewhere")
    staff = CommunityOrganisationUserFactory(organisation=service.organisation)
    client.force_login(staff)
    content = client.get(reverse("referrals:inbox")).content.decode()
    assert "Shared Person" in content and shared.referral.phone in content
    assert f"SP-{private.pk}" in content and "Private" not in content
    assert "Elsewhere" not in content
    assert shared.referral.nhs_number not in content
    assert nhs_number_shown(shared.referral.nhs_number) not in content
    assert audited(staff, "list", shared.referral)
    assert not audited(staff, "list", private.referral)
    assert not audited(staff, "list", elsewhere.referral)


def test_an_organisation_declines_with_a_reason(client):
    onward = OnwardReferralFactory()
    client.force_login(CommunityOrganisationUserFactory(organisation=onward.service.organisation))
    url = reverse("referrals:inbox_respond", args=[onward.pk])
    client.post(url, {"decision": "decline"})
    assert OnwardReferral.objects.get().status == "pending"
    client.post(url, {"decision": "decline", "decline_reason": "Full until April"})
    onward.refresh_from_db()
    assert (onward.status, onward.decline_reason) == ("declined", "Full until April")


def test_another_organisation_cannot_answer_the_referral(client):
    onward = OnwardReferralFactory()
    client.force_login(CommunityOrganisationUserFactory())
    response = client.post(
        reverse("referrals:inbox_respond", args=[onward.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    assert OnwardReferral.objects.get().status == "pending"


def test_link_workers_have_no_organisation_inbox(client):
    client.force_login(LinkWorkerUserFactory())
    assert client.get(reverse("referrals:inbox")).status_code == 403


@pytest.mark.parametrize("size", [2, 20])
def test_the_inbox_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, size):
    service = ServiceFactory()
    OnwardReferralFactory.create_batch(size, service=service)
    client.force_login(CommunityOrganisationUserFactory(organisation=service.organisation))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("referrals:inbox")).status_code == 200


# Overview ---------------------------------------------------------------------------------------


def test_commissioner_staff_see_numbers_for_their_area_and_no_identities(client, referral):
    OutcomeMeasurementFactory(referral=referral)
    staff = CommissionerStaffFactory(commissioner=referral.pcn.commissioner)
    other_area = AssignedReferralFactory(family_name="Faraway")
    client.force_login(staff)
    response = client.get(reverse("referrals:overview"))
    content = response.content.decode()
    assert response.status_code == 200
    assert referral.pcn.code in content and other_area.pcn.code not in content
    shown = nhs_number_shown(referral.nhs_number)
    for identifier in ("Dorothy", "Charlton", referral.nhs_number, shown, "Faraway"):
        assert identifier not in content
    assert not AuditEvent.objects.filter(user=staff).exists()


def test_community_organisations_have_no_overview(client):
    client.force_login(CommunityOrganisationUserFactory())
    assert client.get(reverse("referrals:overview")).status_code == 403


@pytest.mark.parametrize("size", [1, 6])
def test_the_overview_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, size):
    staff = CommissionerStaffFactory()
    for _ in range(size):
        AssignedReferralFactory(pcn__commissioner=staff.commissioner)
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("referrals:overview")).status_code == 200


def test_unused_helper_numbers_are_in_the_999_range():
    assert test_nhs_number(0).startswith("999")


def test_a_licensed_instrument_takes_only_a_total_on_the_page(client, referral):
    client.force_login(referral.link_worker)
    url = reverse("referrals:outcome_add", args=[referral.pk])
    today = timezone.localdate().isoformat()
    refused = client.post(
        url,
        {"instrument": "wemwbs", "time_point": "baseline", "date": today, "happy": 5},
    )
    assert refused.status_code == 400
    assert b"Enter the total as scored by a licensed user" in refused.content
    accepted = client.post(
        url, {"instrument": "wemwbs", "time_point": "baseline", "date": today, "total": "44"}
    )
    assert accepted.status_code == 302
    assert referral.outcomes.get().total == 44


def test_gp_appointments_before_and_after_are_entered(client, referral):
    # Received long enough ago that the six months after referral are over.
    Referral.objects.filter(pk=referral.pk).update(received_on=dt.date(2024, 1, 10))
    client.force_login(referral.link_worker)
    client.post(
        reverse("referrals:gp_appointments", args=[referral.pk]),
        {"gp_appointments_before": "7", "gp_appointments_after": "3"},
    )
    referral.refresh_from_db()
    assert (referral.gp_appointments_before, referral.gp_appointments_after) == (7, 3)


def test_a_case_study_needs_consent_and_no_nhs_number(client, referral):
    client.force_login(referral.link_worker)
    url = reverse("referrals:case_study_add", args=[referral.pk])
    story = "She joined the friendship café. NHS 943 476 5919."
    response = client.post(url, {"title": "Café", "story": story, "consent_given": "on"})
    assert response.status_code == 400 and b"must be anonymous" in response.content
    response = client.post(url, {"title": "Café", "story": "She joined the friendship café."})
    assert response.status_code == 400 and b"only when the person has agreed" in response.content
    response = client.post(
        url, {"title": "Café", "story": "She joined the friendship café.", "consent_given": "on"}
    )
    assert response.status_code == 302
    assert referral.pcn.case_studies.get().title == "Café"


# The referral form offers what is true today ------------------------------------------------


def test_the_referral_form_offers_the_pcns_current_practices_and_link_workers_by_name(client):
    worker = LinkWorkerUserFactory(first_name="Jess", last_name="Pattinson", username="jp42")
    LinkWorkerUserFactory(pcn=worker.pcn, first_name="Sam", last_name="Hedley", username="sh7")
    member = MembershipFactory(
        pcn=worker.pcn, practice__name="WHITE MEDICAL GROUP", practice__code="A84011"
    )
    left = MembershipFactory(
        pcn=worker.pcn,
        practice__name="PONTELAND MEDICAL GROUP",
        practice__code="A84007",
        end_date=dt.date(2022, 3, 31),
    )
    MembershipFactory(practice=left.practice, start_date=dt.date(2022, 4, 1))  # another PCN's now
    client.force_login(worker)
    page = client.get(reverse("referrals:create")).content.decode()
    assert f'<option value="{member.practice.pk}">White Medical Group (A84011)</option>' in page
    assert "Ponteland" not in page and "PONTELAND" not in page
    assert f'<option value="{worker.pk}" selected>Jess Pattinson</option>' in page
    assert ">Sam Hedley</option>" in page
    assert "jp42" not in page and "sh7" not in page


def test_a_practice_that_left_the_pcn_is_refused_on_the_referral_form(client):
    worker = LinkWorkerUserFactory()
    left = MembershipFactory(pcn=worker.pcn, end_date=dt.date(2022, 3, 31))
    client.force_login(worker)
    response = client.post(reverse("referrals:create"), {"practice": left.practice.pk})
    assert "Choose the registered practice from the list" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_closed_pcn_is_marked_closed_on_its_date_wherever_it_is_listed(client):
    from tests.networks.factories import PCNFactory

    open_pcn = PCNFactory(name="West Northumberland PCN")
    closed = PCNFactory(
        name="Valens PCN", commissioner=open_pcn.commissioner, close_date=dt.date(2024, 4, 1)
    )
    client.force_login(CommissionerStaffFactory(commissioner=open_pcn.commissioner))
    for url in (reverse("home"), reverse("referrals:overview")):
        page = client.get(url).content.decode()
        assert "Valens PCN" in page and "Closed on 1 April 2024" in page, url
        assert page.count("Closed on") == 1, url
    dashboard = client.get(reverse("dashboards:pcn_dashboard", args=[closed.code]))
    assert "Closed on 1 April 2024" in dashboard.content.decode()
    area = client.get(reverse("dashboards:commissioner_dashboard"), {"year": 2023})
    assert "Closed on 1 April 2024" in area.content.decode()
    assert closed.closed_note == "closed on 1 April 2024" and open_pcn.closed_note == ""
