"""Demo reported payments: Northumberland's rows of NHS England's 2022/23 NHS Payments to
General Practice file (networks/demo_data), imported for 2022/23 so the demo has a
reconciliation to read. Safe to run again: the same file for the same year changes nothing."""

from pathlib import Path

from django.apps import apps

from pcn_admin.dates import year_label

from .services import reported_import

DEMO_YEAR = 2022
DEMO_FILE = "nhs-payments-to-general-practice-2022-23-00L.csv"


def demo_file() -> Path:
    return Path(apps.get_app_config("networks").path) / "demo_data" / DEMO_FILE


def seed_demo(*, stdout) -> None:
    outcome = reported_import(path=demo_file(), year=DEMO_YEAR)
    if outcome.changed:
        stdout.write(
            f"Imported the payments reported for {year_label(DEMO_YEAR)}: "
            f"{outcome.counts['payments']} payments of {outcome.counts['rows']} practices."
        )
