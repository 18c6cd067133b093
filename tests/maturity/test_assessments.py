"""Self-assessment rounds: commissioner staff open them; the clinical director saves a draft and
submits the PCN's assessment; a stage of another matrix version is refused with nothing saved;
commissioner staff add the system's view and their own place-level assessment; history kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maturity import services
from maturity.models import Assessment, AssessmentRound, DomainRating
from tests.maturity.factories import (
    MatrixVersionFactory,
    StageFactory,
    matrix_2019,
)
from tests.networks.factories import CommissionerFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    commissioner = CommissionerFactory(code="Q7A", name="NHS Testshire Sub-ICB Location")
    pcns = [PCNFactory(commissioner=commissioner, code=f"U7700{i}") for i in (1, 2)]
    staff = CommissionerStaffFactory(commissioner=commissioner)
    director = ClinicalDirectorUserFactory(pcn=pcns[0])
    assessment_round = services.round_open(
        commissioner=commissioner,
        name="Baseline 2019",
        date=dt.date(2019, 11, 29),
        matrix_version=matrix_2019(),
        pcns=pcns,
        by=staff,
    )
    own = assessment_round.assessments.get(pcn=pcns[0])
    return {
        "commissioner": commissioner,
        "pcns": pcns,
        "staff": staff,
        "director": director,
        "round": assessment_round,
        "own": own,
    }


def _form(version, stage_names: list[str | None], action="save", **extra) -> dict:
    stages = {s.name: s.pk for s in version.stages.all()}
    data = {"action": action}
    for domain, name in zip(version.domains.order_by("position"), stage_names, strict=True):
        prefix = f"domain-{domain.pk}"
        data[f"{prefix}-stage"] = stages[name] if name else ""
        data[f"{prefix}-evidence"] = extra.get("evidence", f"Evidence for {domain.name}")
        data[f"{prefix}-next_steps"] = "Next steps agreed at the board."
    return data


ALL_STEP_1 = ["Step 1"] * 5
NEWER = "PCN maturity matrix 2022"


def test_opening_a_round_gives_each_pcn_and_the_place_a_draft(area):
    assessments = area["round"].assessments.all()
    assert assessments.count() == 3
    assert {a.pcn_id for a in assessments} == {area["pcns"][0].pk, area["pcns"][1].pk, None}
    assert set(assessments.values_list("status", flat=True)) == {"draft"}


def test_a_round_for_another_areas_pcn_is_refused():
    commissioner = CommissionerFactory()
    foreign = PCNFactory(code="U79999")
    with pytest.raises(ValidationError) as refused:
        services.round_open(
            commissioner=commissioner,
            name="R",
            date=dt.date(2020, 3, 1),
            matrix_version=matrix_2019(),
            pcns=[foreign],
            by=None,
        )
    assert "U79999 is not one of" in refused.value.message_dict["pcns"][0]
    assert not AssessmentRound.objects.exists()


def test_commissioner_staff_open_a_round_through_the_form(client, area):
    client.force_login(area["staff"])
    response = client.post(
        reverse("maturity:round_create"),
        {
            "commissioner": area["commissioner"].pk,
            "name": "Review, March 2020",
            "date": "2020-03-31",
            "matrix_version": matrix_2019().pk,
            "pcns": [p.pk for p in area["pcns"]],
        },
    )
    opened = AssessmentRound.objects.get(name="Review, March 2020")
    assert response.status_code == 302
    assert response["Location"] == reverse("maturity:round_detail", args=[opened.pk])
    assert opened.assessments.count() == 3


def test_a_round_form_with_no_pcn_keeps_what_was_typed(client, area):
    client.force_login(area["staff"])
    response = client.post(
        reverse("maturity:round_create"),
        {
            "commissioner": area["commissioner"].pk,
            "name": "Kept name",
            "date": "2020-03-31",
            "matrix_version": matrix_2019().pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one" in page
    assert 'value="Kept name"' in page
    assert AssessmentRound.objects.count() == 1


def test_the_director_saves_a_draft_then_submits(client, area):
    version = matrix_2019()
    own = area["own"]
    client.force_login(area["director"])
    url = reverse("maturity:assessment_edit", args=[own.pk])
    page = client.get(url).content.decode()
    assert "Leadership, planning and partnerships" in page
    assert 'data-testid="matrix-unverified"' in page

    response = client.post(url, _form(version, ["Foundation", None, None, None, None]))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == Assessment.Status.DRAFT
    assert own.ratings.filter(stage__name="Foundation").count() == 1

    response = client.post(url, _form(version, ALL_STEP_1, action="submit"))
    assert response["Location"] == reverse("maturity:assessment_detail", args=[own.pk])
    own.refresh_from_db()
    assert own.status == Assessment.Status.SUBMITTED
    assert own.submitted_by == area["director"]
    assert set(own.ratings.values_list("stage__name", flat=True)) == {"Step 1"}
    # Submitted: the edit page sends the director to the read-only view.
    assert client.get(url)["Location"] == reverse("maturity:assessment_detail", args=[own.pk])


def test_submitting_without_a_stage_for_every_domain_saves_nothing(client, area):
    version = matrix_2019()
    client.force_login(area["director"])
    url = reverse("maturity:assessment_edit", args=[area["own"].pk])
    data = _form(version, ["Step 2", "Step 1", None, "Step 1", "Step 1"], action="submit")
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a stage for Integrating care before submitting." in page
    assert "Evidence for Leadership, planning and partnerships" in page  # what was typed, kept
    assert not DomainRating.objects.filter(assessment=area["own"]).exists()
    area["own"].refresh_from_db()
    assert area["own"].status == Assessment.Status.DRAFT


def test_a_stage_of_another_matrix_version_is_refused_and_nothing_saved(client, area):
    version = matrix_2019()
    other = StageFactory(
        version=MatrixVersionFactory(name="PCN maturity matrix 2022"), name="Step 4"
    )
    client.force_login(area["director"])
    url = reverse("maturity:assessment_edit", args=[area["own"].pk])
    data = _form(version, ALL_STEP_1, action="submit")
    first = version.domains.order_by("position").first()
    data[f"domain-{first.pk}-stage"] = other.pk
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a stage of PCN maturity matrix 2019 for Leadership, planning and" in page
    assert not DomainRating.objects.exists()


def test_the_service_refuses_a_stage_of_another_version_by_name(area):
    other = StageFactory(
        version=MatrixVersionFactory(name="PCN maturity matrix 2022"), name="Step 4"
    )
    domain = matrix_2019().domains.first()
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            assessment=area["own"],
            ratings={domain.pk: services.RatingInput(stage=other)},
            by=area["director"],
        )
    message = refused.value.message_dict[f"domain-{domain.pk}-stage"][0]
    assert "“Step 4” is a stage of PCN maturity matrix 2022, not of PCN maturity matrix 2019" in (
        message
    )
    assert "Foundation, Step 1, Step 2, Step 3" in message
    assert not DomainRating.objects.exists()


def test_a_closed_round_cannot_be_changed(area):
    services.round_close(assessment_round=area["round"], by=area["staff"])
    domain = matrix_2019().domains.first()
    with pytest.raises(ValidationError, match="The round is closed"):
        services.assessment_save(
            assessment=area["own"],
            ratings={domain.pk: services.RatingInput()},
            by=area["director"],
        )


def test_the_director_cannot_open_another_pcns_assessment(client, area):
    other = area["round"].assessments.get(pcn=area["pcns"][1])
    client.force_login(area["director"])
    assert client.get(reverse("maturity:assessment_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("maturity:assessment_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("maturity:round_detail", args=[area["round"].pk])).status_code == 403


def test_commissioner_staff_cannot_complete_a_pcns_assessment(client, area):
    client.force_login(area["staff"])
    assert client.get(reverse("maturity:assessment_edit", args=[area["own"].pk])).status_code == 403


def test_another_areas_staff_see_nothing_of_the_round(client, area):
    client.force_login(CommissionerStaffFactory())
    assert client.get(reverse("maturity:round_detail", args=[area["round"].pk])).status_code == 404
    assert (
        client.get(reverse("maturity:assessment_detail", args=[area["own"].pk])).status_code == 404
    )


def test_a_link_worker_is_refused(client, area):
    client.force_login(LinkWorkerUserFactory(pcn=area["pcns"][0]))
    assert client.get(reverse("maturity:index")).status_code == 403
    assert (
        client.get(reverse("maturity:assessment_detail", args=[area["own"].pk])).status_code == 403
    )


def test_the_system_view_sits_beside_the_pcns_own(client, area):
    version = matrix_2019()
    services.assessment_save(
        assessment=area["own"],
        ratings={
            d.pk: services.RatingInput(stage=version.stages.get(name="Step 2"))
            for d in version.domains.all()
        },
        by=area["director"],
        submit=True,
    )
    client.force_login(area["staff"])
    url = reverse("maturity:system_view", args=[area["own"].pk])
    step_1 = version.stages.get(name="Step 1")
    data = {"system_view": "Strong leadership; data use still early."}
    for domain in version.domains.all():
        data[f"domain-{domain.pk}-stage"] = step_1.pk
        data[f"domain-{domain.pk}-comment"] = "We see step 1."
    assert client.post(url, data).status_code == 302
    own = Assessment.objects.get(pk=area["own"].pk)
    assert own.system_view == "Strong leadership; data use still early."
    assert set(own.ratings.values_list("stage__name", "system_stage__name")) == {
        ("Step 2", "Step 1")
    }
    page = client.get(reverse("maturity:assessment_detail", args=[own.pk])).content.decode()
    assert "Strong leadership; data use still early." in page


def test_commissioner_staff_complete_the_place_assessment(client, area):
    version = matrix_2019()
    client.force_login(area["staff"])
    url = reverse("maturity:place_assessment", args=[area["round"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(version, ["Step 1"] * 5, action="submit"))
    assert response["Location"] == reverse("maturity:round_detail", args=[area["round"].pk])
    place = area["round"].assessments.get(pcn=None)
    assert place.is_submitted and place.submitted_by == area["staff"]


def test_every_change_keeps_history(area):
    version = matrix_2019()
    domain = version.domains.first()
    services.assessment_save(
        assessment=area["own"],
        ratings={domain.pk: services.RatingInput(stage=version.stages.get(position=0))},
        by=area["director"],
    )
    services.assessment_save(
        assessment=area["own"],
        ratings={domain.pk: services.RatingInput(stage=version.stages.get(position=1))},
        by=area["director"],
    )
    rating = DomainRating.objects.get(assessment=area["own"], domain=domain)
    history = rating.history.order_by("history_id")
    assert [h.stage.name for h in history] == ["Foundation", "Step 1"]
    assert {h.history_user for h in history} == {area["director"]}
    assert area["round"].history.first().history_user == area["staff"]


def test_a_round_name_is_unique_in_an_area(area):
    with pytest.raises(ValidationError) as refused:
        services.round_open(
            commissioner=area["commissioner"],
            name="Baseline 2019",
            date=dt.date(2020, 1, 1),
            matrix_version=matrix_2019(),
            pcns=area["pcns"],
            by=area["staff"],
        )
    assert "already has a round with this name" in refused.value.message_dict["name"][0]
