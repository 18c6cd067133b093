"""Time the ePCN import on PostgreSQL against the parse it used to need: the openpyxl parse
(the reference), the parse the import now uses (calamine), the whole import into an empty
register, and the same file imported again (no changes).

Goal (issue 18): the cold import within 1.5x of the openpyxl parse measured in the same run,
and the repeat within 1.2x. The machine is shared, so each figure is the median of RUNS runs
(each run times all four, in turn), and each ratio is the median of the runs' own ratios.

Uses DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/pcn_admin_bench (created and
migrated if missing). Each run's imports happen inside one transaction that is rolled back, so
the database is left as it was: the register is emptied, imported into, and imported into again.
Reads the real Oct 2024 ePCN file from ../shared/data/, which a fresh clone may not have.
"""

import os
import statistics
import sys
import time
from pathlib import Path

from national import ensure_database

ROOT = Path(__file__).resolve().parent.parent
EPCN = ROOT.parent / "shared" / "data" / "epcn-2024-10" / "ePCN.xlsx"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pcn_admin_bench"
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "5"))
COLD_GOAL = 1.5  # the cold import, as a multiple of the openpyxl parse
REPEAT_GOAL = 1.2  # the repeat import, likewise


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


def _seconds(run) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def _one_run() -> dict:
    """The four timings of one run, and the two imports' outcomes."""
    from django.db import transaction

    from networks import services
    from networks.importers.epcn import parse_epcn

    figures = {}
    figures["openpyxl"], reference = _seconds(lambda: parse_epcn(EPCN, engine="openpyxl"))
    figures["parse"], parsed = _seconds(lambda: parse_epcn(EPCN))
    if parsed != reference:
        raise RuntimeError("calamine and openpyxl read the file differently")
    with transaction.atomic():
        _empty_register()
        figures["cold"], figures["first"] = _seconds(lambda: services.epcn_import(path=EPCN))
        figures["repeat"], figures["again"] = _seconds(lambda: services.epcn_import(path=EPCN))
        transaction.set_rollback(True)
    figures["parsed"] = parsed
    return figures


def _print(label: str, value: str) -> None:
    print(f"   {label:<44} {value}", flush=True)


def main() -> None:
    if not EPCN.exists():
        print(f"   SKIPPED: the real ePCN file is absent ({EPCN}); bench_imports needs it.")
        return
    _setup_django()
    from django.db import connection
    from django.db.models import ProtectedError

    print(f"   database: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        runs = [_one_run() for _ in range(RUNS)]
    except ProtectedError as exc:
        print(f"   SKIPPED: other data depends on the register ({exc}); use an empty database.")
        return
    last = runs[-1]

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    print(f"   median of {RUNS} runs (each run times all four in turn; the machine is shared)")
    _print("parse with openpyxl read-only (reference)", f"{median('openpyxl'):6.2f} s")
    _print("parse with calamine (what the import uses)", f"{median('parse'):6.2f} s")
    _print("cold import (empty register, whole file)", f"{median('cold'):6.2f} s")
    _print("repeat import (no changes)", f"{median('repeat'):6.2f} s")
    for label, key, goal in (
        ("cold import / openpyxl parse", "cold", COLD_GOAL),
        ("repeat import / openpyxl parse", "repeat", REPEAT_GOAL),
    ):
        ratio = statistics.median(run[key] / run["openpyxl"] for run in runs)
        verdict = "yes" if ratio <= goal else "NO"
        _print(label, f"{ratio:5.2f}x   goal <= {goal}x: {verdict}")
    parsed = last["parsed"]
    print(f"   rows: {len(parsed.pcns)} PCNs, {len(parsed.memberships)} memberships")
    print(f"   first import counts: {last['first'].counts}")
    print(f"   repeat import changed anything: {last['again'].changed}")
