"""One factory per reimbursement model. Claims and lines made here skip the services, for
setting up states; tests of behaviour go through services.py."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import factory
import pytest
from django.utils import timezone

from reimbursement import models, services
from tests.networks.factories import MembershipFactory, NominatedPayeeFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
)
from tests.roles.factories import PostFactory, RoleFactory


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Claim

    pcn = factory.SubFactory(PCNFactory)
    month = dt.date(2025, 6, 1)
    kind = models.Claim.Kind.NORMAL


class ClaimLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ClaimLine

    claim = factory.SubFactory(ClaimFactory)
    post = factory.SubFactory(PostFactory, pcn=factory.SelfAttribute("..claim.pcn"))
    hours = factory.LazyAttribute(lambda o: o.post.role.full_time)


class ApprovedClaimLineFactory(ClaimLineFactory):
    """An approved line with its amount, as a batch finds it (set up directly, not through the
    review services)."""

    claim = factory.SubFactory(ClaimFactory, status=models.Claim.Status.APPROVED)
    status = models.ClaimLine.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
    reimbursable = Decimal("1000.00")


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Batch

    commissioner = factory.SubFactory("tests.networks.factories.CommissionerFactory")
    month = dt.date(2025, 6, 1)
    reference = factory.LazyAttribute(
        lambda o: models.Batch.reference_for(o.commissioner.code, o.month)
    )
    built_at = factory.LazyFunction(timezone.now)


class BatchPayeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BatchPayee

    batch = factory.SubFactory(BatchFactory)
    pcn = factory.SubFactory(PCNFactory, commissioner=factory.SelfAttribute("..batch.commissioner"))
    amount = Decimal("1000.00")
    line_count = 1


class BatchLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BatchLine

    batch = factory.SubFactory(BatchFactory)
    line = factory.SubFactory(ApprovedClaimLineFactory)
    pcn = factory.SelfAttribute("line.claim.pcn")
    claim_month = factory.SelfAttribute("line.claim.month")
    amount = factory.SelfAttribute("line.reimbursable")


class BatchRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BatchRun

    commissioner = factory.SubFactory("tests.networks.factories.CommissionerFactory")
    month = dt.date(2025, 6, 1)


# Shared set-up for the claim tests: a PCN with its payee practice and one user per persona.
# Imported as fixtures by the test modules (pytest finds fixtures imported into a module).
@dataclass
class ClaimWorld:
    pcn: object
    payee_practice: object
    pharmacist: object
    link_worker_post: object
    practice_manager: object
    other_practice_manager: object
    director: object
    other_director: object
    reviewer: object
    other_reviewer: object
    link_worker: object


JUNE = dt.date(2025, 6, 1)


@pytest.fixture
def world(db) -> ClaimWorld:
    pcn = PCNFactory()
    payee = MembershipFactory(pcn=pcn).practice
    other = MembershipFactory(pcn=pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=payee, start_date=dt.date(2019, 7, 1))
    pharmacist = PostFactory(
        pcn=pcn,
        role=RoleFactory(code="clinical_pharmacist"),
        person_name="Priya Shah",
        registration_number="2051234",
        employing_practice=payee,
        hours=Decimal("30"),
    )
    link_worker_post = PostFactory(
        pcn=pcn, person_name="Tom Robson", employing_practice=payee, start_date=dt.date(2025, 6, 16)
    )
    return ClaimWorld(
        pcn=pcn,
        payee_practice=payee,
        pharmacist=pharmacist,
        link_worker_post=link_worker_post,
        practice_manager=PracticeManagerFactory(practice=payee),
        other_practice_manager=PracticeManagerFactory(practice=other),
        director=ClinicalDirectorUserFactory(pcn=pcn),
        other_director=ClinicalDirectorUserFactory(),
        reviewer=CommissionerStaffFactory(commissioner=pcn.commissioner),
        other_reviewer=CommissionerStaffFactory(),
        link_worker=LinkWorkerUserFactory(pcn=pcn),
    )


# Costs of the arrs.md worked example: clinical pharmacist, June 2025, 0.8 WTE, £4,465.80.
PHARMACIST_COSTS = {
    "salary": Decimal("3500.00"),
    "employer_ni": Decimal("465.80"),
    "employer_pension": Decimal("500.00"),
}
LINK_WORKER_COSTS = {
    "salary": Decimal("1200.00"),
    "employer_ni": Decimal("120.00"),
    "employer_pension": Decimal("172.56"),
}


def filled_claim(world: ClaimWorld, month: dt.date = JUNE):
    """A draft claim with every line's costs entered, made through the services."""
    claim = services.claim_create(pcn=world.pcn, month=month, by=world.director)
    for line in claim.lines.select_related("post"):
        costs = PHARMACIST_COSTS if line.post == world.pharmacist else LINK_WORKER_COSTS
        services.claim_line_update(line=line, by=world.director, **costs)
    return claim


def submitted_claim(world: ClaimWorld, month: dt.date = JUNE):
    claim = filled_claim(world, month)
    return services.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )


# Payment batches: a commissioner's June 2025 batch built through reimbursement.batches, with
# two PCNs paid to their nominated payee practices, a late line and an adjustment, and one user
# per persona. Amounts have odd pence so a total that is off by a penny shows.
@dataclass
class BatchWorld:
    batch: object
    commissioner: object
    pcn: object
    payee_practice: object
    other_pcn: object
    other_payee_practice: object
    reviewer: object
    other_reviewer: object
    director: object
    other_director: object
    outside_director: object
    practice_manager: object
    other_practice_manager: object
    link_worker: object
    community_user: object


BATCH_MONTH = dt.date(2025, 6, 1)
PCN_AMOUNT = Decimal("2655.55")  # 1234.56 + 987.65 + 333.33 (late, May) + 100.01 (adjustment)
OTHER_PCN_AMOUNT = Decimal("2500.01")  # 2500.00 + 0.01
BATCH_TOTAL = PCN_AMOUNT + OTHER_PCN_AMOUNT


def add_approved_lines(claim, count: int, *, amount=Decimal("10.01"), practice=None):
    """More approved lines on an approved claim, each for its own post."""
    post = {"post__employing_practice": practice} if practice else {}
    return [
        ApprovedClaimLineFactory(claim=claim, reimbursable=amount, **post) for _ in range(count)
    ]


def make_batch_world(*, extra_lines: int = 0) -> BatchWorld:
    from reimbursement import batches
    from tests.pcn_admin.factories import CommunityOrganisationUserFactory

    pcn = PCNFactory(name="Coquet Valley PCN")
    other_pcn = PCNFactory(commissioner=pcn.commissioner)
    payee = MembershipFactory(pcn=pcn).practice
    other_payee = MembershipFactory(pcn=other_pcn).practice
    NominatedPayeeFactory(pcn=pcn, practice=payee)
    NominatedPayeeFactory(pcn=other_pcn, practice=other_payee)

    approved = models.Claim.Status.APPROVED
    june = ClaimFactory(pcn=pcn, month=BATCH_MONTH, status=approved)
    ApprovedClaimLineFactory(
        claim=june,
        reimbursable=Decimal("1234.56"),
        wte=Decimal("0.800000"),
        days_in_post=30,
        post__person_name="Priya Shah",
        post__employing_practice=payee,
    )
    corrected = ApprovedClaimLineFactory(
        claim=june,
        reimbursable=Decimal("987.65"),
        post__person_name="Tom Robson",
        post__employing_practice=payee,
    )
    adjustment = ClaimFactory(
        pcn=pcn, month=BATCH_MONTH, status=approved, kind="adjustment", original=june
    )
    ApprovedClaimLineFactory(
        claim=adjustment,
        post=corrected.post,
        original_line=corrected,
        reimbursable=Decimal("1087.66"),
    )
    may = ClaimFactory(pcn=pcn, month=dt.date(2025, 5, 1), status=approved)
    ApprovedClaimLineFactory(
        claim=may,
        reimbursable=Decimal("333.33"),
        post__person_name="Ann Mayhew",
        post__employing_practice=payee,
    )
    add_approved_lines(june, extra_lines, amount=Decimal("0.00"), practice=payee)
    other_june = ClaimFactory(pcn=other_pcn, month=BATCH_MONTH, status=approved)
    ApprovedClaimLineFactory(
        claim=other_june, reimbursable=Decimal("2500.00"), post__employing_practice=other_payee
    )
    ApprovedClaimLineFactory(
        claim=other_june, reimbursable=Decimal("0.01"), post__employing_practice=other_payee
    )
    batch = batches.batch_build(commissioner_id=pcn.commissioner_id, month=BATCH_MONTH).batch
    return BatchWorld(
        batch=batch,
        commissioner=pcn.commissioner,
        pcn=pcn,
        payee_practice=payee,
        other_pcn=other_pcn,
        other_payee_practice=other_payee,
        reviewer=CommissionerStaffFactory(commissioner=pcn.commissioner),
        other_reviewer=CommissionerStaffFactory(),
        director=ClinicalDirectorUserFactory(pcn=pcn),
        other_director=ClinicalDirectorUserFactory(pcn=other_pcn),
        outside_director=ClinicalDirectorUserFactory(),
        practice_manager=PracticeManagerFactory(practice=payee),
        other_practice_manager=PracticeManagerFactory(practice=MembershipFactory(pcn=pcn).practice),
        link_worker=LinkWorkerUserFactory(pcn=pcn),
        community_user=CommunityOrganisationUserFactory(),
    )


class PayrollUploadFactory(factory.django.DjangoModelFactory):
    """A payroll file received for a claim (its rows as reimbursement.payroll reads them)."""

    class Meta:
        model = models.PayrollUpload

    claim = factory.SubFactory(ClaimFactory)
    file_name = "payroll.csv"
    file_format = models.PayrollUpload.Format.CSV
    rows = factory.LazyFunction(list)
