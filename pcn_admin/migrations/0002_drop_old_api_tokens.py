"""Drop DRF's authtoken table, left behind when django-rest-knox replaced it: it held every
old API token in clear, and those tokens never expired. Nothing reads it any more."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("pcn_admin", "0001_initial")]

    operations = [
        # IF EXISTS: a database created after the change never had the table.
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
