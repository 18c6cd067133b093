"""Load every ARRS maximum we have, with its provenance, from roles/data/maxima.csv (a copy of
the shared domain file, arrs.md): 63 rows, published or derived from a role on the same band.

Rows seeded by 0002 that the file holds are given their band, provenance and basis; the rest
are removed unless a batched claim has used them (a paid figure must stay explainable).
"""

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db import migrations

MAXIMA = Path(__file__).resolve().parent.parent / "data" / "maxima.csv"
ARRS_MD = "arrs.md (Network Contract DES specifications as quoted by the BMA, LMCs and ICBs)"


def read_maxima():
    with MAXIMA.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield {
                "role": row["role"],
                "region": row["region"],
                "afc_band": row["afc_band"],
                "effective_from": dt.date.fromisoformat(row["effective_from"]),
                "annual_max": Decimal(row["annual_max"]),
                "provenance": row["provenance"],
                "basis": row["basis"],
            }


def load(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    Rate = apps.get_model("roles", "Rate")
    Percentage = apps.get_model("roles", "ReimbursementPercentage")
    EntitlementRate = apps.get_model("roles", "EntitlementRate")
    roles = {role.code: role for role in Role.objects.all()}
    kept = set()
    for row in read_maxima():
        role = roles[row["role"]]
        old = Rate.objects.filter(
            role=role,
            region=row["region"],
            effective_from=row["effective_from"],
            annual_max=row["annual_max"],
            afc_band__in=["", row["afc_band"]],
        ).first()
        rate = old or Rate(role=role, region=row["region"], effective_from=row["effective_from"])
        rate.afc_band = row["afc_band"]
        rate.annual_max = row["annual_max"]
        rate.provenance = row["provenance"]
        rate.basis = row["basis"]
        rate.save()
        kept.add(rate.pk)
    Rate.objects.exclude(pk__in=kept).filter(locked_at__isnull=True).delete()
    Rate.objects.exclude(pk__in=kept).update(
        provenance="published", basis="Seeded before the provenance of each figure was recorded."
    )
    Percentage.objects.filter(basis="").update(basis=ARRS_MD)
    Percentage.objects.update(provenance="published")
    EntitlementRate.objects.update(provenance="published")
    EntitlementRate.objects.filter(basis__startswith="Network Contract DES").update(basis=ARRS_MD)


class Migration(migrations.Migration):
    dependencies = [("roles", "0003_provenance")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
