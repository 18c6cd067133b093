"""Reads of the register: populations on a date, warnings, current relationships.

Set-based: a page of PCNs costs one query for all their populations, not one per PCN.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from .models import (
    PCN,
    POPULATION_MAXIMUM,
    POPULATION_MINIMUM,
    ClinicalDirector,
    ListSize,
    Membership,
    NominatedPayee,
)


@dataclass
class MemberPopulation:
    practice_id: int
    practice_code: str
    practice_name: str
    registered: int | None
    registered_date: dt.date | None
    weighted: Decimal | None
    weighted_date: dt.date | None


@dataclass
class Population:
    """A PCN's populations on a date: sums over its members on that date."""

    on: dt.date
    members: list[MemberPopulation] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return sum(m.registered or 0 for m in self.members)

    @property
    def weighted(self) -> Decimal:
        return sum((m.weighted or Decimal("0") for m in self.members), Decimal("0"))

    @property
    def members_without_registered(self) -> list[MemberPopulation]:
        return [m for m in self.members if m.registered is None]

    @property
    def members_without_weighted(self) -> list[MemberPopulation]:
        return [m for m in self.members if m.weighted is None]


def _latest(field_name: str, on: dt.date, value: str):
    rows = ListSize.objects.filter(
        practice_id=OuterRef("practice_id"), date__lte=on, **{f"{field_name}__isnull": False}
    ).order_by("-date")
    return Subquery(rows.values(value)[:1])


def populations_on(pcn_ids: Iterable[int], on: dt.date | None = None) -> dict[int, Population]:
    """Each PCN's members on `on` with each member's latest list sizes on or before that date."""
    on = on or timezone.localdate()
    ids = list(pcn_ids)
    result = {pcn_id: Population(on=on) for pcn_id in ids}
    if not ids:
        return result
    rows = (
        Membership.objects.on(on)
        .filter(pcn_id__in=ids)
        .annotate(
            registered=_latest("registered_patients", on, "registered_patients"),
            registered_date=_latest("registered_patients", on, "date"),
            weighted=_latest("weighted_patients", on, "weighted_patients"),
            weighted_date=_latest("weighted_patients", on, "date"),
        )
        .order_by("practice__code")
        .values_list(
            "pcn_id",
            "practice_id",
            "practice__code",
            "practice__name",
            "registered",
            "registered_date",
            "weighted",
            "weighted_date",
        )
    )
    for pcn_id, *member in rows:
        if member[5] is not None:
            # SQLite hands a subquery's decimal back through a float: restore the stored 2 places.
            member[5] = Decimal(str(member[5])).quantize(Decimal("0.01"))
        result[pcn_id].members.append(MemberPopulation(*member))
    return result


def population_warnings(pcn: PCN, population: Population) -> list[str]:
    """The size band is guidance: outside it is a warning, never an error (networks.md)."""
    warnings = []
    if not population.members:
        warnings.append("This PCN has no member practices on this date.")
        return warnings
    registered = population.registered
    if registered < POPULATION_MINIMUM and not pcn.population_waiver_date:
        warnings.append(
            f"Registered population {registered:,} is below {POPULATION_MINIMUM:,} and no "
            "waiver is recorded. Record the commissioner's waiver or review the membership."
        )
    if registered > POPULATION_MAXIMUM:
        warnings.append(
            f"Registered population {registered:,} is above {POPULATION_MAXIMUM:,}: allowed, "
            "but check the network is still workable."
        )
    missing = population.members_without_registered
    if missing:
        codes = ", ".join(m.practice_code for m in missing)
        warnings.append(
            f"No registered list size on or before {population.on:%d %B %Y} for {codes}."
        )
    return warnings


def with_current_relationships(pcns: QuerySet[PCN]) -> QuerySet[PCN]:
    """Prefetch what a PCN listing shows, so a page costs the same whatever its length."""
    return pcns.select_related("commissioner").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.current()
            .select_related("practice")
            .order_by("practice__code"),
            to_attr="current_memberships",
        ),
        Prefetch(
            "clinical_directors",
            queryset=ClinicalDirector.objects.current(),
            to_attr="current_clinical_directors",
        ),
        Prefetch(
            "payees",
            queryset=NominatedPayee.objects.current().select_related("practice"),
            to_attr="current_payees",
        ),
    )
