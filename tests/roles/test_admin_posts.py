"""The read-only posts admin: commissioners see their area's posts and who is over 1.0 WTE."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.networks.factories import CommissionerFactory, PCNFactory
from tests.pcn_admin.factories import CommissionerStaffFactory
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:roles_post_changelist")


def test_commissioner_staff_see_their_areas_posts_with_the_over_one_wte_flag(client):
    ours = CommissionerFactory()
    start = timezone.localdate().replace(day=1)
    PostFactory(
        pcn=PCNFactory(commissioner=ours), person_name="Busy Person", hours="30", start_date=start
    )
    PostFactory(
        pcn=PCNFactory(commissioner=ours), person_name="Busy Person", hours="30", start_date=start
    )
    PostFactory(pcn=PCNFactory(commissioner=ours), person_name="Calm Person", start_date=start)
    PostFactory(person_name="Elsewhere Person", start_date=start)
    client.force_login(CommissionerStaffFactory(commissioner=ours))
    response = client.get(URL)
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert sorted(p.person_name for p in rows) == ["Busy Person", "Busy Person", "Calm Person"]
    html = response.content.decode()
    assert "1.0 WTE this month" in html
    busy_rows = [line for line in html.split("<tr") if "Busy Person" in line]
    calm_rows = [line for line in html.split("<tr") if "Calm Person" in line]
    assert all(row.count('alt="True"') == 2 for row in busy_rows)  # claimable, over 1.0 WTE
    assert all(row.count('alt="True"') == 1 for row in calm_rows)  # claimable only


def test_posts_cannot_be_changed_in_the_admin(client):
    post = PostFactory()
    client.force_login(CommissionerStaffFactory(commissioner=post.pcn.commissioner))
    response = client.post(reverse("admin:roles_post_change", args=[post.pk]), {})
    assert response.status_code == 403
