"""Apply the national pay awards of 2025/26 and 2026/27 to the ARRS maxima, as derived figures.

arrs.md: the 2025/26 awards (Agenda for Change 3.6%, GPs 4%, backdated to 1 April 2025) and the
2026/27 Agenda for Change award (3.3% from 1 April 2026) have no published maxima; derive them
by the on-cost formula (reimbursement.calculations.uplifted_maximum), in this order, so the
2026/27 figures build on the derived 2025/26 ones. The same rule as
`python manage.py apply_pay_award` (reimbursement.services.pay_awards), written again here
against the historical models: for each role of the group and each region, every band's figure
of the latest date on or before the award's is the base; a pre-award figure of the award's own
date is kept, superseded by the derived one. A band that already has a derived figure of the
date is left alone, so running this again changes nothing. Reversing leaves the figures (claims
may have used them); remove them in the admin if they must go.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

from reimbursement.calculations import uplifted_maximum

GP = "gp"
GROUPS = {"afc": "Agenda for Change", GP: "GP (DDRB)"}
# (group, percentage, from): arrs.md, "National uplifts".
AWARDS = [
    ("afc", "3.6", dt.date(2025, 4, 1)),
    (GP, "4", dt.date(2025, 4, 1)),
    ("afc", "3.3", dt.date(2026, 4, 1)),
]
DERIVED_UPLIFT = "derived-uplift"
PROVENANCE_LABELS = {
    "published": "published",
    "published-date-inferred": "published (start date inferred)",
    "derived-band": "derived from the same band",
    "derived-uplift": "derived by a pay award",
}


def _day(day):
    return f"{day.day} {day:%B %Y}"


def _in_force(Rate, roles, on):
    rates = (
        Rate.objects.filter(superseded_by__isnull=True, role__in=roles, effective_from__lte=on)
        .select_related("role")
        .order_by("role__name", "region", "-effective_from", "afc_band")
    )
    latest = {}
    for rate in rates:
        if latest.setdefault((rate.role_id, rate.region), rate.effective_from) == (
            rate.effective_from
        ):
            yield rate


def apply_awards(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    Rate = apps.get_model("roles", "Rate")
    for group, percent, effective_from in AWARDS:
        roles = Role.objects.filter(code=GP) if group == GP else Role.objects.exclude(code=GP)
        label = f"{GROUPS[group]} pay award of {percent}% from {_day(effective_from)}"
        for base in list(_in_force(Rate, roles, effective_from)):
            same_day = base.effective_from == effective_from
            if same_day and base.provenance == DERIVED_UPLIFT:
                continue
            if same_day:
                Rate.objects.filter(pk=base.pk).update(superseded_by=base.pk)
            rate = Rate.objects.create(
                role=base.role,
                region=base.region,
                afc_band=base.afc_band,
                effective_from=effective_from,
                annual_max=uplifted_maximum(
                    base.annual_max,
                    base_from=base.effective_from,
                    award=Decimal(percent) / Decimal("100"),
                    award_from=effective_from,
                ),
                provenance=DERIVED_UPLIFT,
                basis=(
                    f"{label}: £{base.annual_max:,.0f} from {_day(base.effective_from)} "
                    f"({PROVENANCE_LABELS.get(base.provenance, base.provenance)}) raised by the "
                    "award with the on-cost formula of arrs.md (the salary taken out with the "
                    "on-costs of the base's date, priced with those of the award's date, "
                    "rounded half up to the pound)."
                ),
            )
            if same_day:
                Rate.objects.filter(pk=base.pk).update(superseded_by=rate.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursement", "0003_line_rate_used"),
        ("roles", "0004_load_published_maxima"),
    ]

    operations = [migrations.RunPython(apply_awards, migrations.RunPython.noop)]
