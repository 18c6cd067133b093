"""/api/v1/pcns/{code}/entitlement/ (a PCN's ARR sum for a financial year) for each persona."""

import pytest
from rest_framework.test import APIClient

from tests.networks.factories import CommissionerFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def area():
    ours = CommissionerFactory()
    pcn = PCNFactory(commissioner=ours, code="U20001")
    practice = MembershipFactory(pcn=pcn, practice__code="B20001").practice
    return ours, pcn, practice


class TestEntitlement:
    def test_a_pcns_clinical_director_sees_its_entitlement_with_inputs(self, api, area):
        _, pcn, _ = area
        api.force_authenticate(ClinicalDirectorUserFactory(pcn=pcn))
        response = api.get(f"/api/v1/pcns/{pcn.code}/entitlement/", {"year": 2025})
        assert response.status_code == 200
        body = response.json()
        assert body["financial_year"] == "2025/26"
        assert body["population_date"] == "2025-01-01"
        assert body["per_weighted_patient"] == "26.631"
        assert body["members_without_figure"] == ["B20001"]
        assert body["spend_to_date"] == "0.00"

    @pytest.mark.parametrize("factory", [LinkWorkerUserFactory, PracticeManagerFactory])
    def test_staff_who_cannot_open_the_pcn_dashboard_cannot_read_its_entitlement(
        self, api, area, factory
    ):
        # The dashboard shows the same figures and refuses them (the access table's
        # VIEW_PCN_DASHBOARD): page and API give one answer.
        _, pcn, practice = area
        user = factory(pcn=pcn) if factory is LinkWorkerUserFactory else factory(practice=practice)
        api.force_authenticate(user)
        response = api.get(f"/api/v1/pcns/{pcn.code}/entitlement/", {"year": 2025})
        assert response.status_code == 403
        assert "clinical director" in response.json()["detail"]

    def test_commissioner_staff_see_their_areas_pcns(self, api, area):
        ours, pcn, _ = area
        api.force_authenticate(CommissionerStaffFactory(commissioner=ours))
        assert api.get(f"/api/v1/pcns/{pcn.code}/entitlement/", {"year": 2024}).status_code == 200

    def test_a_pcn_outside_the_users_scope_is_not_found(self, api, area):
        api.force_authenticate(ClinicalDirectorUserFactory())
        response = api.get(f"/api/v1/pcns/{area[1].code}/entitlement/", {"year": 2024})
        assert response.status_code == 404

    def test_a_missing_or_unconfigured_year_is_a_clear_error(self, api, area):
        api.force_authenticate(ClinicalDirectorUserFactory(pcn=area[1]))
        url = f"/api/v1/pcns/{area[1].code}/entitlement/"
        assert "year" in api.get(url).json()
        response = api.get(url, {"year": 2022})
        assert response.status_code == 400
        assert "Ask your commissioner" in str(response.json())


def test_the_schema_builds_with_the_entitlement_endpoint(api):
    api.force_authenticate(CommissionerStaffFactory())
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/pcns/{pcn_code}/entitlement/" in response.content
