"""Staff in post: validation, hours history, and the over-1.0-WTE warning."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roles import selectors, services
from roles.models import Post, Role
from tests.networks.factories import CommissionerFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.roles.factories import PostFactory, PostHoursFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcn():
    return PCNFactory()


@pytest.fixture
def practice(pcn):
    return MembershipFactory(pcn=pcn).practice


def create(pcn, practice, role="social_prescribing_link_worker", hours="37.5", **fields):
    fields.setdefault("person_name", "Alex Example")
    fields.setdefault("start_date", dt.date(2024, 4, 1))
    if "subcontractor_name" not in fields:
        fields.setdefault("employing_practice", practice)
    return services.post_create(
        pcn=pcn, role=Role.objects.get(code=role), hours=Decimal(hours), by=None, **fields
    )


def errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_post_is_created_with_its_hours_from_the_start_date(pcn, practice):
    user = ClinicalDirectorUserFactory(pcn=pcn)
    post = services.post_create(
        pcn=pcn,
        role=Role.objects.get(code="care_coordinator"),
        person_name="Sam Carer",
        employing_practice=practice,
        start_date=dt.date(2024, 5, 1),
        hours=Decimal("30"),
        by=user,
    )
    assert [(h.effective_from, h.hours) for h in post.hours.all()] == [
        (dt.date(2024, 5, 1), Decimal("30.00"))
    ]
    assert post.history.first().history_user == user


def test_a_role_not_yet_reimbursable_on_the_start_date_is_refused(pcn, practice):
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, role="gp_assistant", start_date=dt.date(2022, 9, 1))
    assert "could not be claimed before 1 October 2022" in errors(excinfo)["start_date"][0]


def test_a_baseline_post_may_start_before_the_scheme(pcn, practice):
    post = create(pcn, practice, start_date=dt.date(2018, 1, 1), in_post_at_baseline=True)
    assert not post.is_claimable


def test_a_baseline_post_must_have_started_by_31_march_2019(pcn, practice):
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, start_date=dt.date(2019, 7, 1), in_post_at_baseline=True)
    assert "in_post_at_baseline" in errors(excinfo)


def test_a_transferred_baseline_clinical_pharmacist_is_claimable(pcn, practice):
    post = create(
        pcn,
        practice,
        role="clinical_pharmacist",
        registration_number="2081234",
        start_date=dt.date(2018, 6, 1),
        in_post_at_baseline=True,
        transferred_from_national_scheme=True,
    )
    assert post.is_claimable


def test_only_clinical_pharmacists_transfer_from_the_national_scheme(pcn, practice):
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, transferred_from_national_scheme=True)
    assert "transferred_from_national_scheme" in errors(excinfo)


def test_an_end_before_the_start_is_refused(pcn, practice):
    post = create(pcn, practice)
    with pytest.raises(ValidationError) as excinfo:
        services.post_end(post=post, end_date=dt.date(2024, 3, 1), by=None)
    assert "before the start date" in errors(excinfo)["end_date"][0]


def test_hours_above_full_time_are_refused(pcn, practice):
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, hours="40")
    assert "more than full time (37.5 hours)" in errors(excinfo)["hours"][0]
    assert not Post.objects.exists()  # the post is not left behind without hours


def test_gp_sessions_above_nine_are_refused(pcn, practice):
    with pytest.raises(ValidationError) as excinfo:
        create(
            pcn,
            practice,
            role="gp",
            hours="10",
            registration_number="7123456",
            start_date=dt.date(2024, 10, 1),
            cct_date=dt.date(2024, 8, 1),
        )
    assert "more than full time (9 sessions)" in errors(excinfo)["hours"][0]


def test_a_role_needing_registration_requires_the_number(pcn, practice):
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, role="clinical_pharmacist")
    assert "registration number" in errors(excinfo)["registration_number"][0]


def test_a_gp_needs_a_cct_date_and_must_start_within_two_years_of_it(pcn, practice):
    base = dict(role="gp", hours="9", registration_number="7123456")
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, start_date=dt.date(2024, 10, 1), **base)
    assert "cct_date" in errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, start_date=dt.date(2025, 1, 1), cct_date=dt.date(2022, 6, 1), **base)
    assert "within two years" in errors(excinfo)["start_date"][0]


def test_a_gp_in_post_at_the_pcn_before_october_2024_is_not_claimable(pcn, practice):
    post = create(
        pcn,
        practice,
        role="gp",
        hours="6",
        registration_number="7123456",
        start_date=dt.date(2024, 10, 1),
        cct_date=dt.date(2024, 1, 10),
        earlier_post_at_pcn=True,
    )
    assert not post.is_claimable


def test_the_employer_is_a_member_practice_or_a_subcontractor_not_both(pcn, practice):
    with pytest.raises(ValidationError) as excinfo:
        create(
            pcn,
            practice,
            subcontractor_name="Northumberland Wellbeing Trust",
            employing_practice=practice,
        )
    assert "not both" in errors(excinfo)["subcontractor_name"][0]
    post = create(pcn, practice, subcontractor_name="Northumberland Wellbeing Trust")
    assert post.employer == "Northumberland Wellbeing Trust"


def test_the_employing_practice_must_be_a_member_of_the_pcn(pcn, practice):
    outsider = MembershipFactory().practice
    with pytest.raises(ValidationError) as excinfo:
        create(pcn, practice, employing_practice=outsider)
    assert "not a member" in errors(excinfo)["employing_practice"][0]


def test_a_change_of_hours_keeps_past_months_hours(pcn, practice):
    post = create(pcn, practice, hours="37.5")
    services.post_update(post=post, by=None, hours=Decimal("18.75"), hours_from=dt.date(2024, 9, 1))
    assert selectors.hours_on(post, dt.date(2024, 8, 31)) == Decimal("37.5")
    assert selectors.hours_on(post, dt.date(2024, 9, 1)) == Decimal("18.75")


def test_a_corrected_start_date_carries_the_first_hours_with_it(pcn, practice):
    post = create(pcn, practice, start_date=dt.date(2024, 4, 1))
    services.post_update(post=post, by=None, start_date=dt.date(2024, 5, 1))
    assert post.hours.get().effective_from == dt.date(2024, 5, 1)


class TestOverOneWTE:
    june = dt.date(2025, 6, 1)

    def test_one_person_in_two_pcns_adding_up_to_more_than_one_wte_is_flagged(self):
        ours = CommissionerFactory()
        first = PostFactory(
            pcn=PCNFactory(commissioner=ours),
            person_name="Jo Bloggs",
            registration_number="HCP12345",
            hours="30",
        )
        # Their other post is in another commissioner's PCN, recorded with the name spelt
        # differently: the registration number identifies them.
        PostFactory(person_name="Joanne Bloggs", registration_number="hcp12345 ", hours="15")
        flagged = selectors.people_over_one_wte(ours, self.june)
        assert [p.registration_number for p in flagged] == ["HCP12345"]
        assert flagged[0].total_wte == Decimal("1.2")
        assert first.pcn.code in flagged[0].pcn_codes

    def test_people_without_a_registration_number_are_matched_by_name(self):
        ours = CommissionerFactory()
        PostFactory(pcn=PCNFactory(commissioner=ours), person_name="Pat Smith", hours="20")
        PostFactory(pcn=PCNFactory(commissioner=ours), person_name="pat  smith", hours="20")
        assert [p.name for p in selectors.people_over_one_wte(ours, self.june)] == ["Pat Smith"]

    def test_posts_in_different_months_do_not_add_up(self):
        ours = CommissionerFactory()
        PostFactory(
            pcn=PCNFactory(commissioner=ours),
            person_name="Lee Park",
            hours="30",
            start_date=dt.date(2024, 4, 1),
        )
        ended = PostFactory(pcn=PCNFactory(commissioner=ours), person_name="Lee Park", hours="30")
        ended.end_date = dt.date(2025, 5, 31)
        ended.save()
        assert selectors.people_over_one_wte(ours, self.june) == []

    def test_hours_in_force_that_month_are_used(self):
        ours = CommissionerFactory()
        post = PostFactory(pcn=PCNFactory(commissioner=ours), person_name="Kim Lo", hours="37.5")
        PostFactory(pcn=PCNFactory(commissioner=ours), person_name="Kim Lo", hours="10")
        PostHoursFactory(post=post, effective_from=dt.date(2025, 6, 1), hours=Decimal("20"))
        assert selectors.people_over_one_wte(ours, self.june) == []
        assert len(selectors.people_over_one_wte(ours, dt.date(2025, 5, 1))) == 1
