"""Demo PCN development funding for Northumberland (00L): an allocation shaped like seed paper
003's (an ICS allocation with an earmark for population health management analysts and clinical
backfill, and a share for clinical director development), commitments and spend across the
prospectus's domains, backfill claims from the demo practice, and commissioner-funded baseline
posts. Every figure and person is invented; Oxfordshire's real figures are not Northumberland's.
Safe to run twice: each row is found by its key before it is made."""

import datetime as dt
from decimal import Decimal

from networks.models import PCN
from pcn_admin.models import User
from roles.models import Post, Role

from . import services
from .models import Allocation, BackfillClaim, BaselinePost, Commitment, Domain, Earmark, Spend

D = dt.date
YEAR = 2025  # 2025/26
ALLOCATION = {
    "name": "National PCN development support 2025/26",
    "source": "North East and North Cumbria ICS",
    "amount": Decimal("250000.00"),
    "note": "Invented for the demo. Shaped like seed paper 003's allocation to Buckinghamshire, "
    "Oxfordshire and Berkshire West (£1.293m through the ICS, £400k of it earmarked for "
    "population health management analysts and clinical backfill, at least 10% for clinical "
    "director development): the earmark here is the same share, 400/1293 of the allocation. "
    "Not Northumberland's real figure.",
}
EARMARK = "Population health management analysts and clinical backfill"
# 400/1293 of £250,000, to the penny.
EARMARK_AMOUNT = Decimal("77339.52")
# description, domain, to the demo PCN (True), another PCN (an index) or a programme (a name),
# amount, clinical director development, on the earmark
COMMITMENTS = [
    (
        "Clinical directors' leadership programme",
        Domain.LEADERSHIP,
        "Northumberland clinical directors' leadership programme",
        "15000.00",
        True,
        False,
    ),
    ("Clinical director coaching", Domain.LEADERSHIP, True, "5000.00", True, False),
    (
        "Facilitated organisational development sessions",
        Domain.ORGANISATIONAL,
        True,
        "12000.00",
        False,
        False,
    ),
    (
        "Place-based PCN collaboration network",
        Domain.COLLABORATIVE,
        "Northumberland PCN collaboration network",
        "18000.00",
        False,
        False,
    ),
    (
        "Population health management analysts",
        Domain.ORGANISATIONAL,
        "Population health management analyst team",
        "60000.00",
        False,
        True,
    ),
    (
        "Backfill for practices: maturity matrix workshops",
        Domain.BACKFILL,
        True,
        "8000.00",
        False,
        True,
    ),
    (
        "Backfill for practices: maturity matrix workshops",
        Domain.BACKFILL,
        0,
        "6000.00",
        False,
        True,
    ),
]
# commitment description, date, amount, note
SPEND = [
    (
        "Facilitated organisational development sessions",
        D(2025, 9, 15),
        "4500.00",
        "Facilitator, first two sessions",
    ),
    ("Clinical directors' leadership programme", D(2025, 10, 1), "7500.00", "First cohort's fees"),
]
# who, activity, date, hours, rate, what happens next (approve, reject: reason, or wait)
BACKFILL = [
    (
        "Dr Rachel Hedley (GP partner)",
        "PCN maturity matrix baseline workshop",
        D(2025, 9, 18),
        "3.5",
        "95.00",
        "approve",
    ),
    (
        "Susan Reay (practice nurse)",
        "PCN maturity matrix baseline workshop",
        D(2025, 9, 18),
        "3.5",
        "32.50",
        "wait",
    ),
    (
        "Dr Rachel Hedley (GP partner)",
        "Clinical directors' away day",
        D(2025, 11, 6),
        "7.5",
        "95.00",
        "reject: The away day is funded through the clinical directors' leadership programme.",
    ),
]


def _allocation(commissioner, by) -> Allocation:
    existing = Allocation.objects.filter(
        commissioner=commissioner, year=YEAR, name=ALLOCATION["name"]
    ).first()
    return existing or services.allocation_create(
        commissioner=commissioner, year=YEAR, by=by, **ALLOCATION
    )


def _earmark(allocation, by) -> Earmark:
    existing = allocation.earmarks.filter(name=EARMARK).first()
    return existing or services.earmark_create(
        allocation=allocation,
        name=EARMARK,
        amount=EARMARK_AMOUNT,
        note="Invented for the demo: the seed's share (400/1293) of this allocation.",
        by=by,
    )


def _commitments(allocation, earmark, demo_pcn, others, by) -> dict[tuple, Commitment]:
    made = {}
    for description, domain, to, amount, cd, earmarked in COMMITMENTS:
        pcn, programme = None, ""
        if to is True:
            pcn = demo_pcn
        elif isinstance(to, int) and not isinstance(to, bool):
            if to >= len(others):
                continue
            pcn = others[to]
        else:
            programme = to
        found = allocation.commitments.filter(
            description=description, pcn=pcn, programme=programme
        ).first()
        made[(description, pcn.pk if pcn else None)] = found or services.commitment_create(
            allocation=allocation,
            pcn=pcn,
            programme=programme,
            description=description,
            domain=domain,
            clinical_director_development=cd,
            earmark=earmark if earmarked else None,
            amount=Decimal(amount),
            by=by,
        )
    return made


def _spend(commitments, by) -> None:
    by_description = {description: row for (description, _), row in commitments.items()}
    for description, day, amount, note in SPEND:
        commitment = by_description[description]
        if not Spend.objects.filter(commitment=commitment, date=day, note=note).exists():
            services.spend_record(
                commitment=commitment, amount=Decimal(amount), date=day, note=note, by=by
            )


def _backfill(commitment, practice_manager, reviewer) -> int:
    added = 0
    for who, activity, day, hours, rate, then in BACKFILL:
        claim = BackfillClaim.objects.filter(
            practice=practice_manager.practice, person_name=who, date=day, activity=activity
        ).first()
        if claim is None:
            claim = services.backfill_claim_submit(
                commitment=commitment,
                practice=practice_manager.practice,
                person_name=who,
                activity=activity,
                date=day,
                hours=Decimal(hours),
                hourly_rate=Decimal(rate),
                by=practice_manager,
            )
            added += 1
        if claim.status != BackfillClaim.Status.SUBMITTED:
            continue
        if then == "approve":
            services.backfill_claim_approve(claim=claim, by=reviewer)
        elif then.startswith("reject: "):
            services.backfill_claim_reject(claim=claim, reason=then[8:], by=reviewer)
    return added


def _baseline_posts(demo_pcn, others, by) -> int:
    added = 0
    margaret = Post.objects.filter(
        pcn=demo_pcn, person_name="Margaret Dodd", in_post_at_baseline=True
    ).first()
    rows = [
        (
            demo_pcn,
            "social_prescribing_link_worker",
            Decimal("1.00"),
            D(2017, 5, 2),
            margaret,
            "Invented for the demo: a link worker the CCG funded before the DES.",
        )
    ]
    if others:
        rows.append(
            (
                others[0],
                "paramedic",
                Decimal("2.00"),
                D(2018, 10, 1),
                None,
                "Invented for the demo: paramedics the CCG funded before the DES.",
            )
        )
    for pcn, role_code, wte, start, post, note in rows:
        role = Role.objects.get(code=role_code)
        if BaselinePost.objects.filter(pcn=pcn, role=role, start_date=start).exists():
            continue
        services.baseline_post_create(
            pcn=pcn, role=role, wte=wte, start_date=start, post=post, note=note, by=by
        )
        added += 1
    return added


def seed_demo(*, stdout) -> None:
    staff = User.objects.filter(username="demo-commissioner").select_related("commissioner").first()
    director = User.objects.filter(username="demo-director").select_related("pcn").first()
    manager = User.objects.filter(username="demo-practice").select_related("practice").first()
    if staff is None or director is None or director.pcn is None or manager is None:
        stdout.write("Development: the demo users are missing, so no development funding added.")
        return
    demo_pcn = director.pcn
    others = list(
        PCN.objects.filter(commissioner=demo_pcn.commissioner, close_date__isnull=True)
        .exclude(pk=demo_pcn.pk)
        .order_by("code")[:2]
    )
    allocation = _allocation(staff.commissioner, staff)
    earmark = _earmark(allocation, staff)
    commitments = _commitments(allocation, earmark, demo_pcn, others, staff)
    _spend(commitments, staff)
    backfill = commitments[("Backfill for practices: maturity matrix workshops", demo_pcn.pk)]
    claims = _backfill(backfill, manager, staff)
    posts = _baseline_posts(demo_pcn, others, staff)
    stdout.write(
        f"Development: {allocation} with {len(commitments)} commitments; {claims} backfill "
        f"claim(s) and {posts} baseline post(s) added."
    )
