"""The superusers' lists of referrals and of the audit log: a fixed number of queries however
long, and filters and a search that each read an index, not the whole log."""

import datetime as dt

import pytest
from django.urls import reverse

from pcn_admin.models import Role
from referrals.models import AuditEvent
from tests.pcn_admin.factories import LinkWorkerUserFactory, UserFactory
from tests.referrals.factories import AuditEventFactory, ReferralFactory

pytestmark = pytest.mark.django_db
AUDIT = reverse("admin:referrals_auditevent_changelist")


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("size", [2, 20])
def test_the_referral_list_costs_the_same_queries_whatever_its_length(
    superuser_client, django_assert_max_num_queries, size
):
    for day in range(size):
        ReferralFactory(received_on=dt.date(2025, 4, 1) + dt.timedelta(days=day))
    with django_assert_max_num_queries(6):
        response = superuser_client.get(reverse("admin:referrals_referral_changelist"))
    rows = response.context["cl"].result_list
    assert [r.received_on for r in rows] == sorted((r.received_on for r in rows), reverse=True)
    assert response.context["cl"].full_result_count is None


@pytest.mark.parametrize("size", [2, 30])
def test_the_audit_log_costs_the_same_queries_whatever_its_length(
    superuser_client, django_assert_max_num_queries, size
):
    AuditEventFactory.create_batch(size, username="someone", role=Role.LINK_WORKER)
    # session, user, the models filter's values, count, page, permissions (2)
    with django_assert_max_num_queries(7):
        response = superuser_client.get(AUDIT)
    assert response.context["cl"].result_count == size


def test_the_audit_log_filters_by_every_role_and_by_none(superuser_client):
    worker = LinkWorkerUserFactory(username="lw.jones")
    AuditEventFactory(user=worker, username=worker.username, role=Role.LINK_WORKER)
    AuditEventFactory(username="root", role="")  # a superuser has no role
    filters = superuser_client.get(AUDIT).content.decode()
    for _, label in Role.choices:
        assert label in filters  # every role is offered, whether or not it has events yet
    assert "No role (a superuser, or the public)" in filters

    by_role = superuser_client.get(AUDIT, {"role": Role.LINK_WORKER}).context["cl"]
    assert [e.username for e in by_role.result_list] == ["lw.jones"]
    no_role = superuser_client.get(AUDIT, {"role": "none"}).context["cl"]
    assert [e.username for e in no_role.result_list] == ["root"]
    staff = superuser_client.get(AUDIT, {"role": Role.COMMISSIONER_STAFF}).context["cl"]
    assert list(staff.result_list) == []


def test_the_audit_log_offers_each_model_it_holds(superuser_client):
    AuditEventFactory(model="referrals.Referral")
    AuditEventFactory(model="referrals.Contact")
    AuditEventFactory(model="referrals.Referral")
    response = superuser_client.get(AUDIT)
    [model_filter] = [f for f in response.context["cl"].filter_specs if f.title == "model"]
    assert [value for value, _ in model_filter.lookup_choices] == [
        "referrals.Contact",
        "referrals.Referral",
    ]
    contacts = superuser_client.get(AUDIT, {"model": "referrals.Contact"}).context["cl"]
    assert [e.model for e in contacts.result_list] == ["referrals.Contact"]


def test_the_audit_log_search_finds_a_whole_username_or_record_id_in_any_case(
    superuser_client,
):
    AuditEventFactory(username="Lw.Jones", record_id="4711")
    AuditEventFactory(username="cd.smith", record_id="47")

    def found(term):
        changelist = superuser_client.get(AUDIT, {"q": term}).context["cl"]
        return sorted(e.record_id for e in changelist.result_list)

    assert found("lw.jones") == ["4711"]
    assert found("47") == ["47"]
    assert found("jones") == []  # part of a name: the help text says to give it in full
    assert "in full" in superuser_client.get(AUDIT).content.decode()


def test_audit_events_stay_unchangeable_through_the_admin(superuser_client):
    event = AuditEventFactory()
    change = reverse("admin:referrals_auditevent_change", args=[event.pk])
    assert superuser_client.post(change, {"detail": "edited"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == ""
