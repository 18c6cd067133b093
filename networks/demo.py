"""Demo register: Northumberland (Sub-ICB 00L) from real national extracts, with invented people.

The extracts in networks/demo_data/ are cut from the national files (Open Government Licence);
the clinical directors and the payees' choice are invented for the demo (the demo users are
pcn_admin/demo.py's).
"""

import datetime as dt
from pathlib import Path

from django.db.models import Count, Q

from . import services
from .models import (
    PCN,
    ClinicalDirector,
    Commissioner,
    ListSize,
    Membership,
    NetworkAgreement,
    NominatedPayee,
)

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
DEMO_COMMISSIONER = "00L"
# The place 00L covers: its ODS name ("NHS NORTH EAST AND NORTH CUMBRIA ICB - 00L") names only
# its ICB. Sub-ICB location 00L is the former NHS Northumberland CCG.
DEMO_AREA_NAME = "Northumberland"
# The payments file carries no date; its 2019/20 "last known" weighted figures are taken as at
# 1 January 2020, the date the 2020/21 ARR sum is calculated on.
WEIGHTED_LIST_SIZE_DATE = dt.date(2020, 1, 1)
# Likewise the 2022/23 file's "last known" figures, the newest weighted lists the demo has: the
# entitlement names their date and warns that they are older than a later year's 1 January.
CURRENT_WEIGHTED_LIST_SIZE_DATE = dt.date(2023, 1, 1)

# Invented clinical directors (GMC-style numbers that are not real registrations).
DIRECTOR_NAMES = [
    ("Dr Aisha Kerr", "7900001"),
    ("Dr Tom Robson", "7900002"),
    ("Dr Fiona Charlton", "7900003"),
    ("Dr Neil Armstrong-Hay", "7900004"),
    ("Dr Priya Dodds", "7900005"),
    ("Dr Ewan Milburn", "7900006"),
    ("Dr Grace Forster", "7900007"),
    ("Dr Sam Ridley", "7900008"),
    ("Dr Hannah Bell", "7900009"),
]


def _demo_file(pattern: str) -> Path:
    matches = sorted(DEMO_DATA.glob(pattern))
    if not matches:
        raise FileNotFoundError(f"No demo extract matching {pattern} in {DEMO_DATA}")
    return matches[-1]


def _import_national_extracts(stdout) -> None:
    if PCN.objects.filter(commissioner__code=DEMO_COMMISSIONER).exists():
        return
    outcome = services.epcn_import(path=_demo_file("*epcn*.xlsx"))
    stdout.write(f"Imported ePCN extract: {outcome.counts}")
    outcome = services.list_sizes_import(path=_demo_file("*gp-reg-pat-prac*.csv"))
    stdout.write(f"Imported registered list sizes: {outcome.counts}")
    outcome = services.list_sizes_import(
        path=_demo_file("*payments*2019-20*.csv"), date=WEIGHTED_LIST_SIZE_DATE
    )
    stdout.write(f"Imported weighted list sizes: {outcome.counts}")


def _import_current_lists(stdout) -> None:
    """The 2022/23 payments file's weighted lists (its PCN code column is `Code`), once: also
    into a demo database seeded before they were added."""
    lists = ListSize.objects.filter(
        date=CURRENT_WEIGHTED_LIST_SIZE_DATE,
        weighted_patients__isnull=False,
        practice__memberships__pcn__commissioner__code=DEMO_COMMISSIONER,
    )
    if lists.exists():
        return
    outcome = services.list_sizes_import(
        path=_demo_file("*payments*2022-23*.csv"), date=CURRENT_WEIGHTED_LIST_SIZE_DATE
    )
    stdout.write(f"Imported weighted list sizes of 1 January 2023: {outcome.counts}")


def _open_pcns():
    return (
        PCN.objects.filter(commissioner__code=DEMO_COMMISSIONER, close_date__isnull=True)
        .annotate(members=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .order_by("-members", "code")
    )


def _seed_governance() -> None:
    """Agreement, payee and clinical director for each open PCN that has none yet."""
    for index, pcn in enumerate(_open_pcns()):
        members = list(
            Membership.objects.current()
            .filter(pcn=pcn)
            .select_related("practice")
            .order_by("practice__code")
        )
        if not members:
            continue
        start = max(pcn.open_date, dt.date(2019, 7, 1))
        payee_practice = members[0].practice
        if not NominatedPayee.objects.filter(pcn=pcn).exists():
            NominatedPayee.objects.create(pcn=pcn, practice=payee_practice, start_date=start)
        if not ClinicalDirector.objects.filter(pcn=pcn).exists():
            name, registration = DIRECTOR_NAMES[index % len(DIRECTOR_NAMES)]
            ClinicalDirector.objects.create(
                pcn=pcn,
                name=name,
                professional_registration=registration,
                is_gp=True,
                practice=payee_practice,
                start_date=start,
            )
        if not NetworkAgreement.objects.filter(pcn=pcn).exists():
            agreement = NetworkAgreement.objects.create(
                pcn=pcn,
                signed_date=start - dt.timedelta(days=1),
                schedules_completed=index % 3 != 2,
            )
            agreement.core_members.set([m.practice for m in members])


def demo_pcn() -> PCN:
    """The PCN the demo's people work in: the demo area's largest open PCN."""
    return _open_pcns().first()


def _name_the_area() -> None:
    """The demo area's name as people know it, unless someone has named it already."""
    commissioner = Commissioner.objects.filter(code=DEMO_COMMISSIONER, area_name="").first()
    if commissioner is not None:
        services.commissioner_update(commissioner=commissioner, by=None, area_name=DEMO_AREA_NAME)


def seed_register(*, stdout) -> None:
    _import_national_extracts(stdout)
    _import_current_lists(stdout)
    _name_the_area()
    _seed_governance()
