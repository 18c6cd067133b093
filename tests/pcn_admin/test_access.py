"""Each role sees only its own organisations (pcn_admin/access.py)."""

import pytest

from pcn_admin import access
from tests.networks.factories import CommissionerFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_areas():
    ours, theirs = CommissionerFactory(code="AAA"), CommissionerFactory(code="BBB")
    our_pcn = PCNFactory(commissioner=ours)
    their_pcn = PCNFactory(commissioner=theirs)
    our_member = MembershipFactory(pcn=our_pcn)
    their_member = MembershipFactory(pcn=their_pcn)
    return ours, our_pcn, our_member.practice, theirs, their_pcn, their_member.practice


def test_commissioner_staff_see_only_their_area(two_areas):
    ours, our_pcn, our_practice, theirs, their_pcn, their_practice = two_areas
    user = CommissionerStaffFactory(commissioner=ours)
    assert list(access.visible_pcns(user)) == [our_pcn]
    assert list(access.visible_practices(user)) == [our_practice]
    assert list(access.visible_commissioners(user)) == [ours]
    assert access.can(user, access.Permission.EDIT_REGISTER, ours)
    assert not access.can(user, access.Permission.EDIT_REGISTER, theirs)


@pytest.mark.parametrize("factory", [ClinicalDirectorUserFactory, LinkWorkerUserFactory])
def test_pcn_users_see_only_their_pcn_and_its_members(two_areas, factory):
    ours, our_pcn, our_practice, theirs, their_pcn, their_practice = two_areas
    user = factory(pcn=our_pcn)
    assert list(access.visible_pcns(user)) == [our_pcn]
    assert list(access.visible_practices(user)) == [our_practice]
    assert not access.has(user, access.Permission.EDIT_REGISTER)


def test_practice_manager_sees_their_practice_and_its_current_pcn(two_areas):
    ours, our_pcn, our_practice, theirs, their_pcn, their_practice = two_areas
    user = PracticeManagerFactory(practice=our_practice)
    assert list(access.visible_pcns(user)) == [our_pcn]
    assert list(access.visible_practices(user)) == [our_practice]
    assert not access.has(user, access.Permission.EDIT_REGISTER)


def test_community_organisation_staff_see_no_register(two_areas):
    user = CommunityOrganisationUserFactory()
    assert not access.visible_pcns(user).exists()
    assert not access.visible_practices(user).exists()


@pytest.mark.parametrize("factory", [ClinicalDirectorUserFactory, LinkWorkerUserFactory])
def test_a_practice_that_left_the_pcn_is_no_longer_its_users_to_see(two_areas, factory):
    import datetime as dt

    ours, our_pcn, our_practice, theirs, their_pcn, their_practice = two_areas
    leaver = MembershipFactory(
        pcn=our_pcn, start_date=dt.date(2020, 1, 1), end_date=dt.date(2024, 3, 31)
    ).practice
    MembershipFactory(pcn=their_pcn, practice=leaver, start_date=dt.date(2024, 4, 1))
    user = factory(pcn=our_pcn)
    assert list(access.visible_practices(user)) == [our_practice]
