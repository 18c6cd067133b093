"""Reads for PCN development: the matrix as a grid, a PCN's stages over rounds, a round's heat map
with the movement since each PCN's baseline, and the prospectus checklist. Each read runs a fixed
number of queries whatever the number of PCNs, rounds or domains.

A PCN's baseline is its first submitted assessment (by the round's date): the first round is
the baseline for a PCN that submitted in it. Stages are compared across rounds by position
(foundation 0, step 1 is 1, ...), and domains by name, so a revised matrix that keeps a
domain's name still shows that domain's movement.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from networks.models import PCN
from pcn_admin.dates import year_label
from reimbursement import entitlement as arrs_money

from .models import (
    Assessment,
    AssessmentRound,
    Descriptor,
    Domain,
    DomainRating,
    Expectation,
    ExpectationStatus,
    MatrixVersion,
    Stage,
)

# The prospectus's year: by March 2020 each PCN was to have used its whole ARRS entitlement.
PROSPECTUS_YEAR = 2019


def domain_key(name: str) -> str:
    """Domains are matched across matrix versions by name, whatever the case or spacing."""
    return " ".join(name.split()).casefold()


# The matrix -----------------------------------------------------------------------------------


def current_matrix_version() -> MatrixVersion | None:
    """The newest version in use: the one a new round is offered first."""
    return MatrixVersion.objects.filter(status=MatrixVersion.Status.IN_USE).first()


@dataclass
class MatrixRow:
    domain: Domain
    descriptors: list[str]  # one per stage, in the stages' order


@dataclass
class MatrixGrid:
    version: MatrixVersion
    stages: list[Stage]
    rows: list[MatrixRow]


def matrix_grid(version: MatrixVersion) -> MatrixGrid:
    """Domains down, stages across, each descriptor (or "Descriptor not yet entered"). Three
    queries."""
    stages = list(version.stages.order_by("position"))
    domains = list(
        version.domains.order_by("position").prefetch_related(
            Prefetch("descriptors", queryset=Descriptor.objects.select_related("stage"))
        )
    )
    rows = []
    for domain in domains:
        by_stage = {d.stage_id: d for d in domain.descriptors.all()}
        rows.append(
            MatrixRow(
                domain=domain,
                descriptors=[
                    by_stage[s.pk].shown if s.pk in by_stage else Descriptor(text="").shown
                    for s in stages
                ],
            )
        )
    return MatrixGrid(version=version, stages=stages, rows=rows)


# One assessment --------------------------------------------------------------------------------


def assessment_with_ratings(assessment: Assessment) -> dict[int, DomainRating]:
    """The assessment's ratings by domain id."""
    ratings = DomainRating.objects.filter(assessment=assessment).select_related(
        "stage", "system_stage"
    )
    return {rating.domain_id: rating for rating in ratings}


def open_assessments_for(pcn: PCN) -> QuerySet[Assessment]:
    """The PCN's assessments in rounds still open, not yet submitted: what its clinical
    director has to do."""
    return (
        Assessment.objects.filter(
            pcn=pcn,
            status=Assessment.Status.DRAFT,
            round__status=AssessmentRound.Status.OPEN,
        )
        .select_related("round")
        .order_by("round__date", "round__pk")
    )


# Progress over rounds ------------------------------------------------------------------------


@dataclass
class Point:
    """A domain's stage in one round (None: not rated, or the domain is not in that matrix)."""

    stage: str | None
    position: int | None


@dataclass
class DomainProgress:
    name: str
    points: list[Point]  # one per round, oldest first
    movement: int | None  # latest less baseline, in stages
    since_previous: int | None


@dataclass
class Progress:
    assessments: list[Assessment]  # submitted, oldest (the baseline) first
    domains: list[DomainProgress]
    stage_names: list[str]  # the latest matrix's stages, for the chart's scale
    versions_differ: bool = False

    @property
    def baseline(self) -> Assessment | None:
        return self.assessments[0] if self.assessments else None

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None


def _difference(later: Point, earlier: Point) -> int | None:
    if later.position is None or earlier.position is None:
        return None
    return later.position - earlier.position


def pcn_progress(pcn: PCN) -> Progress:
    """Each domain's stage in each round the PCN submitted an assessment in. Three queries."""
    assessments = list(
        Assessment.objects.filter(pcn=pcn, status=Assessment.Status.SUBMITTED)
        .select_related("round", "round__matrix_version")
        .order_by("round__date", "round__pk")
    )
    if not assessments:
        return Progress(assessments=[], domains=[], stage_names=[])
    ratings = DomainRating.objects.filter(assessment__in=assessments).select_related(
        "domain", "stage"
    )
    by_assessment: dict[int, dict[str, DomainRating]] = {}
    for rating in ratings:
        by_assessment.setdefault(rating.assessment_id, {})[domain_key(rating.domain.name)] = rating
    latest_version = assessments[-1].round.matrix_version
    domains = list(latest_version.domains.order_by("position"))
    stage_names = [s.name for s in latest_version.stages.order_by("position")]
    rows = []
    for domain in domains:
        key = domain_key(domain.name)
        points = []
        for assessment in assessments:
            rating = by_assessment.get(assessment.pk, {}).get(key)
            stage = rating.stage if rating else None
            points.append(Point(stage.name if stage else None, stage.position if stage else None))
        rows.append(
            DomainProgress(
                name=domain.name,
                points=points,
                movement=_difference(points[-1], points[0]) if len(points) > 1 else None,
                since_previous=_difference(points[-1], points[-2]) if len(points) > 1 else None,
            )
        )
    versions = {a.round.matrix_version_id for a in assessments}
    return Progress(
        assessments=assessments,
        domains=rows,
        stage_names=stage_names,
        versions_differ=len(versions) > 1,
    )


# A round's heat map --------------------------------------------------------------------------


@dataclass
class HeatCell:
    stage: str | None
    position: int | None
    baseline: str | None = None
    movement: int | None = None


@dataclass
class HeatRow:
    assessment: Assessment
    cells: list[HeatCell]
    baseline_round: AssessmentRound | None = None
    is_baseline: bool = False

    @property
    def submitted(self) -> bool:
        return self.assessment.is_submitted


@dataclass
class HeatMap:
    round: AssessmentRound
    domains: list[Domain]
    stages: list[Stage]
    rows: list[HeatRow]  # the PCNs, by code
    place: HeatRow | None  # the place or system's own assessment
    submitted: int = 0
    counts: list[list[int]] = field(default_factory=list)  # per domain, PCNs at each stage

    @property
    def domain_counts(self) -> list[tuple[Domain, list[int]]]:
        return list(zip(self.domains, self.counts, strict=True))


def _first_submitted(pcn_ids: list[int]) -> dict[int, dict[str, DomainRating]]:
    """Each PCN's baseline: its first submitted assessment's ratings, by domain name."""
    ratings = (
        DomainRating.objects.filter(
            assessment__pcn_id__in=pcn_ids, assessment__status=Assessment.Status.SUBMITTED
        )
        .select_related("domain", "stage", "assessment__round")
        .order_by("assessment__round__date", "assessment__round_id")
    )
    baseline_of: dict[int, int] = {}  # pcn id -> assessment id
    found: dict[int, dict[str, DomainRating]] = {}
    for rating in ratings:
        pcn_id = rating.assessment.pcn_id
        first = baseline_of.setdefault(pcn_id, rating.assessment_id)
        if first == rating.assessment_id:
            found.setdefault(pcn_id, {})[domain_key(rating.domain.name)] = rating
    return found


def _cells(domains, ratings: dict[int, DomainRating]) -> list[HeatCell]:
    cells = []
    for domain in domains:
        rating = ratings.get(domain.pk)
        stage = rating.stage if rating else None
        cells.append(HeatCell(stage.name if stage else None, stage.position if stage else None))
    return cells


def round_heat_map(assessment_round: AssessmentRound) -> HeatMap:
    """Every PCN of the round by domain, with the movement since each PCN's baseline. Five
    queries."""
    version = assessment_round.matrix_version
    domains = list(version.domains.order_by("position"))
    stages = list(version.stages.order_by("position"))
    assessments = list(
        assessment_round.assessments.select_related("pcn", "round").prefetch_related(
            Prefetch("ratings", queryset=DomainRating.objects.select_related("stage"))
        )
    )
    pcn_ids = [a.pcn_id for a in assessments if a.pcn_id]
    baselines = _first_submitted(pcn_ids)
    rows, place = [], None
    for assessment in assessments:
        ratings = {r.domain_id: r for r in assessment.ratings.all()}
        shown = ratings if assessment.is_submitted else {}
        row = HeatRow(assessment=assessment, cells=_cells(domains, shown))
        if assessment.pcn_id is None:
            place = row
            continue
        base = baselines.get(assessment.pcn_id, {})
        if base:
            any_rating = next(iter(base.values()))
            row.baseline_round = any_rating.assessment.round
            row.is_baseline = any_rating.assessment_id == assessment.pk
        for domain, cell in zip(domains, row.cells, strict=True):
            earlier = base.get(domain_key(domain.name))
            if earlier and earlier.stage:
                cell.baseline = earlier.stage.name
                if cell.position is not None:
                    cell.movement = cell.position - earlier.stage.position
        rows.append(row)
    rows.sort(key=lambda r: r.assessment.pcn.code)
    counts = [
        [sum(1 for r in rows if r.cells[i].position == s.position) for s in stages]
        for i in range(len(domains))
    ]
    return HeatMap(
        round=assessment_round,
        domains=domains,
        stages=stages,
        rows=rows,
        place=place,
        submitted=sum(1 for r in rows if r.submitted),
        counts=counts,
    )


# The prospectus checklist --------------------------------------------------------------------


@dataclass
class ArrsUse:
    """ "Used 100% of its ARRS entitlement", worked out from the app's own figures."""

    state: str  # "met", "not_met" or "unknown"
    text: str  # Met / Not met / Not known
    detail: str
    spend: Decimal | None = None
    arr_sum: Decimal | None = None
    percent: Decimal | None = None


def arrs_use(pcn: PCN, year: int, today: dt.date | None = None) -> ArrsUse:
    """The PCN's approved ARRS claims in the year against its ARR sum (reimbursement.
    entitlement, the same figures as its dashboard). "Not known" when the sum cannot be worked
    out: 2019/20 had none, a year may have no rate, or its practices no weighted list sizes."""
    label = year_label(year)
    if year < arrs_money.FIRST_SUM_YEAR:
        return ArrsUse(
            "unknown",
            "Not known",
            f"{label} had no Additional Roles Reimbursement Sum to use: the scheme reimbursed "
            "one clinical pharmacist (at 70%) and one social prescribing link worker per PCN, "
            "so there is no entitlement to measure against. Choose a later year to see the "
            "PCN's use of its sum.",
        )
    try:
        entitlement = arrs_money.pcn_entitlement(pcn=pcn, year=year, today=today)
    except ValidationError as error:
        return ArrsUse("unknown", "Not known", " ".join(error.messages))
    if not entitlement.arr_sum:
        return ArrsUse(
            "unknown",
            "Not known",
            f"No weighted list sizes are recorded for the PCN's practices for {label}, so its "
            "ARR sum cannot be worked out.",
        )
    spend, arr_sum = entitlement.spend_to_date, entitlement.arr_sum
    percent = (spend * 100 / arr_sum).quantize(Decimal("0.1"), ROUND_HALF_UP)
    figures = f"approved claims £{spend:,.2f} of its ARR sum £{arr_sum:,.2f} ({percent}%)"
    if spend >= arr_sum:
        return ArrsUse("met", "Met", f"In {label}: {figures}.", spend, arr_sum, percent)
    today = today or timezone.localdate()
    if today <= dt.date(year + 1, 3, 31):
        # The year is not over: more claims may yet come.
        detail = f"In {label} so far: {figures}. The year runs to 31 March {year + 1}."
        return ArrsUse("not_met", "Not met yet", detail, spend, arr_sum, percent)
    return ArrsUse("not_met", "Not met", f"In {label}: {figures}.", spend, arr_sum, percent)


@dataclass
class ChecklistRow:
    expectation: Expectation
    status: ExpectationStatus | None
    worked_out: ArrsUse | None = None


def checklist(pcn: PCN, *, year: int, today: dt.date | None = None) -> list[ChecklistRow]:
    """The March 2020 expectations, each with the PCN's recorded status, and the ARRS one
    worked out. Two queries, and the entitlement's own fixed number for a year with a sum."""
    statuses = {
        s.expectation_id: s
        for s in ExpectationStatus.objects.filter(pcn=pcn).select_related("updated_by")
    }
    rows = []
    for expectation in Expectation.objects.order_by("position"):
        worked_out = None
        if expectation.measure == Expectation.Measure.ARRS_ENTITLEMENT:
            worked_out = arrs_use(pcn, year, today)
        rows.append(ChecklistRow(expectation, statuses.get(expectation.pk), worked_out))
    return rows
