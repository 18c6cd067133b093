"""One factory per model of PCN development funding."""

import datetime as dt
from decimal import Decimal

import factory

from development import calculations, models
from tests.networks.factories import CommissionerFactory, MembershipFactory, PCNFactory
from tests.roles.factories import RoleFactory

YEAR = 2025  # 2025/26: past, so backfill dated in it is not in the future


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Allocation

    commissioner = factory.SubFactory(CommissionerFactory)
    name = factory.Sequence(lambda n: f"PCN development support {n}")
    source = "Test ICS"
    year = YEAR
    amount = Decimal("100000.00")


class EarmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Earmark

    allocation = factory.SubFactory(AllocationFactory)
    name = factory.Sequence(lambda n: f"Earmark {n}")
    amount = Decimal("10000.00")


class CommitmentFactory(factory.django.DjangoModelFactory):
    """A commitment to a PCN of the allocation's commissioner."""

    class Meta:
        model = models.Commitment

    allocation = factory.SubFactory(AllocationFactory)
    pcn = factory.LazyAttribute(lambda o: PCNFactory(commissioner=o.allocation.commissioner))
    description = factory.Sequence(lambda n: f"Development work {n}")
    domain = models.Domain.ORGANISATIONAL
    amount = Decimal("5000.00")


class BackfillCommitmentFactory(CommitmentFactory):
    domain = models.Domain.BACKFILL
    description = "Backfill for practices"


class SpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Spend

    commitment = factory.SubFactory(CommitmentFactory)
    amount = Decimal("100.00")
    date = dt.date(YEAR, 9, 1)


class BackfillClaimFactory(factory.django.DjangoModelFactory):
    """A claim awaiting review from a member practice of the commitment's PCN."""

    class Meta:
        model = models.BackfillClaim

    commitment = factory.SubFactory(BackfillCommitmentFactory)
    pcn = factory.SelfAttribute("commitment.pcn")
    practice = factory.LazyAttribute(lambda o: MembershipFactory(pcn=o.pcn).practice)
    person_name = factory.Sequence(lambda n: f"Dr Backfilled {n}")
    activity = "Maturity matrix workshop"
    date = dt.date(YEAR, 9, 18)
    hours = Decimal("3.50")
    hourly_rate = Decimal("90.00")
    amount = factory.LazyAttribute(lambda o: calculations.backfill_amount(o.hours, o.hourly_rate))


class BaselinePostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BaselinePost

    pcn = factory.SubFactory(PCNFactory)
    role = factory.LazyFunction(lambda: RoleFactory(code="paramedic"))
    wte = Decimal("2.00")
    start_date = dt.date(2018, 10, 1)
