"""One factory per referrals model."""

import datetime as dt

import factory

from referrals import models
from referrals.validators import nhs_number_check_digit
from tests.networks.factories import MembershipFactory, PCNFactory
from tests.pcn_admin.factories import LinkWorkerUserFactory


def test_nhs_number(n: int) -> str:
    """The n-th never-issued NHS number (999 range) that passes the modulus 11 check."""
    found = -1
    for candidate in range(999_000_000, 1_000_000_000):
        check = nhs_number_check_digit(str(candidate))
        if check is not None:
            found += 1
            if found == n:
                return f"{candidate}{check}"
    raise ValueError("ran out of test NHS numbers")


test_nhs_number.__test__ = False  # not a pytest test


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Community Group {n}")
    email = factory.Sequence(lambda n: f"hello{n}@group.example.org")
    phone = "01670 000000"


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Taxonomy
        django_get_or_create = ("name",)

    name = "Social prescribing activities"


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    name = factory.Sequence(lambda n: f"Activity {n}")
    code = factory.Sequence(lambda n: f"act-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Walking group {n}")
    description = "A gentle weekly walk with a cuppa afterwards."
    minimum_age = 18
    areas_served = "Blyth"
    phone = "01670 111111"


class ReferralSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReferralSource
        django_get_or_create = ("name",)

    name = "Primary care (GP practice)"


class ReferralReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReferralReason
        django_get_or_create = ("name",)

    name = "Loneliness and social isolation"


class ReferralFactory(factory.django.DjangoModelFactory):
    """A received referral in a PCN, with its practice a current member of that PCN."""

    class Meta:
        model = models.Referral
        skip_postgeneration_save = True

    given_name = factory.Sequence(lambda n: f"Alex{n}")
    family_name = factory.Sequence(lambda n: f"Testperson{n}")
    nhs_number = factory.Sequence(test_nhs_number)
    date_of_birth = dt.date(1950, 5, 17)
    phone = "07700 900123"
    pcn = factory.SubFactory(PCNFactory)
    practice = factory.LazyAttribute(lambda o: MembershipFactory(pcn=o.pcn).practice)
    source = factory.SubFactory(ReferralSourceFactory)
    consent_given = True
    received_on = factory.LazyFunction(dt.date.today)

    @factory.post_generation
    def reasons(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.reasons.set(extracted or [ReferralReasonFactory()])


class AssignedReferralFactory(ReferralFactory):
    link_worker = factory.SubFactory(LinkWorkerUserFactory, pcn=factory.SelfAttribute("..pcn"))


class ReferralStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReferralStatusChange

    referral = factory.SubFactory(ReferralFactory)
    from_status = ""
    to_status = models.Status.RECEIVED


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contact

    referral = factory.SubFactory(AssignedReferralFactory)
    kind = models.Contact.Kind.PHONE
    duration_minutes = 30
    date = factory.LazyFunction(dt.date.today)
    recorded_by = factory.LazyAttribute(
        lambda o: o.referral.link_worker or LinkWorkerUserFactory(pcn=o.referral.pcn)
    )


class OnwardReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OnwardReferral

    referral = factory.SubFactory(AssignedReferralFactory)
    service = factory.SubFactory(ServiceFactory)
    consent_to_share = True
    message = "Would like company on walks; uses a stick."
    created_by = factory.LazyAttribute(
        lambda o: o.referral.link_worker or LinkWorkerUserFactory(pcn=o.referral.pcn)
    )


class OutcomeMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OutcomeMeasurement

    referral = factory.SubFactory(AssignedReferralFactory)
    instrument = models.Instrument.ONS4
    time_point = models.OutcomeMeasurement.TimePoint.BASELINE
    life_satisfaction = 4
    worthwhile = 5
    happy = 3
    anxious = 7
    recorded_by = factory.LazyAttribute(
        lambda o: o.referral.link_worker or LinkWorkerUserFactory(pcn=o.referral.pcn)
    )


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CaseStudy

    pcn = factory.SubFactory(PCNFactory)
    title = "Back out walking"
    story = "After a bereavement, a man in his seventies joined a walking group."
    consent_given = True
    created_by = factory.SubFactory(LinkWorkerUserFactory, pcn=factory.SelfAttribute("..pcn"))


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AuditEvent

    action = models.AuditEvent.Action.VIEW
    model = "referrals.Referral"
    record_id = "1"
