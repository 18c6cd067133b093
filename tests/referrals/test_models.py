"""The directory, referrals and the append-only audit log, as stored."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from referrals import models
from tests.referrals.factories import (
    AssignedReferralFactory,
    AuditEventFactory,
    CaseStudyFactory,
    OutcomeMeasurementFactory,
    ReferralFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def test_a_service_not_reviewed_for_over_six_months_is_overdue():
    today = timezone.localdate()
    assert ServiceFactory(last_reviewed=today - dt.timedelta(days=200)).review_overdue
    assert not ServiceFactory(last_reviewed=today - dt.timedelta(days=100)).review_overdue


def test_a_service_age_range_must_be_in_order():
    service = ServiceFactory.build(minimum_age=65, maximum_age=18)
    with pytest.raises(ValidationError, match="maximum age"):
        service.full_clean(exclude=["organisation"])


def test_the_reference_lists_are_seeded_and_editable():
    sources = set(models.ReferralSource.objects.values_list("name", flat=True))
    assert {"Self referral", "Pharmacy", "Police", "Jobcentre"} <= sources
    assert models.ReferralReason.objects.filter(name="Bereavement").exists()


def test_every_model_with_personal_data_names_its_identifying_fields():
    assert {"nhs_number", "given_name", "family_name", "date_of_birth"} <= set(
        models.Referral.PERSONAL_DATA_FIELDS
    )
    for model in (models.Referral, models.Contact, models.OnwardReferral):
        field_names = {f.name for f in model._meta.get_fields()}
        assert set(model.PERSONAL_DATA_FIELDS) <= field_names


def test_a_referral_names_no_one_when_printed():
    referral = ReferralFactory(given_name="Margaret", family_name="Elliot")
    assert "Margaret" not in str(referral) and "Elliot" not in str(referral)


def test_a_referral_needs_consent_in_the_database_too():
    referral = ReferralFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Referral.objects.filter(pk=referral.pk).update(consent_given=False)


def test_an_invalid_nhs_number_is_refused():
    referral = ReferralFactory()
    referral.nhs_number = "943 476 5918"
    with pytest.raises(ValidationError) as error:
        referral.full_clean()
    assert "nhs_number" in error.value.message_dict


def test_ons4_keeps_four_separate_scores_and_no_total():
    measurement = OutcomeMeasurementFactory.build(referral=AssignedReferralFactory(), total=20)
    with pytest.raises(ValidationError) as error:
        measurement.full_clean(exclude=["recorded_by"])
    assert "total" in error.value.message_dict


def test_a_licensed_instrument_keeps_only_the_entered_total():
    measurement = OutcomeMeasurementFactory.build(
        referral=AssignedReferralFactory(),
        instrument=models.Instrument.WEMWBS,
        life_satisfaction=None,
        worthwhile=None,
        happy=None,
        anxious=None,
        total=None,
    )
    with pytest.raises(ValidationError, match="licensed user"):
        measurement.full_clean(exclude=["recorded_by"])


def test_ons4_scores_above_ten_are_refused():
    measurement = OutcomeMeasurementFactory.build(referral=AssignedReferralFactory(), happy=11)
    with pytest.raises(ValidationError) as error:
        measurement.full_clean(exclude=["recorded_by"])
    assert "happy" in error.value.message_dict


def test_a_case_study_carrying_an_nhs_number_is_refused():
    case_study = CaseStudyFactory.build(story="Mr X (943 476 5919) joined the men's shed.")
    with pytest.raises(ValidationError, match="anonymous"):
        case_study.full_clean(exclude=["pcn", "created_by"])


def test_audit_events_cannot_be_changed_or_deleted():
    event = AuditEventFactory()
    event.detail = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        models.AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        models.AuditEvent.objects.update(detail="tampered")
    assert models.AuditEvent.objects.get().detail == ""
