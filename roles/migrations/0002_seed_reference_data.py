"""Seed the ARRS reference data exactly as /work/shared/domain/arrs.md gives it, and no more.

Figures marked (derived) there are seeded unverified. Rates the domain file does not give are
not seeded: a claim for such a month is refused until the commissioner adds the rate.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

D = dt.date
SOURCE = "Network Contract DES specification, as quoted by the BMA, LMCs and ICBs (arrs.md)."
DERIVED = (
    "Derived: rebuilt from the on-cost formula (salary + 14.38% pension + employer NI), "
    "not checked against a published figure. Verify before relying on it."
)

# code, name, first reimbursable, AfC band, unit, needs registration, sub-contract fee max
ROLES = [
    ("clinical_pharmacist", "Clinical pharmacist", D(2019, 7, 1), "7-8a", "hours", True, None),
    ("social_prescribing_link_worker", "Social prescribing link worker", D(2019, 7, 1),
     "up to 5", "hours", False, Decimal("200.00")),
    ("physician_associate", "Physician associate", D(2020, 4, 1), "7", "hours", False, None),
    ("first_contact_physiotherapist", "First contact physiotherapist", D(2020, 4, 1), "7-8a",
     "hours", True, None),
    ("pharmacy_technician", "Pharmacy technician", D(2020, 4, 1), "5", "hours", True, None),
    ("care_coordinator", "Care co-ordinator", D(2020, 4, 1), "4", "hours", False, None),
    ("health_wellbeing_coach", "Health and wellbeing coach", D(2020, 4, 1), "up to 5", "hours",
     False, None),
    ("dietitian", "Dietitian", D(2020, 4, 1), "7", "hours", True, None),
    ("podiatrist", "Podiatrist", D(2020, 4, 1), "7", "hours", True, None),
    ("occupational_therapist", "Occupational therapist", D(2020, 4, 1), "7", "hours", True, None),
    ("nursing_associate", "Nursing associate", D(2020, 10, 1), "4", "hours", True, None),
    ("trainee_nursing_associate", "Trainee nursing associate", D(2020, 10, 1), "3", "hours",
     False, None),
    ("paramedic", "Community paramedic", D(2021, 4, 1), "7", "hours", True, None),
    ("advanced_practitioner", "Advanced practitioner", D(2021, 4, 1), "8a", "hours", True, None),
    ("mental_health_practitioner", "Mental health practitioner", D(2021, 4, 1), "5-8a", "hours",
     True, None),
    ("gp_assistant", "GP assistant", D(2022, 10, 1), "4", "hours", False, None),
    ("digital_transformation_lead", "Digital and transformation lead", D(2022, 10, 1), "8a",
     "hours", False, None),
    ("enhanced_practice_nurse", "Enhanced practice nurse", D(2024, 4, 1), "7", "hours", True,
     None),
    ("gp", "Newly qualified GP (within 2 years of CCT)", D(2024, 10, 1), "", "sessions", True,
     None),
    ("general_practice_nurse", "General practice nurse", D(2025, 4, 1), "5-6", "hours", True,
     None),
    ("consultant_nurse", "Consultant nurse", D(2025, 4, 1), "8c", "hours", True, None),
    ("healthcare_support_worker", "Healthcare support worker", D(2025, 4, 1), "3", "hours",
     False, None),
]

# role, region, AfC band, effective from, annual max, verified, note
RATES = [
    ("clinical_pharmacist", "national", "", D(2019, 7, 1), "37810", True,
     "The cap on the 70% share in 2019/20."),
    ("clinical_pharmacist", "national", "", D(2020, 4, 1), "55670", True, ""),
    ("clinical_pharmacist", "national", "", D(2022, 4, 1), "57318", True, ""),
    ("clinical_pharmacist", "national", "", D(2022, 10, 1), "59312", True, ""),
    ("clinical_pharmacist", "national", "", D(2023, 7, 1), "62340", True, ""),
    ("clinical_pharmacist", "national", "", D(2024, 10, 1), "65838", True, ""),
    ("clinical_pharmacist", "outer_london", "", D(2024, 10, 1), "73189", True, ""),
    ("clinical_pharmacist", "inner_london", "", D(2024, 10, 1), "76313", True, ""),
    ("clinical_pharmacist", "national", "", D(2025, 4, 1), "66972", True, ""),
    ("clinical_pharmacist", "outer_london", "", D(2025, 4, 1), "74392", True, ""),
    ("clinical_pharmacist", "inner_london", "", D(2025, 4, 1), "77545", True, ""),
    ("first_contact_physiotherapist", "national", "", D(2022, 10, 1), "59312", True, ""),
    ("first_contact_physiotherapist", "national", "", D(2023, 7, 1), "62340", True, ""),
    ("social_prescribing_link_worker", "national", "", D(2019, 7, 1), "34113", True, ""),
    ("social_prescribing_link_worker", "national", "", D(2020, 4, 1), "35389", True, ""),
    ("social_prescribing_link_worker", "national", "", D(2022, 4, 1), "36428", True, ""),
    ("social_prescribing_link_worker", "national", "", D(2022, 10, 1), "38187", True, ""),
    ("social_prescribing_link_worker", "national", "", D(2023, 7, 1), "40159", True, ""),
    ("social_prescribing_link_worker", "national", "", D(2024, 10, 1), "42437", False, DERIVED),
    ("social_prescribing_link_worker", "national", "", D(2025, 4, 1), "43352", False, DERIVED),
    ("pharmacy_technician", "national", "", D(2020, 4, 1), "35389", True, ""),
    ("pharmacy_technician", "national", "", D(2022, 10, 1), "38187", True, ""),
    ("pharmacy_technician", "national", "", D(2023, 7, 1), "40159", True, ""),
    ("pharmacy_technician", "national", "", D(2024, 10, 1), "42437", True, ""),
    ("pharmacy_technician", "national", "", D(2025, 4, 1), "43352", True, ""),
    ("care_coordinator", "national", "", D(2021, 4, 1), "29726", True, ""),
    ("care_coordinator", "national", "", D(2022, 10, 1), "31746", True, ""),
    ("care_coordinator", "national", "", D(2023, 7, 1), "33396", True, ""),
    ("advanced_practitioner", "national", "", D(2021, 4, 1), "62705", True, ""),
    ("advanced_practitioner", "national", "", D(2024, 10, 1), "72141", True, ""),
    ("advanced_practitioner", "national", "", D(2025, 4, 1), "73334", True, ""),
    ("gp", "national", "", D(2024, 10, 1), "92462", True,
     "Built from a salary of £73,113 plus employer NI and pension."),
    ("gp", "outer_london", "", D(2024, 10, 1), "95233", True,
     "The specification gives one London rate; it is applied to inner and outer London."),
    ("gp", "inner_london", "", D(2024, 10, 1), "95233", True,
     "The specification gives one London rate; it is applied to inner and outer London."),
    ("general_practice_nurse", "national", "5", D(2025, 4, 1), "43352", True, "Band 5."),
    ("general_practice_nurse", "national", "6", D(2025, 4, 1), "53319", True, "Band 6."),
    ("consultant_nurse", "national", "", D(2025, 4, 1), "102683", True, ""),
    ("healthcare_support_worker", "national", "", D(2025, 4, 1), "32159", True, ""),
]

# The share of actual cost: 100% from each role's first day, with the two exceptions.
PERCENTAGE_EXCEPTIONS = {
    "clinical_pharmacist": [(D(2019, 7, 1), "70", "2019/20: 70% of actual cost."),
                            (D(2020, 4, 1), "100", "100% for every role from 1 April 2020.")],
    "mental_health_practitioner": [
        (D(2021, 4, 1), "50", "2021/22 to 2023/24: the PCN claims 50%, the mental health trust "
         "pays the rest."),
        (D(2024, 4, 1), "100", "100% from 1 April 2024."),
    ],
}

# year, £ per weighted patient, GP pot £, GP pot from, GP pot to
ENTITLEMENT = [
    (2020, "7.131", None, None, None),
    (2023, "22.671", None, None, None),
    (2024, "22.894", "1.303", D(2024, 10, 1), D(2025, 3, 31)),
    (2025, "26.631", None, None, None),
]


def seed(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    Rate = apps.get_model("roles", "Rate")
    Percentage = apps.get_model("roles", "ReimbursementPercentage")
    EntitlementRate = apps.get_model("roles", "EntitlementRate")
    roles = {}
    for code, name, first, band, unit, registration, fee_max in ROLES:
        roles[code], _ = Role.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                first_reimbursable=first,
                afc_band=band,
                unit=unit,
                needs_registration=registration,
                subcontract_fee_monthly_max=fee_max,
            ),
        )
    for code, region, band, effective_from, annual_max, verified, note in RATES:
        Rate.objects.get_or_create(
            role=roles[code],
            region=region,
            afc_band=band,
            effective_from=effective_from,
            defaults=dict(
                annual_max=Decimal(annual_max),
                verified=verified,
                source=" ".join(filter(None, [SOURCE if verified else "", note])),
            ),
        )
    for code, role in roles.items():
        rows = PERCENTAGE_EXCEPTIONS.get(
            code, [(role.first_reimbursable, "100", "100% of actual cost.")]
        )
        for effective_from, percentage, note in rows:
            Percentage.objects.get_or_create(
                role=role,
                effective_from=effective_from,
                defaults=dict(percentage=Decimal(percentage), source=f"{note} {SOURCE}"),
            )
    for year, rate, gp_rate, gp_from, gp_to in ENTITLEMENT:
        EntitlementRate.objects.get_or_create(
            year=year,
            defaults=dict(
                per_weighted_patient=Decimal(rate),
                gp_per_weighted_patient=Decimal(gp_rate) if gp_rate else None,
                gp_pot_from=gp_from,
                gp_pot_to=gp_to,
                verified=True,
                source=SOURCE,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("roles", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
