"""The demo's invented Northumberland directory of community organisations and their
services, tagged with a small activity taxonomy. Safe to run twice: nothing is added again."""

import datetime as dt

from django.utils import timezone

from ..models import Organisation, Service, Taxonomy, TaxonomyTerm

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


def seed_directory(stdout) -> list[Service]:
    terms = _taxonomy_terms()
    _seed_organisations()
    seeded = _seed_services(terms)
    stdout.write(f"Directory: {len(ORGANISATIONS)} organisations, {len(seeded)} services.")
    return seeded


def _taxonomy_terms() -> dict[str, TaxonomyTerm]:
    taxonomy, _ = Taxonomy.objects.get_or_create(
        name="PCN Admin social prescribing activities",
        defaults={
            "description": "Activity types used in the Northumberland demo directory.",
            "version": "1",
        },
    )
    return {
        code: TaxonomyTerm.objects.get_or_create(
            taxonomy=taxonomy, name=name, defaults={"code": code}
        )[0]
        for code, name in TERMS
    }


def _seed_organisations() -> None:
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


def _seed_services(terms: dict[str, TaxonomyTerm]) -> list[Service]:
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
    return seeded
