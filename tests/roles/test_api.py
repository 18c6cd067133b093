"""/api/v1/roles/, /rates/ and /posts/ for each persona (the entitlement endpoint is money:
tests/reimbursement/test_entitlement_api.py)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from roles.models import Post, Rate
from tests.networks.factories import CommissionerFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.roles.factories import PostFactory, RateFactory, RoleFactory

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


def new_rate(**overrides):
    return {
        "role": "dietitian",
        "region": "national",
        "effective_from": "2026-05-01",
        "annual_max": "60000.00",
        "provenance": "derived-band",
        "basis": "Typed in for a test.",
        **overrides,
    }


class TestReferenceData:
    def test_anyone_signed_in_reads_roles_and_rates(self, api):
        api.force_authenticate(LinkWorkerUserFactory())
        roles = api.get("/api/v1/roles/").json()
        assert roles["count"] == 22
        rates = api.get("/api/v1/rates/", {"role__code": "gp"}).json()
        published = {r["annual_max"] for r in rates["results"] if r["provenance"] == "published"}
        assert published == {"92462.00", "95233.00", "105882.00"}

    def test_signed_out_users_are_refused(self, api):
        assert api.get("/api/v1/rates/").status_code in (401, 403)

    def test_a_national_administrator_adds_a_rate(self, api):
        api.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
        response = api.post("/api/v1/rates/", new_rate(), format="json")
        assert response.status_code == 201, response.json()
        added = Rate.objects.get(
            role__code="dietitian", effective_from="2026-05-01", region="national"
        )
        assert added.annual_max == Decimal("60000")
        assert added.provenance == "derived-band"

    def test_pcn_staff_cannot_write_rates(self, api):
        api.force_authenticate(ClinicalDirectorUserFactory())
        assert api.post("/api/v1/rates/", new_rate(), format="json").status_code == 403

    def test_a_locked_rate_cannot_be_changed_or_deleted_through_the_api(self, api):
        rate = RateFactory(role=RoleFactory(code="dietitian"))
        rate.lock()
        api.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
        response = api.patch(f"/api/v1/rates/{rate.pk}/", {"annual_max": "1.00"}, format="json")
        assert response.status_code == 400
        assert "later effective date" in str(response.json())
        assert api.delete(f"/api/v1/rates/{rate.pk}/").status_code == 400
        assert Rate.objects.filter(pk=rate.pk, annual_max=Decimal("40000")).exists()


class TestPosts:
    def payload(self, pcn, practice, **overrides):
        return {
            "pcn": pcn.code,
            "role": "social_prescribing_link_worker",
            "person_name": "Api Worker",
            "employing_practice": practice.code,
            "start_date": "2025-04-01",
            "hours": "37.5",
            **overrides,
        }

    def test_a_clinical_director_lists_and_adds_their_pcns_posts(self, api, area):
        _, pcn, practice = area
        PostFactory(pcn=pcn, employing_practice=practice, person_name="Ours")
        PostFactory(person_name="Theirs")
        api.force_authenticate(ClinicalDirectorUserFactory(pcn=pcn))
        listed = api.get("/api/v1/posts/").json()
        assert [p["person_name"] for p in listed["results"]] == ["Ours"]
        assert listed["results"][0]["hours"] == "37.50"
        response = api.post("/api/v1/posts/", self.payload(pcn, practice), format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["hours_history"] == [
            {"effective_from": "2025-04-01", "hours": "37.50"}
        ]

    def test_validation_errors_say_what_is_wrong(self, api, area):
        _, pcn, practice = area
        api.force_authenticate(PracticeManagerFactory(practice=practice))
        response = api.post(
            "/api/v1/posts/", self.payload(pcn, practice, hours="50"), format="json"
        )
        assert response.status_code == 400
        assert "more than full time" in response.json()["hours"][0]

    def test_another_pcns_staff_cannot_add_or_see_posts_here(self, api, area):
        _, pcn, practice = area
        post = PostFactory(pcn=pcn, employing_practice=practice)
        api.force_authenticate(ClinicalDirectorUserFactory())
        assert (
            api.post("/api/v1/posts/", self.payload(pcn, practice), format="json").status_code
            == 403
        )
        assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 404

    def test_commissioner_staff_read_their_areas_posts_but_cannot_change_them(self, api, area):
        ours, pcn, practice = area
        post = PostFactory(pcn=pcn, employing_practice=practice)
        api.force_authenticate(CommissionerStaffFactory(commissioner=ours))
        assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 200
        response = api.post(f"/api/v1/posts/{post.pk}/end/", {"end_date": "2025-06-30"})
        assert response.status_code == 403

    def test_link_workers_cannot_use_the_posts_api(self, api, area):
        api.force_authenticate(LinkWorkerUserFactory(pcn=area[1]))
        assert api.get("/api/v1/posts/").status_code == 403

    def test_ending_a_post_and_changing_hours(self, api, area):
        _, pcn, practice = area
        post = PostFactory(pcn=pcn, employing_practice=practice)
        api.force_authenticate(ClinicalDirectorUserFactory(pcn=pcn))
        response = api.patch(
            f"/api/v1/posts/{post.pk}/",
            {"hours": "18.75", "hours_from": "2025-01-01"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        response = api.post(f"/api/v1/posts/{post.pk}/end/", {"end_date": "2025-06-30"})
        assert response.status_code == 200
        assert response.json()["end_date"] == "2025-06-30"
        assert len(response.json()["hours_history"]) == 2
        assert api.delete(f"/api/v1/posts/{post.pk}/").status_code == 405
        assert Post.objects.filter(pk=post.pk).exists()

    @pytest.mark.parametrize("size", [2, 20])
    def test_the_list_costs_the_same_whatever_its_length(
        self, api, area, size, django_assert_max_num_queries
    ):
        ours, pcn, practice = area
        for _ in range(size):
            PostFactory(pcn=pcn, employing_practice=practice)
        api.force_authenticate(CommissionerStaffFactory(commissioner=ours))
        with django_assert_max_num_queries(8):
            assert api.get("/api/v1/posts/").status_code == 200


def test_the_schema_builds_with_the_roles_endpoints(api):
    api.force_authenticate(CommissionerStaffFactory())
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/posts/{id}/end/" in response.content
    assert b"/api/v1/rates/{id}/" in response.content
