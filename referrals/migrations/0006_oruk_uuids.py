"""Stable UUIDs for the Open Referral UK feed, which requires them as ids: added empty, filled
with a fresh UUID for each existing row, then made required and unique."""

import uuid

from django.db import migrations, models

MODELS = ("organisation", "service", "taxonomy", "taxonomyterm")


def fill_uuids(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("referrals", name)
        rows = list(model.objects.filter(uuid__isnull=True).only("pk"))
        for row in rows:
            row.uuid = uuid.uuid4()
        model.objects.bulk_update(rows, ["uuid"], batch_size=500)


def uuid_field(*, null: bool):
    if null:
        return models.UUIDField(null=True, editable=False)
    return models.UUIDField(
        "Open Referral UK id",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="The stable id the Open Referral UK feed publishes for this entry.",
    )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_referral_anonymised_at")]

    operations = [
        *[
            migrations.AddField(model_name=name, name="uuid", field=uuid_field(null=True))
            for name in MODELS
        ],
        migrations.RunPython(fill_uuids, migrations.RunPython.noop, elidable=False),
        *[
            migrations.AlterField(model_name=name, name="uuid", field=uuid_field(null=False))
            for name in MODELS
        ],
    ]
