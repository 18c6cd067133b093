"""The posts admin's list and history page cost the same queries however many posts, people over
1.0 WTE and changes there are: who is over 1.0 WTE is worked out once a request, not once each
time Django asks for the list's columns."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.networks.factories import CommissionerFactory, PCNFactory
from tests.pcn_admin.factories import CommissionerStaffFactory
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [1, 15])
def test_the_post_list_costs_the_same_queries_whatever_its_length(
    client, django_assert_max_num_queries, size
):
    ours = CommissionerFactory()
    start = timezone.localdate().replace(day=1)
    for number in range(size):
        pcn = PCNFactory(commissioner=ours)
        # Each person holds two posts of 30 hours: over 1.0 WTE.
        for _ in range(2):
            PostFactory(pcn=pcn, person_name=f"Person {number}", hours="30", start_date=start)
    client.force_login(CommissionerStaffFactory(commissioner=ours))
    # session, user, commissioner; the area's people then their posts with hours in force; the
    # count, the page, its hours; roles for the filter; permissions (2)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("admin:roles_post_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2 * size
    assert response.content.decode().count('alt="True"') == 2 * (2 * size)


@pytest.mark.parametrize("changes", [1, 10])
def test_a_posts_history_page_costs_the_same_queries_however_long_its_history(
    client, django_assert_max_num_queries, changes
):
    post = PostFactory()
    for number in range(changes):
        post.person_name = f"Renamed {number}"
        post.save()
    client.force_login(CommissionerStaffFactory(commissioner=post.pcn.commissioner))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:roles_post_history", args=[post.pk]))
    assert response.status_code == 200
    assert f"Renamed {changes - 1}" in response.content.decode()
