"""Time the ePCN import on PostgreSQL: parse only, into an empty database, and a repeat.

Uses DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/pcn_admin_bench (created and
migrated if missing). Everything runs inside one transaction that is rolled back, so the
database is left as it was: the register is emptied, imported into, and imported into again.
Reads the real Oct 2024 ePCN file from ../shared/data/, which a fresh clone may not have.
"""

import os
import sys
import time
from pathlib import Path

from national import ensure_database

ROOT = Path(__file__).resolve().parent.parent
EPCN = ROOT.parent / "shared" / "data" / "epcn-2024-10" / "ePCN.xlsx"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pcn_admin_bench"


def _setup_django() -> None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        ensure_database(DEFAULT_URL)
        os.environ["DATABASE_URL"] = DEFAULT_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcn_admin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _empty_register() -> None:
    from networks import models

    # Dependants first; everything here hangs off the register with PROTECT.
    for model in (
        models.NetworkAgreement,
        models.NominatedPayee,
        models.ClinicalDirector,
        models.ListSize,
        models.Membership,
        models.Practice,
        models.PCN,
        models.Commissioner,
        models.ImportRecord,
    ):
        model.objects.all().delete()


def _timed(label: str, run):
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    print(f"   {label:<34} {seconds:6.2f} s", flush=True)
    return seconds, result


def main() -> None:
    if not EPCN.exists():
        print(f"   SKIPPED: the real ePCN file is absent ({EPCN}); bench_imports needs it.")
        return
    _setup_django()
    from django.db import connection, transaction
    from django.db.models import ProtectedError

    from networks import services
    from networks.importers.epcn import parse_epcn

    print(f"   database: {connection.vendor} {connection.settings_dict['NAME']}")
    parse, parsed = _timed("parse only (Oct 2024 ePCN)", lambda: parse_epcn(EPCN))
    with transaction.atomic():
        try:
            _empty_register()
        except ProtectedError as exc:
            print(f"   SKIPPED: other data depends on the register ({exc}); use an empty database.")
            return
        first, outcome = _timed(
            "import into an empty database", lambda: services.epcn_import(path=EPCN)
        )
        repeat, again = _timed(
            "repeat import (no changes)", lambda: services.epcn_import(path=EPCN)
        )
        transaction.set_rollback(True)
    print(f"   rows: {len(parsed.pcns)} PCNs, {len(parsed.memberships)} memberships")
    print(f"   first import counts: {outcome.counts}")
    print(f"   repeat import changed anything: {again.changed}")
    print(f"   ratio import/parse {first / parse:5.2f}   repeat/parse {repeat / parse:5.2f}")
    print("   targets: import < 10 s, repeat < 5 s on a 2-core machine")
