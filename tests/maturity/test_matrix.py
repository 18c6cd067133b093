"""The maturity matrix as data: seeded with the 2019 structure exactly as the shared facts give
it, unverified until a national administrator confirms it, and shown with that flag."""

import pytest
from django.urls import reverse

from maturity import services
from maturity.models import NO_DESCRIPTOR, Descriptor, Expectation, MatrixVersion
from tests.maturity.factories import matrix_2019
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_2019_matrix_is_seeded_with_its_five_domains_and_four_stages():
    version = matrix_2019()
    assert [d.name for d in version.domains.order_by("position")] == [
        "Leadership, planning and partnerships",
        "Use of data and population health management",
        "Integrating care",
        "Managing resources",
        "Working with people and communities",
    ]
    assert [s.name for s in version.stages.order_by("position")] == [
        "Foundation",
        "Step 1",
        "Step 2",
        "Step 3",
    ]
    assert version.status == MatrixVersion.Status.IN_USE
    assert not version.verified


def test_no_descriptor_wording_is_invented():
    descriptors = Descriptor.objects.filter(domain__version=matrix_2019())
    assert descriptors.count() == 20  # one per stage per domain, to be filled in
    assert set(descriptors.values_list("text", flat=True)) == {""}
    assert descriptors.first().shown == NO_DESCRIPTOR


def test_the_prospectus_expectations_are_seeded_with_the_arrs_one_worked_out():
    expectations = list(Expectation.objects.order_by("position"))
    assert len(expectations) == 9
    assert expectations[0].text == "Understand its five-year journey"
    worked_out = [e.text for e in expectations if e.is_worked_out]
    assert worked_out == ["Have used 100% of its ARRS entitlement"]


def test_the_matrix_page_shows_the_unverified_flag_until_confirmed(client):
    client.force_login(ClinicalDirectorUserFactory())
    page = client.get(reverse("maturity:matrix")).content.decode()
    assert 'data-testid="matrix-unverified"' in page
    assert "Integrating care" in page
    assert page.count(f'maturity-missing">{NO_DESCRIPTOR}<') == 20

    services.matrix_version_confirm(version=matrix_2019(), by=UserFactory(is_superuser=True))
    page = client.get(reverse("maturity:matrix")).content.decode()
    assert 'data-testid="matrix-unverified"' not in page
    assert "Confirmed against the published matrix" in page


def test_confirming_records_who_and_when_in_the_history():
    admin = UserFactory(is_superuser=True)
    version = matrix_2019()
    assert services.matrix_version_confirm(version=version, by=admin) is True
    assert services.matrix_version_confirm(version=version, by=admin) is False
    version.refresh_from_db()
    assert version.verified and version.confirmed_by == admin
    assert version.history.latest().history_user == admin


def test_a_revision_is_a_draft_copy_that_leaves_the_original_alone():
    admin = UserFactory(is_superuser=True)
    original = matrix_2019()
    copy = services.matrix_version_copy(version=original, name="PCN maturity matrix 2021", by=admin)
    assert copy.status == MatrixVersion.Status.DRAFT and not copy.verified
    assert copy.domains.count() == 5 and copy.stages.count() == 4
    assert Descriptor.objects.filter(domain__version=copy).count() == 20
    assert original.domains.count() == 5


@pytest.mark.parametrize(
    "factory", [LinkWorkerUserFactory, PracticeManagerFactory], ids=["link worker", "practice"]
)
def test_roles_without_pcn_development_are_refused_the_matrix(client, factory):
    client.force_login(factory())
    assert client.get(reverse("maturity:matrix")).status_code == 403


def test_commissioner_staff_read_the_matrix_in_the_admin_but_cannot_change_it(client):
    client.force_login(CommissionerStaffFactory())
    version = matrix_2019()
    url = reverse("admin:maturity_matrixversion_change", args=[version.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"name": "Renamed", "date": "2019-08-01", "status": "in_use"})
    version.refresh_from_db()
    assert version.name == "PCN maturity matrix 2019"


def test_a_superuser_confirms_the_matrix_with_the_admin_action(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    version = matrix_2019()
    response = client.post(
        reverse("admin:maturity_matrixversion_changelist"),
        {"action": "confirm_against_published", "_selected_action": [version.pk]},
        follow=True,
    )
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.verified
