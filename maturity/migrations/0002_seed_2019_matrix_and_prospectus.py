"""Seed the 2019 PCN maturity matrix's structure and the prospectus's March 2020 expectations,
exactly as ../shared/domain/pcn-funding.md gives them, and no more.

The matrix's domains and stages are as it is "commonly given" there, so the version is seeded
unverified: a national administrator confirms it in the admin. Its descriptors (the wording of
each stage in each domain) are not in the shared facts: they are seeded empty, and pages show
"Descriptor not yet entered" until someone enters the published wording. The matrix's day of
publication is not given either (only "Aug 2019"): the 1st stands for it, as the source says.
"""

import datetime as dt

from django.db import migrations

MATRIX_NAME = "PCN maturity matrix 2019"
MATRIX_SOURCE = (
    "NHS England, PCN maturity matrix (August 2019; the day is not recorded here). Domains and "
    "stages as the 2019 matrix is commonly given (seed paper 003, Oxfordshire, 2019): not yet "
    "checked against the published matrix. Descriptors not yet entered."
)
DOMAINS = [
    "Leadership, planning and partnerships",
    "Use of data and population health management",
    "Integrating care",
    "Managing resources",
    "Working with people and communities",
]
STAGES = ["Foundation", "Step 1", "Step 2", "Step 3"]

PROSPECTUS = (
    "PCN Development Support prospectus (NHS England, 2019): what each PCN was expected to "
    "have done by March 2020 (seed paper 003)."
)
BY_MARCH_2020 = dt.date(2020, 3, 31)
# key, what the PCN should have done, how it is known
EXPECTATIONS = [
    ("five-year-journey", "Understand its five-year journey", "typed"),
    ("single-team", "Function as a single team", "typed"),
    (
        "network-shaping-ics-plan",
        "Be part of a network of PCNs shaping the ICS plan",
        "typed",
    ),
    (
        "multidisciplinary-teams",
        "Have formed multi-disciplinary teams with community partners",
        "typed",
    ),
    ("links-with-local-people", "Have links with local people", "typed"),
    ("arrs-entitlement-used", "Have used 100% of its ARRS entitlement", "arrs_entitlement"),
    (
        "service-improvement-project",
        "Have started a service improvement project",
        "typed",
    ),
    ("estates-planning", "Have started planning estates with partners", "typed"),
    (
        "ready-for-service-specifications",
        "Be ready for the national service specifications from April 2020",
        "typed",
    ),
]


def seed(apps, schema_editor):
    MatrixVersion = apps.get_model("maturity", "MatrixVersion")
    Domain = apps.get_model("maturity", "Domain")
    Stage = apps.get_model("maturity", "Stage")
    Descriptor = apps.get_model("maturity", "Descriptor")
    Expectation = apps.get_model("maturity", "Expectation")

    version, _ = MatrixVersion.objects.get_or_create(
        name=MATRIX_NAME,
        defaults={
            "date": dt.date(2019, 8, 1),
            "status": "in_use",
            "source": MATRIX_SOURCE,
            "verified": False,
        },
    )
    stages = [
        Stage.objects.get_or_create(version=version, position=position, defaults={"name": name})[0]
        for position, name in enumerate(STAGES)
    ]
    for position, name in enumerate(DOMAINS, start=1):
        domain, _ = Domain.objects.get_or_create(
            version=version, position=position, defaults={"name": name}
        )
        for stage in stages:
            Descriptor.objects.get_or_create(domain=domain, stage=stage, defaults={"text": ""})

    for position, (key, text, measure) in enumerate(EXPECTATIONS, start=1):
        Expectation.objects.get_or_create(
            key=key,
            defaults={
                "position": position,
                "text": text,
                "due_date": BY_MARCH_2020,
                "measure": measure,
                "source": PROSPECTUS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("maturity", "0001_matrix_rounds_and_prospectus")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
