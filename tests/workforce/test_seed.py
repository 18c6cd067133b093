"""seed_demo gives the demo PCN a signed-off 2025/26 workforce plan and another PCN a draft,
and running it again changes nothing."""

import io

import pytest
from django.core.management import call_command

from workforce.models import PlannedPost, WorkforcePlan

pytestmark = pytest.mark.django_db


def _plans():
    return sorted(
        WorkforcePlan.objects.values_list("pcn__code", "year", "version", "status")
    ), PlannedPost.objects.count()


def test_the_demo_has_a_signed_off_plan_and_a_draft_and_seeding_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = _plans()
    call_command("seed_demo", stdout=io.StringIO())

    assert _plans() == first
    statuses = [status for *_, status in first[0]]
    assert sorted(statuses) == ["draft", "signed_off"]
    signed_off = WorkforcePlan.objects.get(status="signed_off")
    assert signed_off.pcn.code == "U05512"  # the demo director's PCN
    assert signed_off.signed_off_by.username == "demo-commissioner"
    assert signed_off.posts.filter(post__isnull=True).exists()  # posts still to recruit
    assert signed_off.posts.filter(post__isnull=False).exists()  # staff in post carried in
