"""Rules the database itself enforces, whatever way the data comes in."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from networks.models import PCN, Membership
from tests.networks.factories import (
    ClinicalDirectorFactory,
    CommissionerFactory,
    MembershipFactory,
    PCNFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db


def test_a_practice_cannot_have_two_current_pcns():
    membership = MembershipFactory()
    other = PCNFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            practice=membership.practice, pcn=other, start_date=dt.date(2024, 4, 1)
        )


def test_ended_memberships_are_kept_as_history_beside_the_current_one():
    practice = PracticeFactory()
    old, new = PCNFactory(), PCNFactory()
    Membership.objects.create(
        practice=practice, pcn=old, start_date=dt.date(2019, 7, 1), end_date=dt.date(2022, 3, 31)
    )
    Membership.objects.create(practice=practice, pcn=new, start_date=dt.date(2022, 4, 1))
    assert Membership.objects.on(dt.date(2021, 1, 1)).get(practice=practice).pcn == old
    assert Membership.objects.on(dt.date(2023, 1, 1)).get(practice=practice).pcn == new


def test_codes_are_stored_upper_case_and_validated():
    commissioner = CommissionerFactory(code="00l")
    assert commissioner.code == "00L"
    pcn = PCN(code="u1234", name="Bad", commissioner=commissioner, open_date=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as error:
        pcn.full_clean()
    assert "U and five digits" in str(error.value)


def test_only_one_current_clinical_director():
    director = ClinicalDirectorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicalDirectorFactory(pcn=director.pcn)


def test_clinical_director_must_be_a_gp_when_the_commissioner_says_so():
    director = ClinicalDirectorFactory.build(pcn=PCNFactory(), is_gp=False)
    with pytest.raises(ValidationError, match="requires the clinical director to be a GP"):
        director.full_clean()
    director.pcn.commissioner.clinical_director_must_be_gp = False
    director.full_clean()
