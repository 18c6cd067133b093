"""The `backfill` payment stream: approved backfill claims (development.BackfillClaim) become
approved declared amounts in it, paid by the monthly batch to the claiming practice. NHS Payments
to General Practice reports no column for it, so nothing is reconciled against the national file."""

from django.db import migrations

BACKFILL = {
    "name": "Backfill for practices (PCN development)",
    "paid_to": "practice",
    "basis": "declared",
    "reported_columns": [],
    "display_order": 90,
    "description": "Approved backfill claims from PCN development funding, paid to the "
    "practice that claimed.",
}


def add_backfill_stream(apps, schema_editor):
    Stream = apps.get_model("reimbursement", "PaymentStream")
    Stream.objects.update_or_create(code="backfill", defaults=BACKFILL)


def remove_backfill_stream(apps, schema_editor):
    Stream = apps.get_model("reimbursement", "PaymentStream")
    Declared = apps.get_model("reimbursement", "DeclaredPayment")
    if not Declared.objects.filter(stream__code="backfill").exists():
        Stream.objects.filter(code="backfill").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("development", "0001_development_funding"),
        ("reimbursement", "0006_payment_streams"),
    ]

    operations = [migrations.RunPython(add_backfill_stream, remove_backfill_stream)]
