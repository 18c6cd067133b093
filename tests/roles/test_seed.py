"""The roles demo data: posts for the demo PCN and two others, safe to load twice."""

import io

import pytest

from roles.models import Post
from roles.seed import seed_demo
from tests.networks.factories import CommissionerFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory

pytestmark = pytest.mark.django_db


def test_demo_posts_are_added_once():
    area = CommissionerFactory(code="00L")
    pcns = [PCNFactory(commissioner=area) for _ in range(3)]
    for pcn in pcns:
        MembershipFactory(pcn=pcn)
    ClinicalDirectorUserFactory(username="demo-director", pcn=pcns[0])
    seed_demo(stdout=io.StringIO())
    assert Post.objects.filter(pcn=pcns[0]).count() == 6
    assert Post.objects.filter(pcn=pcns[0], subcontractor_name__contains="Trust").count() == 1
    assert Post.objects.filter(pcn=pcns[0], in_post_at_baseline=True).count() == 1
    assert Post.objects.filter(pcn__in=pcns[1:]).count() == 4
    seed_demo(stdout=io.StringIO())
    assert Post.objects.count() == 10


def test_without_the_demo_director_nothing_is_added():
    out = io.StringIO()
    seed_demo(stdout=out)
    assert not Post.objects.exists()
    assert "no demo-director" in out.getvalue()
