"""Demo workforce plans: the demo PCN's 2025/26 plan, submitted by its clinical director and
signed off by the commissioner's staff, and a draft 2025/26 plan for another PCN of the area.
Made through the services, as the people would; the posts planned are invented. Safe to run
again: a PCN that already has a plan for the year is left alone."""

import datetime as dt
from decimal import Decimal

from networks.models import PCN
from pcn_admin.models import User
from roles.models import Role

from . import services
from .models import WorkforcePlan

YEAR = 2025  # 2025/26: a year with a published ARR sum rate, so the headroom is known

# Posts each demo plan adds to the staff in post it starts from: role, hours a week, band,
# start month, note. Invented.
SIGNED_OFF_ADDITIONS = [
    ("pharmacy_technician", "37.5", "5", dt.date(2025, 10, 1), "Medicines reconciliation"),
    ("health_wellbeing_coach", "22.5", "4", dt.date(2026, 1, 1), "Weight management clinics"),
]
DRAFT_ADDITIONS = [
    ("mental_health_practitioner", "37.5", "7", dt.date(2025, 9, 1), "Shared with the trust"),
]


def _plan(pcn: PCN, additions, *, director, commissioner_staff, sign_off: bool) -> bool:
    if WorkforcePlan.objects.filter(pcn=pcn, year=YEAR).exists():
        return False
    plan = services.plan_start(pcn=pcn, year=YEAR, by=director)
    for code, hours, band, start, note in additions:
        services.planned_post_add(
            plan=plan,
            by=director,
            role=Role.objects.get(code=code),
            hours=Decimal(hours),
            afc_band=band,
            start_month=start,
            note=note,
        )
    if sign_off:
        services.plan_submit(plan=plan, by=director)
        services.plan_sign_off(plan=plan, by=commissioner_staff)
    return True


def seed_demo(*, stdout) -> None:
    director = User.objects.filter(username="demo-director").select_related("pcn").first()
    if director is None or director.pcn is None:
        stdout.write("Workforce: no demo-director with a PCN, so no demo plans were added.")
        return
    staff = User.objects.filter(username="demo-commissioner").first()
    added = _plan(
        director.pcn,
        SIGNED_OFF_ADDITIONS,
        director=director,
        commissioner_staff=staff,
        sign_off=staff is not None,
    )
    # Another PCN of the area with staff in post (roles/seed.py gives two of them posts).
    other = (
        PCN.objects.filter(commissioner=director.pcn.commissioner, close_date__isnull=True)
        .exclude(pk=director.pcn.pk)
        .filter(posts__isnull=False)
        .order_by("code")
        .first()
    )
    if other is not None:
        added += _plan(
            other, DRAFT_ADDITIONS, director=None, commissioner_staff=None, sign_off=False
        )
    stdout.write(f"Workforce: {added} demo workforce plans added.")
