"""The admin's paginator for big tables: on PostgreSQL a list the planner expects to be long is
given the planner's estimate as its count, and says "about"; a short list, and every list on
SQLite, is counted exactly."""

import pytest
from django.db import connection
from django.urls import reverse

from pcn_admin.admin import EstimatedCountPaginator, planned_rows
from referrals.models import AuditEvent
from tests.pcn_admin.factories import UserFactory
from tests.referrals.factories import AuditEventFactory

pytestmark = pytest.mark.django_db
AUDIT = reverse("admin:referrals_auditevent_changelist")


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_a_short_list_is_counted_exactly(superuser_client):
    AuditEventFactory.create_batch(3)
    paginator = EstimatedCountPaginator(AuditEvent.objects.all(), 100)
    assert (paginator.count, paginator.estimated) == (3, False)
    page = superuser_client.get(AUDIT).content.decode()
    assert "3 audit events" in page and "about 3" not in page


def test_a_list_that_is_not_a_queryset_is_counted(superuser_client):
    assert planned_rows([1, 2, 3]) is None
    assert EstimatedCountPaginator([1, 2, 3], 2).count == 3


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's behaviour")
def test_sqlite_has_no_planner_estimate():
    assert planned_rows(AuditEvent.objects.all()) is None


@pytest.mark.postgres
def test_on_postgresql_a_long_list_shows_about_the_planners_count(superuser_client, monkeypatch):
    AuditEventFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {AuditEvent._meta.db_table}")
    assert planned_rows(AuditEvent.objects.all()) == 3
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_ABOVE", 2)
    response = superuser_client.get(AUDIT)
    assert response.context["cl"].paginator.estimated
    assert "about 3 audit events" in " ".join(response.content.decode().split())
