"""Demo data for social prescribing: an invented Northumberland directory and forty invented
people's referrals in every state. Safe to run twice: the second run changes nothing.

Every person is invented; NHS numbers come from the never-issued 999 range and pass modulus 11.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from networks.models import Membership
from pcn_admin.models import User

from . import services
from .models import (
    Instrument,
    OnwardReferral,
    Organisation,
    Referral,
    ReferralReason,
    ReferralSource,
    ReferralStatusChange,
    Service,
    Status,
    Taxonomy,
    TaxonomyTerm,
)
from .validators import nhs_number_check_digit

DEMO_CHARITY = "Northumberland Community Connect"

TERMS = [
    ("physical-activity", "Physical activity"),
    ("befriending", "Befriending and social contact"),
    ("food", "Food support"),
    ("money-advice", "Money and debt advice"),
    ("carers", "Support for carers"),
    ("bereavement", "Bereavement support"),
    ("mens-health", "Men's health and wellbeing"),
    ("learning", "Learning and volunteering"),
]

ORGANISATIONS = [
    (
        DEMO_CHARITY,
        "charity",
        "Befriending, community transport and a link to local groups "
        "across south east Northumberland.",
        "hello@nccconnect.example.org",
        "01670 500100",
    ),
    (
        "Blyth Valley Food Bank",
        "charity",
        "Emergency food parcels and a weekly community pantry.",
        "info@blythfoodbank.example.org",
        "01670 500200",
    ),
    (
        "Wansbeck Walkers",
        "community_group",
        "Volunteer-led health walks for all abilities.",
        "walk@wansbeckwalkers.example.org",
        "01670 500300",
    ),
    (
        "Coquetside Money Advice",
        "charity",
        "Free, confidential debt and benefits advice.",
        "advice@coquetmoney.example.org",
        "01665 500400",
    ),
    (
        "Tynedale Carers' Centre",
        "charity",
        "Information, breaks and peer support for unpaid carers.",
        "carers@tynedalecarers.example.org",
        "01434 500500",
    ),
    (
        "Hexham Bereavement Support",
        "charity",
        "One-to-one and group support after a death.",
        "support@hexhambereavement.example.org",
        "01434 500600",
    ),
    (
        "Cramlington Men's Shed",
        "community_group",
        "A workshop where men make, mend and talk.",
        "shed@cramlingtonshed.example.org",
        "01670 500700",
    ),
    (
        "Northumberland Adult Learning Service",
        "statutory",
        "Free and low-cost courses for adults, from digital skills to confidence building.",
        "learning@adultlearning.example.gov.uk",
        "01670 500800",
    ),
]

# (organisation, service, term codes, extra fields)
SERVICES = [
    (
        DEMO_CHARITY,
        "Telephone befriending",
        ["befriending"],
        {
            "description": "A weekly call from the same trained volunteer.",
            "not_offered": "Not a crisis or counselling service.",
            "minimum_age": 18,
            "areas_served": "Blyth, Bedlington, Cramlington, Ashington",
            "how_to_refer": "Link workers use PCN Admin; anyone can phone us.",
            "surgery_attendance": "Railway Medical Group, Blyth: Thursdays 10am-12pm",
        },
    ),
    (
        DEMO_CHARITY,
        "Community transport to groups",
        ["befriending"],
        {
            "description": "Door-to-door minibus to local groups for people who cannot use buses.",
            "not_offered": "Not for hospital appointments.",
            "must_be_accompanied_by_carer": True,
            "minimum_age": 18,
            "conditions": "Wheelchair accessible. People needing personal care must bring a carer.",
            "areas_served": "Blyth, Bedlington",
            "capacity": "waiting_list",
        },
    ),
    (
        DEMO_CHARITY,
        "Friendship café",
        ["befriending"],
        {
            "description": "A drop-in café every Wednesday with games and a hot lunch.",
            "venue_name": "Blyth Community Hub",
            "address": "Bridge Street\nBlyth",
            "postcode": "NE24 2AG",
            "areas_served": "Blyth",
        },
    ),
    (
        "Blyth Valley Food Bank",
        "Emergency food parcels",
        ["food"],
        {
            "description": "Three days of food for people in crisis, with a voucher.",
            "not_offered": "We cannot deliver.",
            "how_to_refer": "Vouchers from link workers.",
            "venue_name": "Blyth Valley Food Bank",
            "address": "Waterloo Road\nBlyth",
            "postcode": "NE24 1BU",
            "areas_served": "Blyth, Cramlington, Seaton Delaval",
        },
    ),
    (
        "Blyth Valley Food Bank",
        "Community pantry",
        ["food"],
        {
            "description": "Weekly low-cost shop for members (£4 for 10 items).",
            "areas_served": "Blyth",
        },
    ),
    (
        "Wansbeck Walkers",
        "Bedlington health walks",
        ["physical-activity"],
        {
            "description": "Gentle 45-minute level walks every Tuesday, ending with a cuppa.",
            "conditions": "Suitable for people with long-term conditions; walking aids welcome.",
            "minimum_age": 16,
            "venue_name": "Bedlington Community Centre",
            "address": "Front Street West\nBedlington",
            "postcode": "NE22 5UB",
            "areas_served": "Bedlington, Choppington",
        },
    ),
    (
        "Wansbeck Walkers",
        "Ashington striders",
        ["physical-activity"],
        {
            "description": "Brisker 90-minute walks for people building fitness.",
            "not_offered": "Not suitable for people who cannot manage stiles.",
            "minimum_age": 16,
            "areas_served": "Ashington, Newbiggin",
        },
    ),
    (
        "Coquetside Money Advice",
        "Debt and benefits advice",
        ["money-advice"],
        {
            "description": "Appointments with an adviser: debts, benefits checks, grants.",
            "not_offered": "No loans or legal representation in court.",
            "surgery_attendance": "Seaton Park Medical Group: first Monday of the month",
            "areas_served": "Amble, Alnwick, Morpeth, Ashington",
            "minimum_age": 18,
        },
    ),
    (
        "Coquetside Money Advice",
        "Energy and warm home advice",
        ["money-advice"],
        {
            "description": "Help with energy bills, arrears and grants for heating.",
            "areas_served": "Northumberland",
            "capacity": "closed",
        },
    ),
    (
        "Tynedale Carers' Centre",
        "Carers' assessment support",
        ["carers"],
        {
            "description": "Help preparing for a carer's assessment and a carer's emergency card.",
            "conditions": "For unpaid carers of any age.",
            "areas_served": "Hexham, Tynedale",
        },
    ),
    (
        "Tynedale Carers' Centre",
        "Carers' breaks and peer group",
        ["carers", "befriending"],
        {
            "description": "Monthly peer group and short breaks for carers.",
            "areas_served": "Hexham, Prudhoe, Haltwhistle",
        },
    ),
    (
        "Hexham Bereavement Support",
        "One-to-one bereavement support",
        ["bereavement"],
        {
            "description": "Six sessions with a trained volunteer.",
            "not_offered": "Not for people within four weeks of the death; we will call back.",
            "minimum_age": 18,
            "areas_served": "Tynedale",
            "capacity": "waiting_list",
        },
    ),
    (
        "Cramlington Men's Shed",
        "The Shed",
        ["mens-health", "learning"],
        {
            "description": "Woodwork, repairs and a brew, Monday to Thursday.",
            "conditions": "Men and women welcome; tools training given.",
            "venue_name": "Cramlington Men's Shed",
            "address": "Station Road\nCramlington",
            "postcode": "NE23 1DN",
            "areas_served": "Cramlington",
        },
    ),
    (
        "Northumberland Adult Learning Service",
        "Digital skills for beginners",
        ["learning"],
        {
            "description": "Six weeks: using a phone or tablet, the NHS App, staying safe online.",
            "minimum_age": 19,
            "areas_served": "Northumberland",
        },
    ),
    (
        "Northumberland Adult Learning Service",
        "Confidence and wellbeing course",
        ["learning"],
        {
            "description": "Small-group course on confidence, routines and next steps.",
            "minimum_age": 19,
            "areas_served": "Blyth, Ashington, Morpeth",
            "last_reviewed_days_ago": 240,
        },
    ),
]

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


def demo_nhs_numbers(start: int = 999_100_000):
    """Never-issued numbers (999 range) that pass the modulus 11 check."""
    candidate = start
    while True:
        check = nhs_number_check_digit(str(candidate))
        if check is not None:
            yield f"{candidate}{check}"
        candidate += 1


def _seed_directory(stdout) -> list[Service]:
    taxonomy, _ = Taxonomy.objects.get_or_create(
        name="PCN Admin social prescribing activities",
        defaults={
            "description": "Activity types used in the Northumberland demo directory.",
            "version": "1",
        },
    )
    terms = {
        code: TaxonomyTerm.objects.get_or_create(
            taxonomy=taxonomy, name=name, defaults={"code": code}
        )[0]
        for code, name in TERMS
    }
    for name, kind, description, email, phone in ORGANISATIONS:
        organisation, created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind}
        )
        if not organisation.email:
            # The register's seed creates the demo charity with only a name: fill it in once.
            organisation.kind, organisation.description = kind, description
            organisation.email, organisation.phone = email, phone
            organisation.address = "Northumberland"
            organisation.website = f"https://{email.split('@')[1]}/"
            organisation.save()
    today = timezone.localdate()
    seeded = []
    for org_name, service_name, codes, fields in SERVICES:
        fields = dict(fields)
        reviewed = today - dt.timedelta(days=fields.pop("last_reviewed_days_ago", 30))
        service, created = Service.objects.get_or_create(
            organisation=Organisation.objects.get(name=org_name),
            name=service_name,
            defaults={**fields, "last_reviewed": reviewed},
        )
        if created:
            service.full_clean()
            service.taxonomy_terms.set([terms[c] for c in codes])
        seeded.append(service)
    stdout.write(f"Directory: {len(ORGANISATIONS)} organisations, {len(seeded)} services.")
    return seeded


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


def _seed_referrals(stdout, directory: list[Service]) -> None:
    worker = User.objects.get(username="demo-linkworker")
    pcn = worker.pcn
    if Referral.objects.filter(pcn=pcn, nhs_number__startswith="999").exists():
        stdout.write("Social prescribing referrals already seeded.")
        return
    practices = [
        m.practice for m in Membership.objects.current().filter(pcn=pcn).select_related("practice")
    ]
    sources = list(ReferralSource.objects.filter(is_active=True).order_by("pk"))
    reasons = list(ReferralReason.objects.filter(is_active=True).order_by("pk"))
    charity_services = [s for s in directory if s.organisation.name == DEMO_CHARITY]
    open_services = [s for s in directory if s.capacity != Service.Capacity.CLOSED]
    numbers = demo_nhs_numbers()
    today = timezone.localdate()

    for index, ((given, family), target) in enumerate(zip(PEOPLE, PATHS, strict=True)):
        received = today - dt.timedelta(days=3 + index * 8)
        referral = services.referral_create(
            by=worker,
            reasons=[reasons[index % len(reasons)], reasons[(index * 3 + 1) % len(reasons)]],
            given_name=given,
            family_name=family,
            nhs_number=next(numbers),
            date_of_birth=dt.date(1940 + index % 45, 1 + index % 12, 1 + index % 27),
            phone=f"07700 900{index:03d}",
            email=f"{given.lower()}.{family.lower()}@example.com" if index % 3 == 0 else "",
            address=f"{10 + index} Demo Terrace\nNorthumberland",
            postcode="NE24 1AA",
            preferred_contact_method="phone" if index % 4 else "letter",
            practice=practices[index % len(practices)],
            pcn=pcn,
            source=sources[index % len(sources)],
            referrer_name="Dr A Kerr" if index % 2 == 0 else "",
            what_matters="Getting out of the house and meeting people again.",
            consent_given=True,
            link_worker=worker,
            received_on=received,
        )
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
            # Closing comes last, after the onward referrals and outcomes below.
            for step in STEPS[: STEPS.index(target) + 1]:
                if step != Status.CLOSED:
                    services.referral_change_status(referral=referral, to=step, by=worker)

        # Contacts: roughly one a fortnight since the referral; a few open ones left overdue.
        if target != Status.RECEIVED:
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

        if target in (Status.PLAN_AGREED, Status.CONNECTED, Status.CLOSED):
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
            # Pending onward referrals go to the demo charity so its inbox has work in it.
            pool = charity_services if target == Status.PLAN_AGREED else open_services
            onward = services.onward_referral_create(
                referral=referral,
                service=pool[index % len(pool)],
                consent_to_share=index % 5 != 0,
                message="Would like to meet people nearby; a bit nervous of new places.",
                by=worker,
            )
            if target in (Status.CONNECTED, Status.CLOSED):
                staff = onward.service.organisation.users.first() or worker
                if index % 6 == 0:
                    services.onward_referral_respond(
                        onward_referral=onward,
                        accept=False,
                        by=staff,
                        reason="Our group is full until the spring; try the Friendship café.",
                    )
                    onward = services.onward_referral_create(
                        referral=referral,
                        service=charity_services[2],
                        consent_to_share=True,
                        by=worker,
                    )
                services.onward_referral_respond(onward_referral=onward, accept=True, by=staff)

        if target == Status.CLOSED:
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
        _backdate(referral, received)

    services.case_study_create(
        by=worker,
        pcn=pcn,
        organisation=Organisation.objects.get(name="Cramlington Men's Shed"),
        title="Back at the workbench",
        story="A retired joiner in his seventies, alone since his wife died, had visited his GP "
        "most weeks. He now spends three mornings a week at the shed teaching younger members, "
        "and says he has somewhere to be again.",
        consent_given=True,
    )
    stdout.write(f"Social prescribing: {len(PEOPLE)} invented referrals in every state.")


def seed_demo(*, stdout) -> None:
    directory = _seed_directory(stdout)
    if not User.objects.filter(username="demo-linkworker").exists():
        stdout.write("No demo link worker: skipped social prescribing referrals.")
        return
    _seed_referrals(stdout, directory)
