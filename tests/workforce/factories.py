"""One factory per workforce model."""

import datetime as dt
from decimal import Decimal

import factory

from roles.models import Region
from tests.networks.factories import PCNFactory
from tests.roles.factories import RoleFactory
from workforce import models


class WorkforcePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.WorkforcePlan

    pcn = factory.SubFactory(PCNFactory)
    year = 2025
    version = 1
    status = models.WorkforcePlan.Status.DRAFT


class PlannedPostFactory(factory.django.DjangoModelFactory):
    """A full-time clinical pharmacist (national rates) for the whole of the plan's year."""

    class Meta:
        model = models.PlannedPost

    plan = factory.SubFactory(WorkforcePlanFactory)
    role = factory.LazyFunction(lambda: RoleFactory(code="clinical_pharmacist"))
    hours = Decimal("37.5")
    region = Region.NATIONAL
    start_month = factory.LazyAttribute(lambda o: dt.date(o.plan.year, 4, 1))
