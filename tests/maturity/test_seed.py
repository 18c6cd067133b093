"""The demo's PCN development: a baseline and a later round with movement for every demo PCN, an
open round for the demo director to complete, and the checklist; loading it twice changes
nothing."""

import io

import pytest

from maturity import selectors
from maturity.models import Assessment, AssessmentRound, DomainRating, ExpectationStatus
from maturity.seed import seed_demo
from tests.networks.factories import CommissionerFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.django_db


def _everything() -> tuple:
    models = (AssessmentRound, Assessment, DomainRating, ExpectationStatus)
    return tuple((m.objects.count(), m.history.count()) for m in models)


def test_the_demo_is_loaded_once_with_movement_between_rounds():
    area = CommissionerFactory(code="00L")
    pcns = [PCNFactory(commissioner=area) for _ in range(3)]
    ClinicalDirectorUserFactory(username="demo-director", pcn=pcns[0])
    CommissionerStaffFactory(username="demo-commissioner", commissioner=area)
    seed_demo(stdout=io.StringIO())

    rounds = list(AssessmentRound.objects.order_by("date"))
    assert [r.is_open for r in rounds] == [False, False, True]
    progress = selectors.pcn_progress(pcns[0])
    assert len(progress.assessments) == 2  # the open round's is left for the director
    assert any(d.movement for d in progress.domains)
    assert Assessment.objects.filter(round=rounds[2], pcn=pcns[0], status="draft").exists()
    assert ExpectationStatus.objects.filter(pcn=pcns[0]).count() == 4

    before = _everything()
    seed_demo(stdout=io.StringIO())
    assert _everything() == before


def test_without_the_demo_users_nothing_is_added():
    out = io.StringIO()
    seed_demo(stdout=out)
    assert not AssessmentRound.objects.exists()
    assert "Skipped" in out.getvalue()
