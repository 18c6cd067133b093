"""Demo staff in post for the demo PCN and two other Northumberland (00L) PCNs. The people
are invented. Safe to run twice: a post already there (same PCN, role and name) is left alone."""

import datetime as dt
from decimal import Decimal

from networks.models import PCN, Membership
from pcn_admin.models import User

from . import services
from .models import Post, Role

D = dt.date
CHARITY = "Coquet Valley Community Wellbeing Trust"  # invented

# role, name, registration, start, hours, extra fields (an Agenda for Change band is one band,
# as roles.models.AFC_BANDS lists them); "practice" means a member practice.
DEMO_PCN_POSTS = [
    ("clinical_pharmacist", "Priya Natarajan", "2081234", D(2023, 9, 1), "37.5", {"afc_band": "7"}),
    (
        "social_prescribing_link_worker",
        "Tom Armstrong",
        "",
        D(2022, 1, 10),
        "37.5",
        {"afc_band": "5"},
    ),
    (
        "social_prescribing_link_worker",
        "Ellie Charlton",
        "",
        D(2024, 10, 1),
        "30",
        {"subcontractor_name": CHARITY},
    ),
    (
        "first_contact_physiotherapist",
        "Gareth Milburn",
        "PH123456",
        D(2023, 7, 1),
        "37.5",
        {"afc_band": "8a"},
    ),
    (
        "care_coordinator",
        "Hannah Robson",
        "",
        D(2021, 6, 1),
        "22.5",
        {"afc_band": "4"},
    ),  # part-time
    (
        "social_prescribing_link_worker",
        "Margaret Dodd",
        "",
        D(2017, 5, 2),
        "37.5",
        {"in_post_at_baseline": True},
    ),
]
OTHER_PCN_POSTS = [
    ("clinical_pharmacist", "Daniel Forster", "2079876", D(2024, 4, 1), "37.5", {}),
    ("social_prescribing_link_worker", "Aisha Bell", "", D(2023, 2, 6), "37.5", {}),
]


def _add(pcn: PCN, rows, *, by, stdout) -> int:
    members = Membership.objects.current().filter(pcn=pcn).select_related("practice")
    practice = members.order_by("practice__code").first()
    if practice is None:
        stdout.write(f"  {pcn.code} has no current member practice: no demo posts added.")
        return 0
    added = 0
    for code, name, registration, start, hours, extra in rows:
        role = Role.objects.get(code=code)
        if Post.objects.filter(pcn=pcn, role=role, person_name=name).exists():
            continue
        employer = (
            {} if "subcontractor_name" in extra else {"employing_practice": practice.practice}
        )
        services.post_create(
            pcn=pcn,
            role=role,
            person_name=name,
            registration_number=registration,
            start_date=start,
            hours=Decimal(hours),
            by=by,
            **employer,
            **extra,
        )
        added += 1
    return added


def seed_demo(*, stdout) -> None:
    director = User.objects.filter(username="demo-director").select_related("pcn").first()
    if director is None or director.pcn is None:
        stdout.write("Roles: no demo-director with a PCN, so no demo posts were added.")
        return
    added = _add(director.pcn, DEMO_PCN_POSTS, by=director, stdout=stdout)
    others = (
        PCN.objects.filter(commissioner=director.pcn.commissioner, close_date__isnull=True)
        .exclude(pk=director.pcn.pk)
        .order_by("code")[:2]
    )
    for pcn in others:
        added += _add(pcn, OTHER_PCN_POSTS, by=None, stdout=stdout)
    stdout.write(f"Roles: {added} demo ARRS posts added.")
