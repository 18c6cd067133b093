"""One factory per referrals model."""

import factory

from referrals import models


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Community Group {n}")
