"""The authorization matrix's world and how it is asked (tests/test_authorization_matrix.py).

The world: two areas, A and B, with one of every kind of record and a user of every role.

Area A is the users' own: commissioner A, its PCNs A1 and A2; the clinical director, practice
manager (of A1's nominated payee) and link worker all belong to A1. Area B (commissioner B, PCN
B1) is foreign to everyone but the superuser. Each record of B carries a string that no
response to a user of A may contain (its `markers`).

How it is asked: a `Rule` says who may, an `Entry` how to reach a URL or operation with a
record of either area; `exchange` makes one request in a savepoint that is rolled back, and
`answer` says what the response amounts to.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from development import services as development_services
from maturity import services as maturity_services
from maturity.models import Expectation, MatrixVersion
from networks.models import ImportRecord
from pcn_admin.templatetags.nhs_format import nhs_number as nhs_number_shown
from referrals.models import AuditEvent, OnwardReferral, Taxonomy
from reimbursement import services
from reimbursement.models import (
    Claim,
    ClaimLine,
    DeclaredPayment,
    PaymentStream,
    ReportedPayment,
    ReportedPaymentImport,
    StreamRate,
)
from roles.models import EntitlementRate, Rate, ReimbursementPercentage, Role
from tests.claim_cycle.factories import (
    ClaimWindowFactory,
    FinanceLayoutColumnFactory,
    FinanceLayoutFactory,
    ReminderMessageFactory,
)
from tests.evidence.factories import AttachmentFactory, EvidenceSettingFactory
from tests.networks.factories import (
    ClinicalDirectorFactory,
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    NetworkAgreementFactory,
    NominatedPayeeFactory,
    PCNFactory,
    PracticeFactory,
)
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.referrals.factories import (
    AssignedReferralFactory,
    AuditEventFactory,
    CaseStudyFactory,
    ContactFactory,
    OnwardReferralFactory,
    OrganisationFactory,
    OutcomeMeasurementFactory,
    ReferralReasonFactory,
    ReferralSourceFactory,
    ServiceFactory,
    TaxonomyTermFactory,
    test_nhs_number,
)
from tests.reimbursement.factories import (
    ApprovedClaimLineFactory,
    BatchFactory,
    BatchLineFactory,
    BatchPayeeFactory,
    BatchRunFactory,
    ClaimFactory,
    ClaimLineFactory,
    PayrollUploadFactory,
)
from tests.roles.factories import PostFactory
from tests.workforce.factories import PlannedPostFactory, WorkforcePlanFactory

# The roles asked about, in the order failures are listed. "anonymous" is nobody signed in.
ROLES = (
    "anonymous",
    "superuser",
    "commissioner",
    "director",
    "practice",
    "link_worker",
    "organisation",
)

DRAFT_MONTH = dt.date(2025, 6, 1)
SUBMITTED_MONTH = dt.date(2025, 5, 1)
BATCH_MONTH = dt.date(2025, 4, 1)


@dataclass
class Area:
    """One commissioner's records; `pcn` is the PCN the area's users belong to."""

    commissioner: object
    pcn: object
    other_pcn: object | None
    payee_practice: object
    other_practice: object
    nominated_payee: object
    list_size: object
    post: object
    draft_claim: object
    draft_line: object
    submitted_claim: object
    submitted_line: object
    batch: object
    batch_payee: object
    batch_run: object
    referral: object
    onward_referral: object
    organisation: object
    service: object
    case_study: object
    audit_event: object
    director: object
    link_worker: object
    claim_window: object
    finance_layout: object
    reminder_message: object  # a reminder sent to the PCN's clinical director
    submitted_plan: object  # workforce plan 2025/26, version 1, submitted
    workforce_plan: object  # version 2, a draft
    planned_post: object  # on the draft
    attachment: object  # evidence on the draft line
    payroll_upload: object  # a payroll file received for the draft claim
    evidence_setting: object
    # PCN development (maturity): filled in by _maturity once both areas exist.
    maturity_round: object = None  # a self-assessment round of the area's PCN, open
    assessment: object = None  # the PCN's assessment in it, a draft
    # PCN development funding: filled in by _development once both areas exist.
    allocation: object = None  # the commissioner's development funding
    commitment: object = None  # backfill funding committed to the area's PCN
    backfill_claim: object = None  # the payee practice's claim, awaiting review
    baseline_post: object = None  # a post the commissioner funds outside ARRS
    # Payment streams: filled in by _declared once both areas exist.
    declared_payment: object = None  # an IIF amount for the area's PCN, awaiting review


@dataclass
class MatrixWorld:
    own: Area
    foreign: Area
    users: dict  # role -> user (None for anonymous)
    shared: dict = field(default_factory=dict)  # records of no area: reference data, security
    markers: dict = field(default_factory=dict)  # role -> strings no response may contain

    def user(self, role: str):
        return self.users[role]


def _area(letter: str, code: str, name: str, pcn_code: str, practice_code: str) -> Area:
    commissioner = CommissionerFactory(code=code, name=f"NHS {name} Sub-ICB Location")
    pcn = PCNFactory(code=pcn_code, name=f"{name} Central PCN", commissioner=commissioner)
    other_pcn = None
    if letter == "A":
        other_pcn = PCNFactory(code="U91002", name=f"{name} South PCN", commissioner=commissioner)
        MembershipFactory(
            pcn=other_pcn,
            practice=PracticeFactory(code="Y91021", commissioner=commissioner),
        )
        NominatedPayeeFactory(pcn=other_pcn, practice=other_pcn.memberships.get().practice)
    payee = PracticeFactory(
        code=practice_code, name=f"{name} Payee Surgery", commissioner=commissioner
    )
    other = PracticeFactory(
        code=practice_code[:-1] + "2", name=f"{name} Member Surgery", commissioner=commissioner
    )
    for practice in (payee, other):
        MembershipFactory(pcn=pcn, practice=practice)
    nominated_payee = NominatedPayeeFactory(pcn=pcn, practice=payee)
    NetworkAgreementFactory(pcn=pcn)
    ClinicalDirectorFactory(pcn=pcn, name=f"Dr {name} Director", practice=payee)
    list_size = ListSizeFactory(practice=payee, date=dt.date(2025, 1, 1))
    ListSizeFactory(practice=other, date=dt.date(2025, 1, 1))

    post = PostFactory(
        pcn=pcn,
        person_name=f"{name}post Person",
        employing_practice=payee,
        start_date=dt.date(2024, 4, 1),
    )
    director = ClinicalDirectorUserFactory(username=f"matrix-{letter.lower()}-director", pcn=pcn)
    draft_claim = ClaimFactory(pcn=pcn, month=DRAFT_MONTH, created_by=director)
    draft_line = ClaimLineFactory(claim=draft_claim, post=post)
    # Costs entered, so a submit that got through would change the claim.
    services.claim_line_update(
        line=draft_line,
        by=director,
        salary=Decimal("2000.00"),
        employer_ni=Decimal("200.00"),
        employer_pension=Decimal("300.00"),
    )
    submitted_claim = ClaimFactory(
        pcn=pcn,
        month=SUBMITTED_MONTH,
        status=Claim.Status.SUBMITTED,
        created_by=director,
        submitted_at=timezone.now(),
        submitted_by=director,
        declared_additional=True,
        declared_costs_paid=True,
    )
    submitted_line = ClaimLineFactory(
        claim=submitted_claim,
        post=post,
        salary=Decimal("2000.00"),
        employer_ni=Decimal("200.00"),
        employer_pension=Decimal("300.00"),
        reimbursable=Decimal("2500.00"),
        status=ClaimLine.Status.PENDING,
    )

    paid_claim = ClaimFactory(
        pcn=pcn, month=BATCH_MONTH, status=Claim.Status.APPROVED, created_by=director
    )
    paid_line = ApprovedClaimLineFactory(claim=paid_claim, post=post)
    batch = BatchFactory(
        commissioner=commissioner,
        month=BATCH_MONTH,
        total=paid_line.reimbursable,
        line_count=1,
    )
    BatchLineFactory(batch=batch, line=paid_line)
    batch_payee = BatchPayeeFactory(
        batch=batch,
        pcn=pcn,
        payee_practice=payee,
        payee_name=payee.name,
        amount=paid_line.reimbursable,
    )
    batch_run = BatchRunFactory(commissioner=commissioner, month=BATCH_MONTH, batch=batch)

    link_worker = LinkWorkerUserFactory(username=f"matrix-{letter.lower()}-link-worker", pcn=pcn)
    referral = AssignedReferralFactory(
        pcn=pcn,
        practice=payee,
        link_worker=link_worker,
        given_name=f"{name}given",
        family_name=f"{name}person",
        nhs_number=test_nhs_number(900 + ord(letter)),
        source=ReferralSourceFactory(),
        reasons=[ReferralReasonFactory()],
    )
    ContactFactory(referral=referral)
    OutcomeMeasurementFactory(referral=referral)
    # Directory entries are shared by every area; only the organisation's staff are its own.
    organisation = OrganisationFactory(name=f"Friends of the {letter} Valley")
    service = ServiceFactory(
        organisation=organisation,
        name=f"{letter} Valley walking group",
        address=f"1 Valley Road\n{letter} Valley",  # a location, for the feed's pages of one
        postcode="NE1 1AA",
    )
    service.taxonomy_terms.set([TaxonomyTermFactory()])
    onward = OnwardReferralFactory(referral=referral, service=service, created_by=link_worker)
    case_study = CaseStudyFactory(pcn=pcn, created_by=link_worker, title=f"{name} story")
    audit_event = AuditEventFactory(
        model="referrals.Referral",
        record_id=str(referral.pk),
        user=link_worker,
        username=link_worker.username,
    )
    attachment = AttachmentFactory(line=draft_line, original_name=f"{name} payslip.pdf")
    payroll_upload = PayrollUploadFactory(claim=draft_claim, file_name=f"{name} payroll.csv")
    evidence_setting = EvidenceSettingFactory(commissioner=commissioner, required="none")
    submitted_plan = WorkforcePlanFactory(
        pcn=pcn, year=2025, status="submitted", submitted_by=director
    )
    PlannedPostFactory(plan=submitted_plan)
    workforce_plan = WorkforcePlanFactory(pcn=pcn, year=2025, version=2, created_by=director)
    planned_post = PlannedPostFactory(plan=workforce_plan)
    claim_window = ClaimWindowFactory(commissioner=commissioner)
    finance_layout = FinanceLayoutFactory(commissioner=commissioner)
    FinanceLayoutColumnFactory(layout=finance_layout, position=1)
    reminder_message = ReminderMessageFactory(
        commissioner=commissioner, pcn=pcn, recipient=director, subject=f"{name} batch paid"
    )
    return Area(
        commissioner=commissioner,
        pcn=pcn,
        other_pcn=other_pcn,
        payee_practice=payee,
        other_practice=other,
        nominated_payee=nominated_payee,
        list_size=list_size,
        post=post,
        draft_claim=draft_claim,
        draft_line=draft_line,
        submitted_claim=submitted_claim,
        submitted_line=submitted_line,
        batch=batch,
        batch_payee=batch_payee,
        batch_run=batch_run,
        referral=referral,
        onward_referral=onward,
        organisation=organisation,
        service=service,
        case_study=case_study,
        audit_event=audit_event,
        director=director,
        link_worker=link_worker,
        claim_window=claim_window,
        finance_layout=finance_layout,
        reminder_message=reminder_message,
        submitted_plan=submitted_plan,
        workforce_plan=workforce_plan,
        planned_post=planned_post,
        attachment=attachment,
        payroll_upload=payroll_upload,
        evidence_setting=evidence_setting,
    )


def _shared_records(superuser) -> dict:
    """One row of each model that belongs to no area: reference data and sign-in security."""
    attempt = {"user_agent": "matrix", "ip_address": "192.0.2.1", "username": "someone"}
    token, _ = AuthToken.objects.create(user=superuser)
    reference = {
        "role": Role.objects.get(code="social_prescribing_link_worker"),
        "rate": Rate.objects.order_by("pk").first(),
        "reimbursementpercentage": ReimbursementPercentage.objects.order_by("pk").first(),
        "entitlementrate": EntitlementRate.objects.order_by("pk").first(),
    }
    for row in reference.values():
        row.save()  # seeded by a migration, which keeps no history: now each has a version
    return {
        **reference,
        "taxonomy": Taxonomy.objects.order_by("pk").first(),
        "referralsource": ReferralSourceFactory(),
        "referralreason": ReferralReasonFactory(),
        "importrecord": ImportRecord.objects.create(
            kind=ImportRecord.Kind.EPCN, file_name="ePCN.xlsx", sha256="0" * 64
        ),
        "group": Group.objects.create(name="Matrix group"),
        "accessattempt": AccessAttempt.objects.create(failures_since_start=1, **attempt),
        "accesslog": AccessLog.objects.create(**attempt),
        "accessfailurelog": AccessFailureLog.objects.create(**attempt),
        "totpdevice": TOTPDevice.objects.create(user=superuser, name="Matrix app"),
        "authtoken": token,
    }


def _reported_payments(*areas: Area) -> None:
    """What NHS England reported as paid to each area's payee practice in 2024/25, under the
    area's PCN and Sub-ICB location (the reconciliation's page and CSV)."""
    source = ReportedPaymentImport.objects.create(
        year=2024, file_name="nhs-payments-to-general-practice-2024-25.csv", sha256="0" * 64
    )
    core = PaymentStream.objects.get(code="core")
    ReportedPayment.objects.bulk_create(
        ReportedPayment(
            source=source,
            year=2024,
            stream=core,
            practice_code=area.payee_practice.code,
            practice=area.payee_practice,
            pcn_code=area.pcn.code,
            pcn_name=area.pcn.name,
            pcn=area.pcn,
            commissioner_code=area.commissioner.code,
            amount=Decimal("1234.56"),
        )
        for area in areas
    )


def _maturity(world: MatrixWorld) -> None:
    """A self-assessment round in each area for its PCN (named after the PCN, so another area's
    round shows as a leak), and the national matrix and prospectus rows, each with a version."""
    version = MatrixVersion.objects.get(name="PCN maturity matrix 2019")
    for area in (world.own, world.foreign):
        area.maturity_round = maturity_services.round_open(
            commissioner=area.commissioner,
            name=f"{area.pcn.name} baseline",
            date=dt.date(2019, 11, 29),
            matrix_version=version,
            pcns=[area.pcn],
            by=None,
        )
        area.assessment = area.maturity_round.assessments.get(pcn=area.pcn)
    national = {
        "matrixversion": version,
        "domain": version.domains.order_by("position").first(),
        "expectation": Expectation.objects.order_by("position").first(),
    }
    for row in national.values():
        row.save()  # seeded by a migration, which keeps no history: now each has a version
    world.shared.update(national)


def _development(world: MatrixWorld) -> None:
    """Development funding in each area: an allocation, backfill funding committed to its PCN,
    a backfill claim from its payee practice awaiting review, and a baseline post."""
    for area in (world.own, world.foreign):
        staff = CommissionerStaffFactory(commissioner=area.commissioner)
        area.allocation = development_services.allocation_create(
            commissioner=area.commissioner,
            name="PCN development support 2025/26",
            source="The ICS",
            year=2025,
            amount=Decimal("10000.00"),
            by=staff,
        )
        area.commitment = development_services.commitment_create(
            allocation=area.allocation,
            pcn=area.pcn,
            description="Backfill for practices",
            domain="backfill",
            amount=Decimal("2000.00"),
            by=staff,
        )
        manager = PracticeManagerFactory(practice=area.payee_practice)
        area.backfill_claim = development_services.backfill_claim_submit(
            commitment=area.commitment,
            practice=area.payee_practice,
            person_name=f"{area.pcn.name} backfilled",
            activity="Maturity matrix workshop",
            date=dt.date(2025, 9, 18),
            hours=Decimal("3.5"),
            hourly_rate=Decimal("90.00"),
            by=manager,
        )
        area.baseline_post = development_services.baseline_post_create(
            pcn=area.pcn,
            role=Role.objects.get(code="paramedic"),
            wte=Decimal("2.00"),
            start_date=dt.date(2018, 10, 1),
            by=staff,
        )


def _declared(world: MatrixWorld) -> None:
    """A declared IIF amount awaiting review for each area's PCN, and the national payment
    streams and rates (each with a version: seeded by a migration, they had none)."""
    iif = PaymentStream.objects.get(code="iif")
    for area in (world.own, world.foreign):
        area.declared_payment = DeclaredPayment.objects.create(
            stream=iif,
            pcn=area.pcn,
            month=DRAFT_MONTH,
            amount=Decimal("4321.00"),
            note=f"{area.pcn.name} IIF achievement",
        )
    national = {
        "paymentstream": PaymentStream.objects.get(code="core"),
        "streamrate": StreamRate.objects.order_by("pk").first(),
    }
    for row in national.values():
        row.save()
    world.shared.update(national)


def build_world() -> MatrixWorld:
    own = _area("A", "Q1A", "Ashfield", "U91001", "Y91011")
    foreign = _area("B", "Q2B", "Brookmoor", "U92001", "Y92011")
    superuser = UserFactory(username="matrix-superuser", is_superuser=True, is_staff=True)
    users = {
        "anonymous": None,
        "superuser": superuser,
        "commissioner": CommissionerStaffFactory(
            username="matrix-commissioner", commissioner=own.commissioner
        ),
        "director": own.director,
        "practice": PracticeManagerFactory(username="matrix-practice", practice=own.payee_practice),
        "link_worker": own.link_worker,
        "organisation": CommunityOrganisationUserFactory(
            username="matrix-organisation", organisation=own.organisation
        ),
    }
    # Area B's link worker and staff exist too, so B's records have owners of their own.
    CommissionerStaffFactory(username="matrix-b-commissioner", commissioner=foreign.commissioner)
    _reported_payments(own, foreign)
    world = MatrixWorld(own=own, foreign=foreign, users=users, shared=_shared_records(superuser))
    _maturity(world)
    _development(world)
    _declared(world)
    world.markers = _markers(world)
    assert OnwardReferral.objects.filter(service__organisation=own.organisation).count() == 1
    assert AuditEvent.objects.count() >= 2
    return world


def identity_markers(area: Area) -> dict[str, str]:
    """What identifies the person referred: shown only to their own PCN's link workers (and,
    with consent, to the organisation they were referred on to)."""
    return {
        f"{area.pcn.name}'s referral: NHS number": area.referral.nhs_number,
        # As pages show it (pcn_admin/templatetags/nhs_format.py): 999 765 4323.
        f"{area.pcn.name}'s referral: NHS number as shown": nhs_number_shown(
            area.referral.nhs_number
        ),
        f"{area.pcn.name}'s referral: family name": area.referral.family_name,
    }


def area_markers(area: Area) -> dict[str, str]:
    """Strings found only in this area's records (codes and names chosen to be unique),
    by what they are."""
    return {
        f"{area.pcn.name}: PCN code": area.pcn.code,
        f"{area.pcn.name}: PCN name": area.pcn.name,
        f"{area.pcn.name}: commissioner name": area.commissioner.name,
        f"{area.pcn.name}: commissioner as shown": area.commissioner.display_name,
        f"{area.pcn.name}: practice code": area.payee_practice.code,
        f"{area.pcn.name}: post holder": area.post.person_name,
        f"{area.pcn.name}: batch reference": area.batch.reference,
        **identity_markers(area),
    }


def _markers(world: MatrixWorld) -> dict[str, dict[str, str]]:
    """For each role, what must never be in a response to them: {what: string}."""
    own, foreign = area_markers(world.own), area_markers(world.foreign)
    own_identities = identity_markers(world.own)
    return {
        "anonymous": {**own, **foreign},
        # Superusers see every area but no one's identity: the rule has no exception for them.
        "superuser": {**own_identities, **identity_markers(world.foreign)},
        "commissioner": {**foreign, **own_identities},
        # The clinical director sees the PCN's referrals without who (decision 0010).
        "director": {**foreign, **own_identities},
        "practice": {**foreign, **own_identities},
        "link_worker": foreign,
        "organisation": foreign,
    }


# --- The rules: how the matrix's table is written ----------------------------------------

NOBODY = frozenset()

# What a rule expects, and which answers (see `answer`) satisfy it.
MAY, DENIED, HIDDEN, REFUSED, LOGIN = "may", "403", "404", "403 or 404", "sign in"
NOT_DONE = "refused or shown again with errors"  # a create aimed at another area
PASSES_ON = "redirect"  # a URL that only sends the user on to another page


@dataclass(frozen=True)
class Rule:
    """Who may: `may` on their own area's record; `hidden` roles never see such records (404);
    everyone else is refused (403). `scoped=False`: records shared by every area (reference
    data, the directory). `fixed`: the one answer a role gets whatever the record."""

    may: frozenset = NOBODY
    hidden: frozenset = NOBODY
    scoped: bool = True
    public: bool = False
    fixed: dict = field(default_factory=dict)
    foreign: dict = field(default_factory=dict)

    def own(self, role: str) -> str:
        if role in self.fixed:
            return self.fixed[role]
        if self.public:
            return MAY
        if role == "anonymous":
            return LOGIN
        if role in self.may:
            return MAY
        return HIDDEN if role in self.hidden else DENIED

    def other(self, role: str) -> str:
        if role in self.foreign:
            return self.foreign[role]
        own = self.own(role)
        if own == MAY and self.scoped and not self.public and role != "superuser":
            return HIDDEN
        if own in (DENIED, HIDDEN):
            return REFUSED
        return own

    def expect(self, role: str, side: str) -> str:
        return self.own(role) if side == "own" else self.other(role)


def may(*groups, hidden=NOBODY, scoped=True, foreign=None) -> Rule:
    return Rule(
        may=frozenset().union(*groups),
        hidden=frozenset(hidden),
        scoped=scoped,
        foreign=foreign or {},
    )


def everyone(answer: str) -> Rule:
    """The same answer for every role, signed in or not."""
    return Rule(fixed=dict.fromkeys(ROLES, answer))


def creates(*groups, api: bool) -> Rule:
    """A create aimed at another area's record (say, a post in B1) is refused, or for a form,
    shown again with errors; either way nothing is created there. Superusers may anywhere."""
    allowed = frozenset().union(*groups)
    answer = "refused or invalid" if api else NOT_DONE
    return Rule(may=allowed, foreign={r: answer for r in allowed if r != "superuser"})


def create(**fields) -> "Entry":
    """A page or operation that makes a record in a PCN or area named in its payload."""
    return Entry(payload_only=True, **fields)


PUBLIC = Rule(public=True)


@dataclass(frozen=True)
class Entry:
    """One URL pattern or API operation: the GET rule (`read`), the write rule (`write`, POST
    for pages, the operation's own method for the API), the record that fills its path
    (`kind`, see `MatrixWorld`), how the path is built, and what a write sends."""

    read: Rule | None = None
    write: Rule | None = None
    kind: str | None = None
    path: Callable | None = None  # record -> URL path
    query: str = ""
    foreign_query: str = ""  # for a pattern without a record: how to ask about area B
    data: Callable | None = None  # (record, world) -> the write's payload
    follow: bool = False  # judge the page a redirect passes on to
    admin: bool = False
    api: bool = False
    payload_only: bool = False  # the record is named in the write's payload, not the path
    may_show: tuple = ()  # markers (by what they are) this page shows anyone, by design
    download: bool = False  # an export form: its file is fetched and read too
    watch: Callable | None = None  # record -> what a write would change, if not the record


def rev(name: str, **params) -> Callable:
    """Build a path by reversing `name`; each parameter is a constant or a function of the
    record."""

    def build(record) -> str:
        kwargs = {k: (v(record) if callable(v) else v) for k, v in params.items()}
        return reverse(name, kwargs=kwargs)

    return build


def fixed_path(path: str) -> Callable:
    return lambda record: path


pk = lambda r: r.pk  # noqa: E731
oruk_id = lambda r: r.uuid  # noqa: E731  the Open Referral UK feed's id
code = lambda r: r.code  # noqa: E731


# --- Asking and judging --------------------------------------------------------------------

SHARED_KINDS = {
    "role",
    "rate",
    "reimbursementpercentage",
    "entitlementrate",
    "taxonomy",
    "referralsource",
    "referralreason",
    "importrecord",
    "group",
    "accessattempt",
    "accesslog",
    "accessfailurelog",
    "totpdevice",
    "authtoken",
    "matrixversion",
    "domain",
    "expectation",
    "paymentstream",
    "streamrate",
}
AREA_ATTRIBUTES = {
    "commissioner": "commissioner",
    "pcn": "pcn",
    "practice": "payee_practice",
    "nominatedpayee": "nominated_payee",
    "listsize": "list_size",
    "post": "post",
    "claim": "draft_claim",
    "claimline": "draft_line",
    "submitted_claim": "submitted_claim",
    "submitted_line": "submitted_line",
    "batch": "batch",
    "batchpayee": "batch_payee",
    "batchrun": "batch_run",
    "referral": "referral",
    "onward": "onward_referral",
    "organisation": "organisation",
    "service": "service",
    "casestudy": "case_study",
    "auditevent": "audit_event",
    "user": "link_worker",
    "claimwindow": "claim_window",
    "financelayout": "finance_layout",
    "remindermessage": "reminder_message",
    "workforceplan": "workforce_plan",
    "submitted_plan": "submitted_plan",
    "plannedpost": "planned_post",
    "attachment": "attachment",
    "payrollupload": "payroll_upload",
    "evidencesetting": "evidence_setting",
    "maturity_round": "maturity_round",
    "assessment": "assessment",
    "allocation": "allocation",
    "commitment": "commitment",
    "backfillclaim": "backfill_claim",
    "baselinepost": "baseline_post",
    "declaredpayment": "declared_payment",
}


def sides(world: MatrixWorld, entry: Entry, *, write: bool) -> list[tuple[str, object, str]]:
    """(side, record, query) to ask about: the own area's and area B's."""
    if entry.kind is None or (entry.payload_only and not write):
        asks = [("own", None, entry.query)]
        if entry.foreign_query:
            asks.append(("foreign", None, entry.foreign_query))
        return asks
    if entry.kind in SHARED_KINDS:
        return [("own", world.shared[entry.kind], entry.query)]
    own = getattr(world.own, AREA_ATTRIBUTES[entry.kind])
    foreign = getattr(world.foreign, AREA_ATTRIBUTES[entry.kind])
    return [("own", own, entry.query), ("foreign", foreign, entry.query)]


def answer(response, requested: str) -> str:
    """What a response amounts to."""
    status = response.status_code
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        if target == reverse("login"):
            return "sign in"
        if target == reverse("admin:login"):
            return "admin sign in"
        if target == reverse("admin:index") and _names_a_record(requested):
            return "admin not found"
        return "redirect"
    return str(status)


def _names_a_record(path: str) -> bool:
    """/admin/<app>/<model>/<id>/...: an admin page about one record."""
    return len([part for part in urlsplit(path).path.split("/") if part]) >= 4


def acceptable(expected: str, entry: Entry) -> set[str]:
    """The answers that satisfy what a rule expects."""
    if expected == MAY:
        return {"200", "201", "204", "redirect"}
    if expected == LOGIN:
        if entry.api:
            return {"401", "403"}
        return {"admin sign in"} if entry.admin else {"sign in"}
    names = {
        DENIED: {"403"},
        HIDDEN: {"404"},
        REFUSED: {"403", "404"},
        NOT_DONE: {"200", "400", "403", "404"},
        "refused or invalid": {"400", "403", "404"},
    }.get(expected, {expected})
    if entry.admin:
        # The admin refuses a signed-in person without admin access by sending them to its
        # sign-in page, and answers a record outside the user's scope as one that does not
        # exist: a redirect to its index with a message.
        if names & {"403"}:
            names = names | {"admin sign in"}
        if names & {"404"}:
            names = names | {"admin not found"}
    return names


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def snapshot(record) -> object:
    """The record's columns and every row hanging off it (one level down), as stored now."""
    if record is None:
        return None
    model = type(record)
    stored = model._base_manager.filter(pk=record.pk).first()
    if stored is None:
        return "deleted"
    columns = {f.attname: getattr(stored, f.attname) for f in model._meta.concrete_fields}
    related = {}
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: stored})
        fields = relation.related_model._meta.concrete_fields
        related[relation.name] = sorted(
            tuple(str(getattr(row, f.attname)) for f in fields) for row in rows
        )
    for many in model._meta.many_to_many:
        related[many.name] = sorted(getattr(stored, many.name).values_list("pk", flat=True))
    return columns, related


@dataclass
class Exchange:
    status: int
    said: str
    text: str
    changed: bool
    error: str = ""

    def __str__(self) -> str:
        said = "" if self.said == str(self.status) else f" ({self.said})"
        return f"{self.status}{said}{' ' + self.error if self.error else ''}"


def exchange(client, method, url, *, entry, data=None, watch=None) -> Exchange:
    """One request in a savepoint that is rolled back; `watch`: a record whose stored state
    is compared before and after."""
    with transaction.atomic():
        before = snapshot(watch)
        if entry.api:
            payload = "" if data is None else json.dumps(data)
            response = client.generic(
                method,
                url,
                payload,
                content_type="application/json",
                HTTP_ACCEPT="application/json",
            )
        elif method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data or {})
        if entry.follow and answer(response, url) not in ("sign in", "admin sign in", "200"):
            if 300 <= response.status_code < 400:
                response = client.get(response["Location"])
        error = ""
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            error = repr(exc[1]) if exc else "server error"
            changed = False
        else:
            changed = snapshot(watch) != before
        said = answer(response, url)
        text = body(response) if method == "GET" or entry.download else ""
        transaction.set_rollback(True)
    return Exchange(response.status_code, said, text, changed, error)


def client_for(world: MatrixWorld, role: str) -> Client:
    """A client signed in as the role's user (forced: sign-in itself is tested elsewhere);
    a server error comes back as a 500 response rather than an exception."""
    client = Client(raise_request_exception=False)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def leaks(world, role, entry: Entry, text: str) -> list[str]:
    """What of another area's (or anyone's identity) the text shows."""
    return [
        what
        for what, marker in world.markers[role].items()
        if marker in text and not what.endswith(entry.may_show)
    ]


def export_form(page: Exchange) -> dict:
    """import-export's export form filled in: every field, as CSV."""
    fields = re.findall(r'name="(\w+resource_\w+)"', page.text)
    return {**dict.fromkeys(fields, "on"), "format": "0", "resource": "0"}
