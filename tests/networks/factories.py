"""One factory per networks model."""

import datetime as dt
from decimal import Decimal

import factory

from networks import models


class CommissionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Commissioner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n % 100:02d}{chr(65 + n // 100 % 26)}")
    name = factory.LazyAttribute(lambda o: f"NHS Test Sub-ICB Location {o.code}")


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Practice
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Z{n:05d}")
    name = factory.Sequence(lambda n: f"Test Surgery {n}")
    commissioner = factory.SubFactory(CommissionerFactory)
    postcode = "LS1 1AA"


class PCNFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PCN
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Test {n} PCN")
    commissioner = factory.SubFactory(CommissionerFactory)
    open_date = dt.date(2019, 7, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    practice = factory.SubFactory(
        PracticeFactory, commissioner=factory.SelfAttribute("..pcn.commissioner")
    )
    pcn = factory.SubFactory(PCNFactory)
    start_date = dt.date(2019, 7, 1)


class ListSizeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ListSize

    practice = factory.SubFactory(PracticeFactory)
    date = dt.date(2024, 1, 1)
    registered_patients = 10_000
    weighted_patients = Decimal("10500.00")


class NetworkAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NetworkAgreement

    pcn = factory.SubFactory(PCNFactory)
    signed_date = dt.date(2019, 6, 30)
    schedules_completed = True


class NominatedPayeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NominatedPayee

    pcn = factory.SubFactory(PCNFactory)
    practice = factory.SubFactory(PracticeFactory)
    start_date = dt.date(2019, 7, 1)


class ClinicalDirectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ClinicalDirector

    pcn = factory.SubFactory(PCNFactory)
    name = factory.Sequence(lambda n: f"Dr Test Director {n}")
    professional_registration = factory.Sequence(lambda n: f"{7000000 + n}")
    is_gp = True
    start_date = dt.date(2019, 7, 1)
