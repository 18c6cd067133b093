"""One factory per roles model. Roles, rates and percentages are seeded by a data migration,
so RoleFactory returns the seeded row for a known code."""

import datetime as dt
from decimal import Decimal

import factory

from roles import models
from tests.networks.factories import MembershipFactory, PCNFactory


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Role
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test_role_{n}")
    name = factory.Sequence(lambda n: f"Test role {n}")
    first_reimbursable = dt.date(2020, 4, 1)
    afc_band = "5"


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Rate

    role = factory.SubFactory(RoleFactory)
    region = models.Region.NATIONAL
    effective_from = dt.date(2020, 4, 1)
    annual_max = Decimal("40000.00")
    provenance = models.Provenance.PUBLISHED
    basis = "Test figure."


class ReimbursementPercentageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReimbursementPercentage

    role = factory.SubFactory(RoleFactory)
    effective_from = dt.date(2020, 4, 1)
    percentage = Decimal("100")


class EntitlementRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EntitlementRate
        django_get_or_create = ("year",)

    year = 2030
    per_weighted_patient = Decimal("30.000")
    provenance = models.Provenance.PUBLISHED


class PostFactory(factory.django.DjangoModelFactory):
    """A full-time post employed by a member practice of its PCN (37.5 hours from its start)."""

    class Meta:
        model = models.Post
        skip_postgeneration_save = True

    pcn = factory.SubFactory(PCNFactory)
    role = factory.LazyFunction(lambda: RoleFactory(code="social_prescribing_link_worker"))
    person_name = factory.Sequence(lambda n: f"Test Person {n}")
    employing_practice = factory.LazyAttribute(lambda o: MembershipFactory(pcn=o.pcn).practice)
    start_date = dt.date(2024, 4, 1)

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            PostHoursFactory(
                post=obj,
                effective_from=obj.start_date,
                hours=Decimal(extracted) if extracted is not None else obj.role.full_time,
            )


class PostHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PostHours

    post = factory.SubFactory(PostFactory, hours=False)
    effective_from = factory.SelfAttribute("post.start_date")
    hours = Decimal("37.5")
