"""The seeded ARRS reference data, and rates that batched claims have used."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from roles import services
from roles.models import EntitlementRate, Rate, ReimbursementPercentage, Role
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, UserFactory
from tests.roles.factories import RateFactory, RoleFactory

pytestmark = pytest.mark.django_db


def test_every_role_in_the_domain_file_is_seeded_with_its_first_reimbursable_date():
    assert Role.objects.count() == 22
    assert Role.objects.get(code="gp").unit == "sessions"
    assert Role.objects.get(code="paramedic").first_reimbursable == dt.date(2021, 4, 1)


def test_every_figure_in_the_domain_file_is_seeded_with_its_provenance_and_basis():
    seeded = Rate.objects.exclude(provenance="derived-uplift")
    assert seeded.count() == 63
    band_copies = seeded.filter(provenance="derived-band")
    assert band_copies.filter(role__code="paramedic", annual_max=Decimal("60401")).exists()
    assert all("band" in r.basis for r in band_copies)
    inferred = seeded.get(role__code="care_coordinator", effective_from=dt.date(2022, 10, 1))
    assert inferred.provenance == "published-date-inferred"
    assert seeded.get(role__code="gp", region="london").annual_max == Decimal("95233")
    for code in ("mental_health_practitioner", "gp_assistant", "digital_transformation_lead"):
        assert not Rate.objects.filter(role__code=code).exists()


def test_general_practice_nurse_maxima_depend_on_band():
    rates = Rate.objects.filter(role__code="general_practice_nurse", provenance="published")
    assert {r.afc_band: r.annual_max for r in rates} == {
        "5": Decimal("43352.00"),
        "6": Decimal("53319.00"),
    }


def test_percentage_exceptions_are_data():
    pharmacist = ReimbursementPercentage.objects.filter(role__code="clinical_pharmacist")
    assert [(p.effective_from, p.percentage) for p in pharmacist.order_by("effective_from")] == [
        (dt.date(2019, 7, 1), Decimal("70.00")),
        (dt.date(2020, 4, 1), Decimal("100.00")),
    ]
    mhp = ReimbursementPercentage.objects.filter(role__code="mental_health_practitioner")
    assert [p.percentage for p in mhp.order_by("effective_from")] == [Decimal(50), Decimal(100)]


def test_only_verified_entitlement_years_are_seeded_with_the_2024_gp_pot():
    assert sorted(EntitlementRate.objects.values_list("year", flat=True)) == [
        2020,
        2023,
        2024,
        2025,
    ]
    year = EntitlementRate.objects.get(year=2024)
    assert year.per_weighted_patient == Decimal("22.894")
    assert year.gp_per_weighted_patient == Decimal("1.303")
    assert (year.gp_pot_from, year.gp_pot_to) == (dt.date(2024, 10, 1), dt.date(2025, 3, 31))
    assert year.label == "2024/25"


def test_a_locked_rate_cannot_be_changed_or_deleted():
    rate = RateFactory(
        role=RoleFactory(code="clinical_pharmacist"), effective_from=dt.date(2026, 4, 1)
    )
    rate.lock()
    assert rate.is_locked
    rate.annual_max = Decimal("1.00")
    with pytest.raises(ValidationError, match="cannot be changed"):
        rate.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        rate.delete()
    rate.refresh_from_db()
    assert rate.annual_max == Decimal("40000.00")


def test_a_correction_to_a_locked_rate_is_a_new_later_row():
    role = RoleFactory(code="clinical_pharmacist")
    RateFactory(role=role, effective_from=dt.date(2026, 4, 1)).lock()
    correction = services.rate_save(
        rate=Rate(role=role, effective_from=dt.date(2026, 5, 1), annual_max=Decimal("70000")),
        by=None,
    )
    assert correction.pk and not correction.is_locked


def test_rate_changes_keep_history_with_who_made_them():
    user = NATIONAL_ADMIN()
    rate = RateFactory(role=RoleFactory(code="dietitian"))
    rate.annual_max = Decimal("41000")
    services.rate_save(rate=rate, by=user)
    assert rate.history.count() == 2
    assert rate.history.first().history_user == user


def test_a_duplicate_rate_for_the_same_role_region_and_date_is_refused():
    with pytest.raises(ValidationError, match="already a rate"):
        services.rate_save(
            rate=Rate(
                role=Role.objects.get(code="clinical_pharmacist"),
                afc_band="7-8a",
                effective_from=dt.date(2024, 10, 1),
                annual_max=Decimal("1"),
            ),
            by=None,
        )


def NATIONAL_ADMIN():  # noqa: N802 - a factory
    return UserFactory(is_superuser=True, is_staff=True)


class TestAdmin:
    def test_a_national_administrator_can_edit_an_unlocked_rate(self, client):
        client.force_login(NATIONAL_ADMIN())
        rate = RateFactory(role=RoleFactory(code="dietitian"))
        response = client.get(reverse("admin:roles_rate_change", args=[rate.pk]))
        assert response.status_code == 200
        assert b'name="annual_max"' in response.content

    def test_a_locked_rate_is_read_only_and_cannot_be_deleted_in_the_admin(self, client):
        client.force_login(NATIONAL_ADMIN())
        rate = RateFactory(role=RoleFactory(code="dietitian"))
        rate.lock()
        response = client.get(reverse("admin:roles_rate_change", args=[rate.pk]))
        assert response.status_code == 200
        assert b'name="annual_max"' not in response.content
        response = client.post(reverse("admin:roles_rate_delete", args=[rate.pk]), {"post": "yes"})
        assert response.status_code == 403
        assert Rate.objects.filter(pk=rate.pk).exists()

    def test_the_bulk_delete_action_refuses_a_selection_with_a_locked_rate(self, client):
        client.force_login(NATIONAL_ADMIN())
        locked = RateFactory(role=RoleFactory(code="dietitian"))
        unlocked = RateFactory(role=RoleFactory(code="podiatrist"))
        locked.lock()
        response = client.post(
            reverse("admin:roles_rate_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [locked.pk, unlocked.pk],
                "post": "yes",
            },
        )
        assert response.status_code == 403
        assert Rate.objects.filter(pk__in=[locked.pk, unlocked.pk]).count() == 2

    def test_pcn_staff_cannot_use_the_rates_admin(self, client):
        user = ClinicalDirectorUserFactory(is_staff=True)
        client.force_login(user)
        response = client.get(reverse("admin:roles_rate_changelist"))
        assert response.status_code in (302, 403)
