"""The /roles/ pages for staff in post, for each persona."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from roles.models import Post, Role
from tests.networks.factories import CommissionerFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    ours = CommissionerFactory()
    pcn = PCNFactory(commissioner=ours)
    member = MembershipFactory(pcn=pcn)
    return ours, pcn, member.practice


@pytest.fixture
def our_post(area):
    _, pcn, practice = area
    return PostFactory(pcn=pcn, employing_practice=practice, person_name="Our Worker")


@pytest.fixture
def their_post():
    return PostFactory(person_name="Their Worker")


def form_data(pcn, practice, **overrides):
    data = {
        "pcn": pcn.pk,
        "role": Role.objects.get(code="social_prescribing_link_worker").pk,
        "person_name": "New Worker",
        "employing_practice": practice.pk,
        "subcontractor_name": "",
        "start_date": "2025-05-01",
        "region": "national",
        "hours": "30",
    }
    data.update(overrides)
    return data


class TestList:
    url = reverse("roles:post_list")

    def test_a_clinical_director_sees_only_their_pcns_posts(
        self, client, area, our_post, their_post
    ):
        client.force_login(ClinicalDirectorUserFactory(pcn=area[1]))
        response = client.get(self.url)
        assert response.status_code == 200
        assert b"Our Worker" in response.content
        assert b"Their Worker" not in response.content
        assert reverse("roles:post_edit", args=[our_post.pk]).encode() in response.content

    def test_a_practice_manager_sees_their_pcns_posts(self, client, area, our_post, their_post):
        client.force_login(PracticeManagerFactory(practice=area[2]))
        response = client.get(self.url)
        assert b"Our Worker" in response.content
        assert b"Their Worker" not in response.content

    def test_commissioner_staff_see_their_area_read_only(self, client, area, our_post, their_post):
        client.force_login(CommissionerStaffFactory(commissioner=area[0]))
        response = client.get(self.url)
        assert b"Our Worker" in response.content
        assert b"Their Worker" not in response.content
        assert b"Add a post" not in response.content
        assert reverse("roles:post_edit", args=[our_post.pk]).encode() not in response.content

    @pytest.mark.parametrize("factory", [LinkWorkerUserFactory, CommunityOrganisationUserFactory])
    def test_roles_without_arrs_access_are_refused(self, client, factory):
        client.force_login(factory())
        assert client.get(self.url).status_code == 403

    def test_signed_out_users_are_sent_to_sign_in(self, client):
        assert client.get(self.url).status_code == 302

    def test_an_empty_list_says_so(self, client, area):
        client.force_login(ClinicalDirectorUserFactory(pcn=area[1]))
        assert b"No ARRS posts are recorded yet" in client.get(self.url).content

    @pytest.mark.parametrize("size", [3, 30])
    def test_the_list_costs_the_same_whatever_its_length(
        self, client, area, size, django_assert_max_num_queries
    ):
        _, pcn, practice = area
        for _ in range(size):
            PostFactory(pcn=pcn, employing_practice=practice)
        client.force_login(CommissionerStaffFactory(commissioner=area[0]))
        with django_assert_max_num_queries(10):
            response = client.get(self.url)
        assert response.status_code == 200

    def test_the_list_is_paginated(self, client, area):
        _, pcn, practice = area
        for _ in range(26):
            PostFactory(pcn=pcn, employing_practice=practice)
        client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
        assert b"Page 1 of 2" in client.get(self.url).content
        assert b"Page 2 of 2" in client.get(self.url, {"page": 2}).content


class TestCreate:
    url = reverse("roles:post_create")

    @pytest.mark.parametrize("persona", ["director", "practice"])
    def test_pcn_staff_add_a_post_to_their_pcn(self, client, area, persona):
        _, pcn, practice = area
        user = (
            ClinicalDirectorUserFactory(pcn=pcn)
            if persona == "director"
            else PracticeManagerFactory(practice=practice)
        )
        client.force_login(user)
        response = client.post(self.url, form_data(pcn, practice))
        assert response.status_code == 302
        post = Post.objects.get(person_name="New Worker")
        assert post.pcn == pcn
        assert post.hours.get().hours == Decimal("30")
        assert post.created_by == user

    def test_a_rejected_form_keeps_what_was_typed_and_says_what_to_do(self, client, area):
        _, pcn, practice = area
        client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
        response = client.post(self.url, form_data(pcn, practice, hours="45"))
        assert response.status_code == 200
        assert b"more than full time" in response.content
        assert b'value="New Worker"' in response.content
        assert not Post.objects.exists()

    def test_another_pcns_staff_cannot_add_to_this_pcn(self, client, area):
        _, pcn, practice = area
        client.force_login(ClinicalDirectorUserFactory())
        response = client.post(self.url, form_data(pcn, practice))
        assert response.status_code == 200  # the PCN is not one of their choices
        assert "pcn" in response.context["form"].errors
        assert not Post.objects.exists()

    def test_commissioner_staff_cannot_add_posts(self, client, area):
        client.force_login(CommissionerStaffFactory(commissioner=area[0]))
        assert client.get(self.url).status_code == 403


class TestEditAndEnd:
    def test_a_clinical_director_changes_hours_from_a_date(self, client, area, our_post):
        client.force_login(ClinicalDirectorUserFactory(pcn=area[1]))
        data = form_data(area[1], area[2], person_name="Our Worker", start_date="2024-04-01")
        data.update(hours="20", hours_from="2025-01-01")
        response = client.post(reverse("roles:post_edit", args=[our_post.pk]), data)
        assert response.status_code == 302
        assert [h.hours for h in our_post.hours.order_by("effective_from")] == [
            Decimal("37.50"),
            Decimal("20.00"),
        ]

    def test_a_practice_manager_ends_a_post(self, client, area, our_post):
        client.force_login(PracticeManagerFactory(practice=area[2]))
        url = reverse("roles:post_end", args=[our_post.pk])
        assert client.post(url, {"end_date": "2025-06-30"}).status_code == 302
        our_post.refresh_from_db()
        assert our_post.end_date == dt.date(2025, 6, 30)

    def test_an_end_before_the_start_is_shown_on_the_form(self, client, area, our_post):
        client.force_login(PracticeManagerFactory(practice=area[2]))
        response = client.post(
            reverse("roles:post_end", args=[our_post.pk]), {"end_date": "2020-01-01"}
        )
        assert response.status_code == 200
        assert b"before the start date" in response.content

    def test_another_pcns_post_is_not_found(self, client, area, their_post):
        client.force_login(ClinicalDirectorUserFactory(pcn=area[1]))
        assert client.get(reverse("roles:post_edit", args=[their_post.pk])).status_code == 404
        assert (
            client.post(
                reverse("roles:post_end", args=[their_post.pk]), {"end_date": "2025-06-30"}
            ).status_code
            == 404
        )

    def test_commissioner_staff_cannot_change_posts_they_can_see(self, client, area, our_post):
        client.force_login(CommissionerStaffFactory(commissioner=area[0]))
        assert client.get(reverse("roles:post_edit", args=[our_post.pk])).status_code == 403
