"""Progress: a PCN's stage in each domain over rounds (chart, table and CSV, the same figures),
and the commissioner's heat map of a round with the movement since each PCN's baseline, in a
fixed number of queries whatever the number of PCNs."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from maturity import selectors, services
from tests.maturity.factories import matrix_2019
from tests.networks.factories import CommissionerFactory, PCNFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.django_db

BASELINE = ["Foundation", "Step 1", "Foundation", "Step 1", "Foundation"]
LATER = ["Step 1", "Step 1", "Step 2", "Foundation", "Foundation"]


def _submit(assessment, names, by):
    version = matrix_2019()
    stages = {s.name: s for s in version.stages.all()}
    services.assessment_save(
        assessment=assessment,
        ratings={
            d.pk: services.RatingInput(stage=stages[name], evidence="Board minutes.")
            for d, name in zip(version.domains.order_by("position"), names, strict=True)
        },
        by=by,
        submit=True,
    )


def _world(pcn_count: int):
    commissioner = CommissionerFactory()
    pcns = [PCNFactory(commissioner=commissioner) for _ in range(pcn_count)]
    staff = CommissionerStaffFactory(commissioner=commissioner)
    director = ClinicalDirectorUserFactory(pcn=pcns[0])
    rounds = []
    for name, date, names in (
        ("Baseline, November 2019", dt.date(2019, 11, 29), BASELINE),
        ("Review, March 2020", dt.date(2020, 3, 31), LATER),
    ):
        opened = services.round_open(
            commissioner=commissioner,
            name=name,
            date=date,
            matrix_version=matrix_2019(),
            pcns=pcns,
            by=staff,
        )
        for assessment in opened.assessments.exclude(pcn=None):
            _submit(assessment, names, director)
        rounds.append(opened)
    return {"pcns": pcns, "staff": staff, "director": director, "rounds": rounds}


def test_the_progress_shows_each_domains_movement_since_the_baseline():
    world = _world(1)
    progress = selectors.pcn_progress(world["pcns"][0])
    assert [a.round.name for a in progress.assessments] == [
        "Baseline, November 2019",
        "Review, March 2020",
    ]
    assert [d.movement for d in progress.domains] == [1, 0, 2, -1, 0]


def test_the_progress_page_chart_table_and_csv_agree(client):
    world = _world(1)
    pcn = world["pcns"][0]
    client.force_login(world["director"])
    page = client.get(reverse("maturity:pcn_progress", args=[pcn.code])).content.decode()
    assert page.count('<figure class="maturity-chart"') == 5  # one chart per domain
    assert 'role="img"' in page
    assert "Up 2 stages" in page and "Down 1 stage" in page and "No change" in page
    assert "Integrating care: Foundation in Baseline, November 2019" in page  # text alternative

    download = client.get(reverse("maturity:pcn_progress_csv", args=[pcn.code]))
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == [
        "Domain",
        "Baseline, November 2019 (29 November 2019)",
        "Review, March 2020 (31 March 2020)",
        "Change since baseline (stages)",
    ]
    assert rows[3] == ["Integrating care", "Foundation", "Step 2", "2"]


def test_a_pcn_with_no_submitted_assessment_says_so(client):
    pcn = PCNFactory()
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
    response = client.get(reverse("maturity:pcn_progress", args=[pcn.code]))
    assert 'data-testid="progress-empty"' in response.content.decode()


def test_the_heat_map_shows_every_pcn_and_its_movement(client):
    world = _world(2)
    later = world["rounds"][1]
    client.force_login(world["staff"])
    page = client.get(reverse("maturity:round_detail", args=[later.pk])).content.decode()
    for pcn in world["pcns"]:
        assert f'data-testid="heat-row-{pcn.code}"' in page
    assert "Foundation to Step 2: Up 2 stages" in page
    assert "maturity-stage--2" in page

    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("maturity:round_csv", args=[later.pk])).content.decode())
        )
    )
    integrating = [r for r in rows if r["Domain"] == "Integrating care" and r["PCN code"]]
    assert {r["Movement since baseline (stages)"] for r in integrating} == {"2"}
    assert {r["Baseline round"] for r in integrating} == {"Baseline, November 2019"}
    place = [r for r in rows if not r["PCN code"]]
    assert len(place) == 5 and place[0]["Assessment"] == "Draft"


def test_the_baseline_round_is_marked_as_such():
    world = _world(1)
    heat = selectors.round_heat_map(world["rounds"][0])
    assert heat.rows[0].is_baseline
    assert [c.movement for c in heat.rows[0].cells] == [0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    "name, path",
    [
        ("round_detail", lambda w: reverse("maturity:round_detail", args=[w["rounds"][1].pk])),
        ("round_csv", lambda w: reverse("maturity:round_csv", args=[w["rounds"][1].pk])),
        ("progress", lambda w: reverse("maturity:pcn_progress", args=[w["pcns"][0].code])),
        ("index", lambda w: reverse("maturity:index")),
    ],
)
def test_pages_take_a_fixed_number_of_queries(client, django_assert_max_num_queries, name, path):
    for size in (2, 6):
        world = _world(size)
        client.force_login(world["staff"])
        with django_assert_max_num_queries(16):
            assert client.get(path(world)).status_code == 200


def test_the_assessment_form_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    world = _world(2)
    own = world["rounds"][1].assessments.get(pcn=world["pcns"][0])
    client.force_login(world["director"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("maturity:assessment_detail", args=[own.pk])).status_code == 200
