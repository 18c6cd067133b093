"""A PCN of two practices with weighted list sizes on 1 January 2025, so its 2025/26 ARR sum
(the seeded £26.631 per weighted patient) is known; its clinical director and commissioner
staff; and another area's PCN, director and staff."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

WEIGHTED = (Decimal("10500.25"), Decimal("8123.50"))


@dataclass
class World:
    pcn: object
    director: object
    staff: object
    other_pcn: object
    other_director: object
    other_staff: object
    practice: object


@pytest.fixture
def world(db):
    ours, theirs = CommissionerFactory(code="Q1W"), CommissionerFactory(code="Q2W")
    pcn = PCNFactory(code="U71001", name="Tynedale Plan PCN", commissioner=ours)
    practices = []
    for weighted in WEIGHTED:
        practice = MembershipFactory(pcn=pcn).practice
        ListSizeFactory(practice=practice, date=dt.date(2025, 1, 1), weighted_patients=weighted)
        practices.append(practice)
    other = PCNFactory(code="U72001", name="Elsewhere Plan PCN", commissioner=theirs)
    MembershipFactory(pcn=other)
    return World(
        pcn=pcn,
        director=ClinicalDirectorUserFactory(pcn=pcn),
        staff=CommissionerStaffFactory(commissioner=ours),
        other_pcn=other,
        other_director=ClinicalDirectorUserFactory(pcn=other),
        other_staff=CommissionerStaffFactory(commissioner=theirs),
        practice=practices[0],
    )
