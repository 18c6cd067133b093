"""Writes for PCN development: the matrix's confirmation and revision, self-assessment rounds,
assessments (saved as drafts, then submitted), the system's view, and the prospectus checklist.

Keyword-only, transactional, validated with full_clean(); `by` is recorded on each history row.
Who may call them is decided at the edge (views, admin) by pcn_admin.access. A refusal is a
ValidationError naming the field, and nothing is saved.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from networks.models import PCN, Commissioner
from pcn_admin.bounds import EARLIEST, NOTES_MAX_LENGTH, a_year_ahead

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

# PCNs began on 1 July 2019 and the matrix was published the month after: a round or a
# checklist date before 2019 cannot be right.
EARLIEST_ROUND = EARLIEST
TEXT_LIMIT = NOTES_MAX_LENGTH


def _save(instance, by) -> None:
    instance._history_user = by  # simple_history reads this outside a request
    instance.full_clean()
    instance.save()


# The matrix ----------------------------------------------------------------------------------


@transaction.atomic
def reference_save(*, instance: MatrixVersion | Domain | Stage | Descriptor | Expectation, by):
    """Add or correct a row of the matrix or the prospectus (national administrators, in the
    admin)."""
    _save(instance, by)
    return instance


@transaction.atomic
def matrix_version_confirm(*, version: MatrixVersion, by) -> bool:
    """A national administrator confirms the version against the published matrix: it is no
    longer shown as unverified. False if it was confirmed already."""
    version = MatrixVersion.objects.select_for_update().get(pk=version.pk)
    if version.verified:
        return False
    version.verified = True
    version.confirmed_by = by
    version.confirmed_at = timezone.now()
    _save(version, by)
    return True


@transaction.atomic
def matrix_version_copy(*, version: MatrixVersion, name: str, by) -> MatrixVersion:
    """A revision: a new draft version with the same domains, stages and descriptors, to edit
    before it is put in use. Rounds keep the version they were opened with."""
    copy = MatrixVersion(
        name=name,
        date=timezone.localdate(),
        status=MatrixVersion.Status.DRAFT,
        source=f"Copied from {version.name}; edit before use. {version.source}".strip(),
    )
    _save(copy, by)
    stages = {}
    for stage in version.stages.order_by("position"):
        new = Stage(version=copy, position=stage.position, name=stage.name)
        _save(new, by)
        stages[stage.pk] = new
    for domain in version.domains.order_by("position").prefetch_related("descriptors"):
        new_domain = Domain(
            version=copy,
            position=domain.position,
            name=domain.name,
            description=domain.description,
        )
        _save(new_domain, by)
        for descriptor in domain.descriptors.all():
            _save(
                Descriptor(
                    domain=new_domain, stage=stages[descriptor.stage_id], text=descriptor.text
                ),
                by,
            )
    return copy


# Rounds -------------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    commissioner: Commissioner,
    name: str,
    date: dt.date,
    matrix_version: MatrixVersion,
    pcns,
    by,
) -> AssessmentRound:
    """Open a round for some of the commissioner's PCNs: a draft assessment for each, and one
    for the place or system's own view."""
    pcns = list(pcns)
    errors = {}
    if not pcns:
        errors["pcns"] = "Choose at least one PCN to take part in the round."
    foreign = [p.code for p in pcns if p.commissioner_id != commissioner.pk]
    if foreign:
        errors["pcns"] = (
            f"{', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} not one of "
            f"{commissioner.display_name}'s PCNs: choose from your own area's."
        )
    closed = [p.code for p in pcns if p.close_date and p.close_date < date]
    if closed and "pcns" not in errors:
        errors["pcns"] = f"{', '.join(closed)} had closed by the round's date: leave it out."
    if matrix_version.status != MatrixVersion.Status.IN_USE:
        errors["matrix_version"] = (
            f"“{matrix_version.name}” is {matrix_version.get_status_display().lower()}: choose "
            "a version in use."
        )
    if date and date < EARLIEST_ROUND:
        errors["date"] = "The date is before PCNs began in 2019. Check the year."
    elif date and date > a_year_ahead():
        errors["date"] = "The date is more than a year ahead. Check the year."
    if AssessmentRound.objects.filter(commissioner=commissioner, name=name.strip()).exists():
        errors["name"] = "Your area already has a round with this name: give this one another."
    if errors:
        raise ValidationError(errors)
    assessment_round = AssessmentRound(
        commissioner=commissioner,
        name=name.strip(),
        date=date,
        matrix_version=matrix_version,
        created_by=by,
    )
    _save(assessment_round, by)
    for pcn in [*sorted(pcns, key=lambda p: p.code), None]:
        _save(Assessment(round=assessment_round, pcn=pcn), by)
    return assessment_round


@transaction.atomic
def round_close(*, assessment_round: AssessmentRound, by) -> AssessmentRound:
    """Close a round: its assessments can no longer be changed. Drafts stay drafts."""
    assessment_round = AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)
    if not assessment_round.is_open:
        raise ValidationError("This round is closed already.")
    assessment_round.status = AssessmentRound.Status.CLOSED
    assessment_round.closed_at = timezone.now()
    _save(assessment_round, by)
    return assessment_round


# Assessments --------------------------------------------------------------------------------


@dataclass
class RatingInput:
    """What a form sends for one domain."""

    stage: Stage | None = None
    evidence: str = ""
    next_steps: str = ""


def _stage_error(stage: Stage, version: MatrixVersion) -> str:
    names = ", ".join(version.stages.order_by("position").values_list("name", flat=True))
    return (
        f"“{stage.name}” is a stage of {stage.version.name}, not of {version.name}, which this "
        f"round uses. Choose one of: {names}."
    )


def _check_ratings(assessment: Assessment, ratings: dict[int, RatingInput], *, submit: bool):
    version = assessment.round.matrix_version
    domains = {d.pk: d for d in version.domains.all()}
    errors: dict[str, list[str]] = {}
    for domain_id, given in ratings.items():
        prefix = f"domain-{domain_id}"
        if domain_id not in domains:
            errors.setdefault("__all__", []).append(
                "One of the domains sent is not in the matrix this round uses. Open the page "
                "again and resend it."
            )
            continue
        if given.stage is not None and given.stage.version_id != version.pk:
            errors.setdefault(f"{prefix}-stage", []).append(_stage_error(given.stage, version))
        for name in ("evidence", "next_steps"):
            if len(getattr(given, name)) > TEXT_LIMIT:
                label = "Evidence" if name == "evidence" else "Next steps"
                errors.setdefault(f"{prefix}-{name}", []).append(
                    f"{label} must be {TEXT_LIMIT:,} characters or fewer."
                )
    if submit:
        for domain_id, domain in domains.items():
            given = ratings.get(domain_id)
            if given is None or given.stage is None:
                errors.setdefault(f"domain-{domain_id}-stage", []).append(
                    f"Choose a stage for {domain.name} before submitting."
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assessment_save(
    *, assessment: Assessment, ratings: dict[int, RatingInput], by, submit: bool = False
) -> Assessment:
    """Save the assessment's stages, evidence and next steps as a draft, or submit it: a
    submitted assessment has a stage for every domain and can no longer be changed. A stage of
    another matrix version than the round's is refused, and nothing is saved."""
    assessment = (
        Assessment.objects.select_for_update()
        .select_related("round__matrix_version")
        .get(pk=assessment.pk)
    )
    if not assessment.round.is_open:
        raise ValidationError(
            "The round is closed: its assessments can no longer be changed. Ask your "
            "commissioner if something needs correcting."
        )
    if assessment.is_submitted:
        raise ValidationError("This assessment has been submitted already: it cannot be changed.")
    _check_ratings(assessment, ratings, submit=submit)
    existing = {r.domain_id: r for r in assessment.ratings.all()}
    for domain_id, given in ratings.items():
        rating = existing.get(domain_id) or DomainRating(assessment=assessment, domain_id=domain_id)
        rating.stage = given.stage
        rating.evidence = given.evidence.strip()
        rating.next_steps = given.next_steps.strip()
        _save(rating, by)
    if submit:
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = by
    _save(assessment, by)
    return assessment


@dataclass
class SystemViewInput:
    stage: Stage | None = None
    comment: str = ""


@transaction.atomic
def system_view_save(
    *, assessment: Assessment, view: str, ratings: dict[int, SystemViewInput], by
) -> Assessment:
    """The commissioner's (the system's) view of a PCN's development: overall, and the stage it
    sees in each domain. Kept beside the PCN's own assessment; it changes nothing of it."""
    assessment = (
        Assessment.objects.select_for_update()
        .select_related("round__matrix_version")
        .get(pk=assessment.pk)
    )
    if assessment.is_place:
        raise ValidationError("The place's own assessment has no separate system's view.")
    version = assessment.round.matrix_version
    domain_ids = set(version.domains.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    for domain_id, given in ratings.items():
        if domain_id not in domain_ids:
            errors.setdefault("__all__", []).append(
                "One of the domains sent is not in the matrix this round uses."
            )
        elif given.stage is not None and given.stage.version_id != version.pk:
            errors.setdefault(f"domain-{domain_id}-stage", []).append(
                _stage_error(given.stage, version)
            )
        if len(given.comment) > TEXT_LIMIT:
            errors.setdefault(f"domain-{domain_id}-comment", []).append(
                f"The comment must be {TEXT_LIMIT:,} characters or fewer."
            )
    if len(view) > TEXT_LIMIT:
        errors.setdefault("system_view", []).append(
            f"The system's view must be {TEXT_LIMIT:,} characters or fewer."
        )
    if errors:
        raise ValidationError(errors)
    existing = {r.domain_id: r for r in assessment.ratings.all()}
    for domain_id, given in ratings.items():
        rating = existing.get(domain_id) or DomainRating(assessment=assessment, domain_id=domain_id)
        rating.system_stage = given.stage
        rating.system_comment = given.comment.strip()
        _save(rating, by)
    assessment.system_view = view.strip()
    assessment.system_view_by = by
    assessment.system_view_at = timezone.now()
    _save(assessment, by)
    return assessment


# The prospectus checklist --------------------------------------------------------------------


@transaction.atomic
def expectation_status_save(
    *,
    pcn: PCN,
    expectation: Expectation,
    status: str,
    evidence: str = "",
    date: dt.date | None = None,
    by,
) -> ExpectationStatus:
    """Record where the PCN stands against one expectation. The ARRS one is worked out from the
    app's own figures and cannot be typed."""
    if expectation.is_worked_out:
        raise ValidationError(
            f"“{expectation.text}” is worked out from the PCN's ARRS claims and entitlement: "
            "it cannot be typed."
        )
    errors = {}
    if date and date > timezone.localdate():
        errors["date"] = "The date is in the future: give the date it was met or checked."
    elif date and date < EARLIEST_ROUND:
        errors["date"] = "The date is before PCNs began in 2019. Check the year."
    if status == ExpectationStatus.Status.MET and not date:
        errors["date"] = "Give the date it was met."
    if errors:
        raise ValidationError(errors)
    row = ExpectationStatus.objects.select_for_update().filter(pcn=pcn, expectation=expectation)
    record = row.first() or ExpectationStatus(pcn=pcn, expectation=expectation)
    unchanged = (record.status, record.evidence, record.date) == (status, evidence.strip(), date)
    if unchanged:
        return record  # no new row, and no new history row: "not started" needs no record
    record.status = status
    record.evidence = evidence.strip()
    record.date = date
    record.updated_by = by
    _save(record, by)
    return record
