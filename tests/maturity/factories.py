"""One factory per maturity model, and the 2019 matrix the migrations seed."""

import datetime as dt

import factory

from maturity import models
from tests.networks.factories import CommissionerFactory, PCNFactory


def matrix_2019() -> models.MatrixVersion:
    """The version the data migration seeds: five domains, foundation and steps 1 to 3."""
    return models.MatrixVersion.objects.get(name="PCN maturity matrix 2019")


class MatrixVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MatrixVersion

    name = factory.Sequence(lambda n: f"Test matrix {n}")
    date = dt.date(2023, 4, 1)
    status = models.MatrixVersion.Status.IN_USE


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Stage

    version = factory.SubFactory(MatrixVersionFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Stage {n}")


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Domain

    version = factory.SubFactory(MatrixVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Domain {n}")


class DescriptorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Descriptor

    domain = factory.SubFactory(DomainFactory)
    stage = factory.SubFactory(StageFactory, version=factory.SelfAttribute("..domain.version"))
    text = ""


class AssessmentRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AssessmentRound

    commissioner = factory.SubFactory(CommissionerFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    date = dt.date(2019, 11, 29)
    matrix_version = factory.LazyFunction(matrix_2019)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assessment

    round = factory.SubFactory(AssessmentRoundFactory)
    pcn = factory.SubFactory(PCNFactory, commissioner=factory.SelfAttribute("..round.commissioner"))


class DomainRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DomainRating

    assessment = factory.SubFactory(AssessmentFactory)
    domain = factory.LazyAttribute(lambda o: o.assessment.round.matrix_version.domains.first())
    stage = None


class ExpectationStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ExpectationStatus

    pcn = factory.SubFactory(PCNFactory)
    expectation = factory.LazyFunction(
        lambda: models.Expectation.objects.get(key="five-year-journey")
    )
    status = models.ExpectationStatus.Status.IN_PROGRESS


def maturity_forms(pcn) -> list:
    """One of each maturity form, for tests/pcn_admin/test_plain_errors.py."""
    from maturity import forms
    from networks.models import PCN, Commissioner

    version = matrix_2019()
    domain = version.domains.first()
    stages = list(version.stages.order_by("position"))
    return [
        forms.RoundForm(
            commissioners=Commissioner.objects.filter(pk=pcn.commissioner_id),
            pcns=PCN.objects.filter(pk=pcn.pk),
        ),
        forms.RatingForm(domain=domain, stages=stages),
        forms.SystemViewForm(),
        forms.SystemRatingForm(domain=domain, stages=stages),
        forms.ExpectationForm(expectation=models.Expectation.objects.first()),
    ]
