"""Seed the editable reference lists: referral sources and common reasons (social-prescribing.md)."""

from django.db import migrations

SOURCES = [
    "Primary care (GP practice)",
    "Self referral",
    "Social care",
    "Mental health services",
    "Acute hospital",
    "Pharmacy",
    "Local authority",
    "Housing",
    "Jobcentre",
    "Police",
    "Fire and rescue service",
    "Voluntary organisation",
]

REASONS = [
    "Loneliness and social isolation",
    "Low-level mental health",
    "Physical activity",
    "Loss of confidence",
    "Long-term conditions",
    "Complex social needs (housing, debt, benefits)",
    "Bereavement",
    "Carers' support",
]


def seed(apps, schema_editor):
    for model_name, names in (("ReferralSource", SOURCES), ("ReferralReason", REASONS)):
        model = apps.get_model("referrals", model_name)
        for name in names:
            model.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_directory_referrals_outcomes_audit")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
