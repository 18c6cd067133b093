"""The demo's forty invented people, one referral each, walked along the social prescribing
path to every state with the contacts, outcome measures and onward referrals that go with it;
and two more waiting in the new-referrals queue for a link worker to take them.

Every person is invented; NHS numbers come from the never-issued 999 range and pass modulus 11.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from networks.models import PCN, Membership, Practice
from pcn_admin.dates import working_days_before
from pcn_admin.models import User

from .. import services
from ..models import (
    Instrument,
    OnwardReferral,
    Organisation,
    Referral,
    ReferralReason,
    ReferralSource,
    ReferralStatusChange,
    Service,
    Status,
)
from ..validators import nhs_number_check_digit
from .directory import DEMO_CHARITY

PEOPLE = [
    ("Margaret", "Robson"),
    ("John", "Charlton"),
    ("Elsie", "Milburn"),
    ("George", "Dodd"),
    ("Irene", "Armstrong"),
    ("William", "Hall"),
    ("Dorothy", "Forster"),
    ("Thomas", "Ridley"),
    ("Joan", "Elliot"),
    ("Robert", "Bell"),
    ("Sheila", "Heron"),
    ("David", "Scott"),
    ("Patricia", "Wilkinson"),
    ("Kevin", "Pringle"),
    ("Linda", "Turnbull"),
    ("Gary", "Rutherford"),
    ("Susan", "Lowes"),
    ("Peter", "Straughan"),
    ("Karen", "Brewis"),
    ("Alan", "Tait"),
    ("Hannah", "Gibson"),
    ("Liam", "Waugh"),
    ("Chloe", "Swinburne"),
    ("Ryan", "Hedley"),
    ("Amy", "Dixon"),
    ("Daniel", "Coulson"),
    ("Beth", "Nesbitt"),
    ("Stuart", "Grey"),
    ("Mary", "Fenwick"),
    ("Brian", "Reed"),
    ("Ann", "Thornton"),
    ("Colin", "Jobling"),
    ("Pauline", "Snowdon"),
    ("Derek", "Wears"),
    ("Maureen", "Carr"),
    ("Keith", "Lumsden"),
    ("Ruth", "Blackett"),
    ("Ian", "Clennell"),
    ("Jean", "Hogg"),
    ("Frank", "Spours"),
]

# Each person's place on the path: every state, with open ones the majority.
PATHS = (
    [Status.RECEIVED] * 5
    + [Status.CONTACTED] * 5
    + [Status.ASSESSMENT] * 5
    + [Status.PLAN_AGREED] * 6
    + [Status.CONNECTED] * 7
    + [Status.CLOSED] * 7
    + [Status.DECLINED] * 3
    + [Status.DID_NOT_ENGAGE] * 2
)
STEPS = [Status.CONTACTED, Status.ASSESSMENT, Status.PLAN_AGREED, Status.CONNECTED, Status.CLOSED]

# Where a person's onward referrals stand: pending at the demo charity once a plan is agreed,
# accepted (after a decline for some) once connected.
WITH_ONWARD_REFERRAL = (Status.PLAN_AGREED, Status.CONNECTED, Status.CLOSED)


def demo_nhs_numbers(start: int = 999_100_000):
    """Never-issued numbers (999 range) that pass the modulus 11 check."""
    candidate = start
    while True:
        check = nhs_number_check_digit(str(candidate))
        if check is not None:
            yield f"{candidate}{check}"
        candidate += 1


@dataclass
class _Demo:
    """What every invented person's referral draws on, read once."""

    worker: User
    pcn: PCN
    practices: list[Practice]
    sources: list[ReferralSource]
    reasons: list[ReferralReason]
    charity_services: list[Service]
    open_services: list[Service]
    numbers: Iterator[str]  # demo_nhs_numbers(), one number per person in turn
    today: dt.date

    @classmethod
    def load(cls, worker: User, directory: list[Service]) -> "_Demo":
        pcn = worker.pcn
        memberships = Membership.objects.current().filter(pcn=pcn).select_related("practice")
        return cls(
            worker=worker,
            pcn=pcn,
            practices=[m.practice for m in memberships],
            sources=list(ReferralSource.objects.filter(is_active=True).order_by("pk")),
            reasons=list(ReferralReason.objects.filter(is_active=True).order_by("pk")),
            charity_services=[s for s in directory if s.organisation.name == DEMO_CHARITY],
            open_services=[s for s in directory if s.capacity != Service.Capacity.CLOSED],
            numbers=demo_nhs_numbers(),
            today=timezone.localdate(),
        )


# Waiting in the PCN's new-referrals queue, taken by no link worker yet: a self-referral sent
# from the public form today, and a GP's referral left there too long (flagged).
WAITING = [
    # (given name, family name, source, working days ago, what they asked for)
    ("Norah", "Bainbridge", ReferralSource.SELF_REFERRAL, 0, "Feeling low since moving here."),
    ("Walter", "Telford", "Primary care (GP practice)", 6, "Carer for his wife; no time off."),
]


def seed_waiting_referrals(stdout) -> None:
    """The new-referrals queue's demo: added once, whatever else is seeded."""
    worker = User.objects.get(username="demo-linkworker")
    pcn = worker.pcn
    practices = [m.practice for m in Membership.objects.current().filter(pcn=pcn)]
    reasons = list(ReferralReason.objects.filter(is_active=True).order_by("pk"))
    numbers = demo_nhs_numbers(999_200_000)
    today = timezone.localdate()
    added = 0
    for index, (given, family, source, days_ago, what_matters) in enumerate(WAITING):
        number = next(numbers)
        if Referral.objects.filter(pcn=pcn, given_name=given, family_name=family).exists():
            continue
        self_referral = source == ReferralSource.SELF_REFERRAL
        received = working_days_before(today, days_ago)
        referral = services.referral_create(
            by=None if self_referral else worker,
            reasons=[reasons[(index * 5 + 2) % len(reasons)]],
            given_name=given,
            family_name=family,
            nhs_number=number,
            date_of_birth=dt.date(1958 + index * 9, 4 + index, 12),
            phone=f"07700 900{900 + index:03d}",
            preferred_contact_method="phone",
            practice=practices[index % len(practices)],
            pcn=pcn,
            source=ReferralSource.objects.get(name=source),
            referrer_name="" if self_referral else "Dr A Kerr",
            what_matters=what_matters,
            consent_given=True,
            received_on=received,
        )
        _backdate(referral, received)
        added += 1
    if added:
        stdout.write(f"Social prescribing: {added} new referral(s) waiting for a link worker.")


def seed_referrals(stdout, directory: list[Service]) -> None:
    worker = User.objects.get(username="demo-linkworker")
    if Referral.objects.filter(pcn=worker.pcn, nhs_number__startswith="999").exists():
        stdout.write("Social prescribing referrals already seeded.")
        return
    demo = _Demo.load(worker, directory)
    for index, (person, target) in enumerate(zip(PEOPLE, PATHS, strict=True)):
        _seed_person(demo, index, person, target)
    _seed_case_study(demo)
    stdout.write(f"Social prescribing: {len(PEOPLE)} invented referrals in every state.")


def _seed_person(demo: _Demo, index: int, person: tuple[str, str], target: Status) -> None:
    """One person's referral, taken to `target` the way a link worker would have."""
    received = demo.today - dt.timedelta(days=3 + index * 8)
    referral = _create_referral(demo, index, person, received)
    _walk_path(referral, demo.worker, target)
    if target != Status.RECEIVED:
        _record_contacts(referral, demo.worker, index, received=received, today=demo.today)
    if target in WITH_ONWARD_REFERRAL:
        _record_outcomes(referral, demo.worker, index, received=received, today=demo.today)
        _refer_onward(referral, demo, index, target)
    if target == Status.CLOSED:
        _close(referral, demo.worker, index)
    _backdate(referral, received)


def _create_referral(
    demo: _Demo, index: int, person: tuple[str, str], received: dt.date
) -> Referral:
    given, family = person
    reasons = demo.reasons
    return services.referral_create(
        by=demo.worker,
        reasons=[reasons[index % len(reasons)], reasons[(index * 3 + 1) % len(reasons)]],
        given_name=given,
        family_name=family,
        nhs_number=next(demo.numbers),
        date_of_birth=dt.date(1940 + index % 45, 1 + index % 12, 1 + index % 27),
        phone=f"07700 900{index:03d}",
        email=f"{given.lower()}.{family.lower()}@example.com" if index % 3 == 0 else "",
        address=f"{10 + index} Demo Terrace\nNorthumberland",
        postcode="NE24 1AA",
        preferred_contact_method="phone" if index % 4 else "letter",
        practice=demo.practices[index % len(demo.practices)],
        pcn=demo.pcn,
        source=demo.sources[index % len(demo.sources)],
        referrer_name="Dr A Kerr" if index % 2 == 0 else "",
        what_matters="Getting out of the house and meeting people again.",
        consent_given=True,
        link_worker=demo.worker,
        received_on=received,
    )


def _walk_path(referral: Referral, worker: User, target: Status) -> None:
    """The status changes up to `target`, except closing, which comes last (_close), after the
    onward referrals and outcomes."""
    if target == Status.DECLINED:
        services.referral_change_status(
            referral=referral,
            to=Status.DECLINED,
            by=worker,
            note="Thanked us but does not want support now.",
        )
    elif target == Status.DID_NOT_ENGAGE:
        services.referral_change_status(referral=referral, to=Status.CONTACTED, by=worker)
        services.referral_change_status(
            referral=referral,
            to=Status.DID_NOT_ENGAGE,
            by=worker,
            note="Three calls and a letter unanswered.",
        )
    elif target != Status.RECEIVED:
        for step in STEPS[: STEPS.index(target) + 1]:
            if step != Status.CLOSED:
                services.referral_change_status(referral=referral, to=step, by=worker)


def _record_contacts(
    referral: Referral, worker: User, index: int, *, received: dt.date, today: dt.date
) -> None:
    """Roughly one contact a fortnight since the referral; a few open ones left overdue."""
    visits = 1 + min(5, (today - received).days // 14)
    gap = 20 if index % 5 == 0 else 12
    for visit in range(visits):
        on = received + dt.timedelta(days=2 + visit * gap)
        if on <= today:
            services.contact_record(
                referral=referral,
                by=worker,
                date=on,
                kind=["phone", "face_to_face", "home_visit"][visit % 3],
                duration_minutes=[20, 45, 60][visit % 3],
                notes="Talked about what matters and local groups." if visit else "",
            )


def _record_outcomes(
    referral: Referral, worker: User, index: int, *, received: dt.date, today: dt.date
) -> None:
    """ONS4 at baseline and, ten weeks on if that has come, at follow-up; SWEMWBS for some."""
    baseline_on = min(received + dt.timedelta(days=7), today)
    _ons4(referral, worker, "baseline", baseline_on, (3 + index % 3, 4, 3, 7 - index % 3))
    follow_up_on = received + dt.timedelta(days=70)
    if follow_up_on <= today:
        _ons4(
            referral,
            worker,
            "follow_up",
            follow_up_on,
            (6 + index % 3, 6, 6 - index % 2, 4 - index % 3),
        )
    if index % 4 == 0:
        services.outcome_record(
            referral=referral,
            by=worker,
            instrument=Instrument.SWEMWBS,
            time_point="baseline",
            date=baseline_on,
            self_completed=True,
            total=Decimal("17.43"),
        )


def _ons4(referral, worker, time_point, date, scores):
    life, worth, happy, anxious = scores
    services.outcome_record(
        referral=referral,
        by=worker,
        instrument=Instrument.ONS4,
        time_point=time_point,
        date=date,
        self_completed=bool(referral.pk % 3),
        life_satisfaction=life,
        worthwhile=worth,
        happy=happy,
        anxious=anxious,
    )


def _refer_onward(referral: Referral, demo: _Demo, index: int, target: Status) -> None:
    # Pending onward referrals go to the demo charity so its inbox has work in it.
    pool = demo.charity_services if target == Status.PLAN_AGREED else demo.open_services
    onward = services.onward_referral_create(
        referral=referral,
        service=pool[index % len(pool)],
        consent_to_share=index % 5 != 0,
        message="Would like to meet people nearby; a bit nervous of new places.",
        by=demo.worker,
    )
    if target in (Status.CONNECTED, Status.CLOSED):
        _accept(referral, onward, demo, index)


def _accept(referral: Referral, onward: OnwardReferral, demo: _Demo, index: int) -> None:
    """The service accepts; every sixth is first declined and re-sent to the Friendship café,
    so the inbox shows a decline with its reason."""
    staff = onward.service.organisation.users.first() or demo.worker
    if index % 6 == 0:
        services.onward_referral_respond(
            onward_referral=onward,
            accept=False,
            by=staff,
            reason="Our group is full until the spring; try the Friendship café.",
        )
        onward = services.onward_referral_create(
            referral=referral,
            service=demo.charity_services[2],
            consent_to_share=True,
            by=demo.worker,
        )
    services.onward_referral_respond(onward_referral=onward, accept=True, by=staff)


def _close(referral: Referral, worker: User, index: int) -> None:
    services.referral_record_gp_appointments(
        referral=referral, before=5 + index % 4, after=2 + index % 3, by=worker
    )
    services.referral_change_status(
        referral=referral,
        to=Status.CLOSED,
        by=worker,
        outcome="needs_met" if index % 2 else "connected_ongoing",
        closure_notes="Attends a weekly group and feels less alone.",
    )


def _backdate(referral: Referral, start: dt.date) -> None:
    """Spread the seeded steps over the weeks after the referral arrived, as if lived."""
    when = start
    for step, change in enumerate(referral.status_changes.order_by("pk")):
        when = min(start + dt.timedelta(days=7 * step), timezone.localdate())
        ReferralStatusChange.objects.filter(pk=change.pk).update(
            changed_at=timezone.make_aware(dt.datetime.combine(when, dt.time(10, 0)))
        )
    if referral.closed_on:
        Referral.objects.filter(pk=referral.pk).update(closed_on=when)
    sent = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=21), dt.time(11)))
    OnwardReferral.objects.filter(referral=referral).update(created_at=min(sent, timezone.now()))
    OnwardReferral.objects.filter(referral=referral).exclude(status="pending").update(
        responded_at=min(sent + dt.timedelta(days=3), timezone.now())
    )


def _seed_case_study(demo: _Demo) -> None:
    services.case_study_create(
        by=demo.worker,
        pcn=demo.pcn,
        organisation=Organisation.objects.get(name="Cramlington Men's Shed"),
        title="Back at the workbench",
        story="A retired joiner in his seventies, alone since his wife died, had visited his GP "
        "most weeks. He now spends three mornings a week at the shed teaching younger members, "
        "and says he has somewhere to be again.",
        consent_given=True,
    )
