"""The workforce plan pages for each persona: who sees, changes, submits and signs off which
plans; "Try this change" re-prices without saving and "Save to plan" saves; the commissioner's
area table and its CSV; and a fixed number of queries whatever the size of the plan or area."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pcn_admin.dates import financial_year
from roles.models import Post
from tests.networks.factories import ListSizeFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.roles.factories import RoleFactory
from workforce import selectors
from workforce.models import PlannedPost, WorkforcePlan

from .factories import PlannedPostFactory, WorkforcePlanFactory

pytestmark = pytest.mark.django_db
# A year a plan may be started for, whenever the tests run.
THIS_YEAR = str(financial_year(timezone.localdate()))


def value(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*data-value="([^"]*)"', html)
    assert match, f"no {testid} on the page"
    return match.group(1)


@pytest.fixture
def plan(world):
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2025)
    PlannedPostFactory(plan=plan)
    return plan


def detail(plan) -> str:
    return reverse("workforce:plan_detail", args=[plan.pk])


class TestWhoSeesAPlan:
    def test_the_pcns_clinical_director_and_its_commissioner_see_it(self, client, world, plan):
        for user in (world.director, world.staff, UserFactory(is_superuser=True)):
            client.force_login(user)
            assert client.get(detail(plan)).status_code == 200

    def test_another_pcns_director_and_another_areas_staff_get_404(self, client, world, plan):
        for user in (world.other_director, world.other_staff):
            client.force_login(user)
            assert client.get(detail(plan)).status_code == 404

    def test_practice_managers_and_link_workers_are_refused(self, client, world, plan):
        # As for the PCN dashboard: the plan shows the entitlement.
        for user in (
            PracticeManagerFactory(practice=world.practice),
            LinkWorkerUserFactory(pcn=world.pcn),
        ):
            client.force_login(user)
            response = client.get(detail(plan))
            assert response.status_code == 403
            assert "clinical director" in response.content.decode()

    def test_the_list_shows_only_plans_in_scope(self, client, world, plan):
        WorkforcePlanFactory(pcn=world.other_pcn)
        client.force_login(world.staff)
        html = client.get(reverse("workforce:plan_list")).content.decode()
        assert world.pcn.name in html and world.other_pcn.name not in html
        other = reverse("workforce:plan_list") + f"?pcn={world.other_pcn.code}"
        assert client.get(other).status_code == 404


class TestTryingAChange:
    def form(self, **changes):
        data = {
            "role": RoleFactory(code="pharmacy_technician").pk,
            "hours": "30",
            "afc_band": "5",
            "region": "national",
            "start_month": "2025-11",
            "end_month": "",
            "note": "Repeat prescriptions",
            "action": "try",
        }
        return {**data, **changes}

    def test_try_shows_the_priced_total_and_headroom_with_the_change_and_saves_nothing(
        self, client, world, plan
    ):
        client.force_login(world.director)
        posts = selectors.planned_posts(plan)
        before = selectors.plan_price(plan, posts)

        response = client.post(reverse("workforce:planned_post_add", args=[plan.pk]), self.form())

        assert response.status_code == 200
        html = response.content.decode()
        change = PlannedPost(
            plan=plan,
            role=RoleFactory(code="pharmacy_technician"),
            hours=Decimal("30"),
            afc_band="5",
            start_month=dt.date(2025, 11, 1),
        )
        after = selectors.what_if(plan, posts, change).after
        assert Decimal(value(html, "whatif-before-total")) == before.total
        assert Decimal(value(html, "whatif-after-total")) == after.total
        assert Decimal(value(html, "whatif-after-headroom")) == after.headroom
        assert Decimal(value(html, "whatif-after-headroom")) == before.headroom - (
            after.total - before.total
        )
        assert PlannedPost.objects.filter(plan=plan).count() == 1
        assert 'value="30"' in html  # what was typed is kept

    def test_save_adds_the_post_and_the_plan_shows_the_tried_figures(self, client, world, plan):
        client.force_login(world.director)
        url = reverse("workforce:planned_post_add", args=[plan.pk])
        tried = value(client.post(url, self.form()).content.decode(), "whatif-after-total")

        response = client.post(url, self.form(action="save"), follow=True)

        assert PlannedPost.objects.filter(plan=plan).count() == 2
        assert value(response.content.decode(), "planned-total") == tried

    def test_bad_input_names_the_field_and_saves_nothing(self, client, world, plan):
        client.force_login(world.director)
        response = client.post(
            reverse("workforce:planned_post_add", args=[plan.pk]),
            self.form(start_month="2026-05", hours="forty", action="save"),
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html
        assert "Start month: The start month must be in 2025/26: April 2025 to March 2026" in html
        assert "Enter the hours a week (sessions for GPs) as a number, for example 37.5" in html
        assert PlannedPost.objects.filter(plan=plan).count() == 1
        assert 'value="forty"' in html

    def test_changing_a_posts_hours_is_tried_then_saved(self, client, world, plan):
        planned = plan.posts.get()
        url = reverse("workforce:planned_post_edit", args=[planned.pk])
        client.force_login(world.director)
        data = self.form(
            role=planned.role_id, hours="18.75", afc_band="", start_month="2025-07", note=""
        )
        html = client.post(url, data).content.decode()
        assert Decimal(value(html, "whatif-after-total")) < Decimal(
            value(html, "whatif-before-total")
        )
        planned.refresh_from_db()
        assert planned.hours == Decimal("37.50")

        client.post(url, {**data, "action": "save"})
        planned.refresh_from_db()
        assert (planned.hours, planned.start_month) == (Decimal("18.75"), dt.date(2025, 7, 1))

    def test_commissioner_staff_cannot_change_a_plan(self, client, world, plan):
        client.force_login(world.staff)
        response = client.post(
            reverse("workforce:planned_post_add", args=[plan.pk]), self.form(action="save")
        )
        assert response.status_code == 403
        assert PlannedPost.objects.filter(plan=plan).count() == 1

    def test_another_pcns_director_cannot_change_it(self, client, world, plan):
        client.force_login(world.other_director)
        url = reverse("workforce:planned_post_edit", args=[plan.posts.get().pk])
        assert client.post(url, self.form(action="save")).status_code == 404


class TestSubmittingAndSigningOff:
    def test_the_director_submits_and_the_commissioner_signs_off(self, client, world, plan):
        client.force_login(world.director)
        client.post(reverse("workforce:plan_submit", args=[plan.pk]))
        plan.refresh_from_db()
        assert plan.status == WorkforcePlan.Status.SUBMITTED
        assert client.post(reverse("workforce:plan_sign_off", args=[plan.pk])).status_code == 403

        client.force_login(world.other_staff)
        assert client.post(reverse("workforce:plan_sign_off", args=[plan.pk])).status_code == 404
        client.force_login(world.staff)
        response = client.post(reverse("workforce:plan_sign_off", args=[plan.pk]), follow=True)
        plan.refresh_from_db()
        assert plan.status == WorkforcePlan.Status.SIGNED_OFF
        assert "is signed off" in response.content.decode()

    def test_starting_a_plan_for_another_pcn_is_refused(self, client, world):
        client.force_login(world.director)
        response = client.post(
            reverse("workforce:plan_start"), {"pcn": world.other_pcn.pk, "year": THIS_YEAR}
        )
        assert response.status_code == 200  # shown again with the error
        assert not WorkforcePlan.objects.exists()

    def test_the_director_starts_a_plan(self, client, world):
        client.force_login(world.director)
        response = client.post(
            reverse("workforce:plan_start"), {"pcn": world.pcn.pk, "year": THIS_YEAR}
        )
        plan = WorkforcePlan.objects.get()
        assert response["Location"] == detail(plan)


def test_recruiting_a_planned_post_adds_it_to_the_staff_in_post(client, world, plan):
    planned = plan.posts.get()
    client.force_login(world.director)
    url = reverse("workforce:planned_post_recruit", args=[planned.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "person_name": "Ravi Patel",
            "registration_number": "2099999",
            "employing_practice": world.practice.pk,
            "start_date": "2025-05-12",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(person_name="Ravi Patel")
    planned.refresh_from_db()
    assert planned.post == post
    client.force_login(world.staff)
    assert client.get(url).status_code == 403


class TestTheArea:
    def test_the_commissioner_sees_each_pcns_plan_against_its_entitlement(
        self, client, world, plan
    ):
        PlannedPostFactory(plan=plan)
        plan.status = WorkforcePlan.Status.SUBMITTED
        plan.save()
        price = selectors.plan_price(plan, selectors.planned_posts(plan))
        client.force_login(world.staff)
        url = reverse("workforce:area") + "?year=2025"
        html = client.get(url).content.decode()
        assert Decimal(value(html, "area-planned")) == price.total
        assert Decimal(value(html, "area-entitlement")) == price.arr_sum
        assert Decimal(value(html, "area-headroom")) == price.headroom
        assert world.other_pcn.name not in html

        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(reverse("workforce:area_csv") + "?year=2025").content.decode()
                )
            )
        )
        assert rows[1][:5] == [
            world.pcn.code,
            world.pcn.name,
            "1",
            "Submitted",
            f"{price.total:.2f}",
        ]
        assert rows[1][6] == f"{price.headroom:.2f}"

    def test_a_year_with_no_rate_says_not_known(self, client, world):
        client.force_login(world.staff)
        html = client.get(reverse("workforce:area") + "?year=2026").content.decode()
        assert "Not known" in html
        assert value(html, "area-entitlement") == ""

    def test_directors_cannot_open_the_area(self, client, world):
        client.force_login(world.director)
        assert client.get(reverse("workforce:area")).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_plans_page_takes_the_same_queries_for_two_posts_or_twenty(client, world, plan):
    client.force_login(world.director)
    small = _queries(client, detail(plan))
    for month in range(4, 13):
        PlannedPostFactory(plan=plan, start_month=dt.date(2025, month, 1), hours=Decimal("20"))
        PlannedPostFactory(plan=plan, role=RoleFactory(code="paramedic"))
    assert _queries(client, detail(plan)) == small
    assert small <= 20


def test_the_area_page_takes_the_same_queries_for_one_pcn_or_six(client, world, plan):
    plan.status = WorkforcePlan.Status.SUBMITTED
    plan.save()
    client.force_login(world.staff)
    url = reverse("workforce:area") + "?year=2025"
    small = _queries(client, url)
    for n in range(5):
        pcn = PCNFactory(commissioner=world.pcn.commissioner)
        practice = MembershipFactory(pcn=pcn).practice
        ListSizeFactory(practice=practice, date=dt.date(2025, 1, 1))
        other = WorkforcePlanFactory(pcn=pcn, status=WorkforcePlan.Status.SIGNED_OFF)
        PlannedPostFactory(plan=other, hours=Decimal(10 + n))
    assert _queries(client, url) == small
    assert small <= 20


def test_the_pcn_dashboard_links_to_the_years_plans(client, world):
    client.force_login(world.director)
    page = client.get(
        reverse("dashboards:pcn_dashboard", args=[world.pcn.code]) + "?year=2025"
    ).content.decode()
    link = reverse("workforce:plan_list") + f"?pcn={world.pcn.code}&amp;year=2025"
    assert link in page
    plans = client.get(reverse("workforce:plan_list") + f"?pcn={world.pcn.code}&year=2025")
    assert plans.status_code == 200


def test_a_plan_for_a_year_with_no_arr_sum_rate_says_not_known(client, world):
    plan = WorkforcePlanFactory(pcn=world.pcn, year=2026)
    PlannedPostFactory(plan=plan)
    client.force_login(world.director)
    html = client.get(detail(plan)).content.decode()
    assert value(html, "entitlement") == "" and value(html, "headroom") == ""
    assert Decimal(value(html, "planned-total")) > 0
    assert html.count("Not known") >= 2
    assert "No ARR sum rate has been published for 2026/27" in html


def test_a_new_version_is_offered_on_a_submitted_plan_and_starts_from_it(client, world):
    this_year = financial_year(timezone.localdate())  # a year a plan may be started for
    plan = WorkforcePlanFactory(
        pcn=world.pcn, year=this_year, status=WorkforcePlan.Status.SUBMITTED
    )
    PlannedPostFactory(plan=plan)
    client.force_login(world.director)
    assert "Start a new version" in client.get(detail(plan)).content.decode()
    response = client.post(
        reverse("workforce:plan_start"), {"pcn": world.pcn.pk, "year": str(plan.year)}
    )
    second = WorkforcePlan.objects.get(version=2)
    assert response["Location"] == detail(second)
    assert second.posts.count() == 1
