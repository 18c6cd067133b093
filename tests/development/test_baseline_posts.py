"""Commissioner-funded baseline posts: funded for five years from 2019/20 (to 31 March 2024),
shown beside the PCN's ARRS staff, and kept out of ARRS claims by the baseline rule of the ARRS
staff list, not by a rule of their own."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from development import services
from development.models import BaselinePost
from reimbursement.calculations import line_problems
from reimbursement.selectors import claimable_posts
from roles.models import Role
from tests.networks.factories import PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    PracticeManagerFactory,
)
from tests.reimbursement.factories import ClaimFactory, ClaimLineFactory
from tests.roles.factories import PostFactory

from .factories import BaselinePostFactory

pytestmark = pytest.mark.django_db
JUNE = dt.date(2023, 6, 1)


@pytest.fixture
def pcn():
    return PCNFactory()


@pytest.fixture
def staff(pcn):
    return CommissionerStaffFactory(commissioner=pcn.commissioner)


def _link_worker():
    return Role.objects.get(code="social_prescribing_link_worker")


def _baseline_worker(pcn, **fields):
    return PostFactory(
        pcn=pcn,
        role=_link_worker(),
        person_name="Margaret Dodd",
        start_date=dt.date(2017, 5, 2),
        in_post_at_baseline=True,
        **fields,
    )


def test_funding_for_five_years_from_2019_20_ends_on_31_march_2024(pcn, staff):
    post = services.baseline_post_create(
        pcn=pcn,
        role=Role.objects.get(code="paramedic"),
        wte=Decimal("4"),
        start_date=dt.date(2018, 4, 1),
        by=staff,
    )
    assert post.funding_end == dt.date(2024, 3, 31)
    assert post.funded_to == dt.date(2024, 3, 31)
    assert post.history.get().history_user == staff
    services.baseline_post_update(baseline_post=post, funded_years=3, by=staff)
    post.refresh_from_db()
    assert post.funding_end == dt.date(2022, 3, 31)
    assert post.history.count() == 2


def test_a_post_that_started_after_the_baseline_is_refused(pcn, staff):
    with pytest.raises(ValidationError) as error:
        services.baseline_post_create(
            pcn=pcn, role=_link_worker(), wte=Decimal("1"), start_date=dt.date(2019, 4, 1), by=staff
        )
    assert "31 March 2019" in error.value.message_dict["start_date"][0]
    assert not BaselinePost.objects.exists()


def test_a_member_of_staff_who_can_be_claimed_under_arrs_cannot_be_linked(pcn, staff):
    claimable = PostFactory(pcn=pcn, role=_link_worker(), start_date=dt.date(2019, 7, 1))
    with pytest.raises(ValidationError) as error:
        services.baseline_post_create(
            pcn=pcn,
            role=_link_worker(),
            wte=Decimal("1"),
            start_date=dt.date(2017, 5, 2),
            post=claimable,
            by=staff,
        )
    assert "can be claimed under ARRS" in error.value.message_dict["post"][0]
    assert not BaselinePost.objects.exists()


def test_a_claim_line_for_a_commissioner_funded_post_is_refused_by_the_baseline_rule(pcn, staff):
    worker = _baseline_worker(pcn)
    services.baseline_post_create(
        pcn=pcn,
        role=_link_worker(),
        wte=Decimal("1"),
        start_date=worker.start_date,
        post=worker,
        by=staff,
    )
    # The claim's lines are drawn from the claimable posts: the funded post is not among them.
    assert worker not in claimable_posts(pcn, JUNE)
    # And a line made for it anyway is refused on submission.
    line = ClaimLineFactory(claim=ClaimFactory(pcn=pcn, month=JUNE), post=worker)
    assert any("baseline" in problem for problem in line_problems(line, JUNE))


def test_the_staff_list_shows_the_baseline_posts_beside_the_arrs_staff(client, pcn, staff):
    worker = _baseline_worker(pcn)
    BaselinePostFactory(pcn=pcn, role=_link_worker(), start_date=worker.start_date, post=worker)
    director = ClinicalDirectorUserFactory(pcn=pcn)
    client.force_login(director)
    page = client.get(reverse("roles:post_list")).content.decode()
    assert "Commissioner-funded baseline posts (outside ARRS)" in page
    assert page.count("Margaret Dodd") == 2  # on the ARRS list (not claimable) and funded
    # Practice managers keep ARRS posts but do not see the commissioner's funding.
    client.force_login(PracticeManagerFactory())
    page = client.get(reverse("roles:post_list")).content.decode()
    assert "Commissioner-funded baseline posts" not in page


def test_the_list_warns_when_a_funded_member_of_staff_is_no_longer_in_the_baseline(
    client, pcn, staff
):
    worker = _baseline_worker(pcn)
    BaselinePostFactory(pcn=pcn, role=_link_worker(), start_date=worker.start_date, post=worker)
    worker.in_post_at_baseline = False
    worker.save()
    client.force_login(staff)
    page = client.get(reverse("development:baseline_post_list")).content.decode()
    assert "could be claimed under ARRS" in page


def test_commissioner_staff_record_a_baseline_post_on_the_page(client, pcn, staff):
    client.force_login(staff)
    data = {
        "pcn": pcn.pk,
        "role": Role.objects.get(code="paramedic").pk,
        "wte": "4",
        "start_date": "2018-10-01",
        "funded_years": "5",
        "end_date": "",
        "post": "",
        "note": "",
    }
    response = client.post(reverse("development:baseline_post_create"), data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "31 Mar 2024" in page
    # A start after the baseline: a clear message, nothing saved, what was typed kept.
    response = client.post(
        reverse("development:baseline_post_create"),
        {**data, "start_date": "2020-01-01", "wte": "3.5"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A baseline post was in place on 31 March 2019" in page
    assert 'value="2020-01-01"' in page and 'value="3.5"' in page
    assert BaselinePost.objects.count() == 1
