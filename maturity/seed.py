"""Demo PCN development for the demo area (Northumberland, 00L): a baseline self-assessment round
(November 2019) and a review (March 2020), both closed, every PCN's assessment submitted; an open
round for 2025 in which the demo PCN's clinical director still has theirs to complete; and the
prospectus checklist for three PCNs. The stages, evidence and views are invented. Safe to run
twice: a round already there (same area and name) and an unchanged checklist line are left
alone."""

import datetime as dt

from networks.models import PCN
from pcn_admin.models import User

from . import services
from .models import AssessmentRound, Expectation, MatrixVersion

MATRIX = "PCN maturity matrix 2019"
# (name, date, steps up from the baseline, closed, the demo PCN submits)
ROUNDS = [
    ("Baseline self-assessment, November 2019", dt.date(2019, 11, 29), 0, True, True),
    ("Progress review, March 2020", dt.date(2020, 3, 31), 1, True, True),
    ("Annual review, autumn 2025", dt.date(2025, 10, 1), 2, False, False),
]
EVIDENCE = [
    "Agreed at the PCN board; minutes kept by the lead practice.",
    "Shared searches run across member practices' records each quarter.",
    "Weekly multi-disciplinary meeting with community nursing and social care.",
    "Shared rota and pooled budget for the additional roles.",
    "Patient participation groups of member practices meet twice a year.",
]
NEXT_STEPS = "Agree the next step's actions at the development session in the spring."
SYSTEM_VIEW = (
    "The place team agrees with the PCN's view; the use of data is the area to support next."
)
# key, status, evidence, date: invented progress against the prospectus.
CHECKLIST = [
    (
        "five-year-journey",
        "met",
        "Five-year development plan agreed by the board.",
        dt.date(2020, 2, 20),
    ),
    ("single-team", "in_progress", "Shared rota started; one clinical system still to come.", None),
    (
        "multidisciplinary-teams",
        "met",
        "Weekly MDT with district nurses and social care.",
        dt.date(2020, 1, 15),
    ),
    ("links-with-local-people", "in_progress", "Joint patient group forming.", None),
]


def _baseline_stage(pcn: PCN, domain_position: int) -> int:
    """An invented but stable starting stage, 0 or 1, for each PCN and domain."""
    return (sum(map(ord, pcn.code)) + domain_position) % 2


def _ratings(version, pcn: PCN, steps_up: int, stages) -> dict:
    ratings = {}
    for domain in version.domains.order_by("position"):
        start = _baseline_stage(pcn, domain.position)
        # Not every domain moves every round: about half move one step less.
        held_back = (sum(map(ord, pcn.code)) // 3 + domain.position) % 2
        moved = max(steps_up - held_back, 0)
        position = min(start + moved, len(stages) - 1)
        ratings[domain.pk] = services.RatingInput(
            stage=stages[position],
            evidence=EVIDENCE[(domain.position - 1) % len(EVIDENCE)],
            next_steps=NEXT_STEPS,
        )
    return ratings


def _play_round(assessment_round, steps_up, closed, demo_submits, *, demo_pcn, director, staff):
    version = assessment_round.matrix_version
    stages = list(version.stages.order_by("position"))
    for assessment in assessment_round.assessments.select_related("pcn"):
        if assessment.pcn is None:  # the place's own view: a step behind its best PCNs
            stage = stages[min(steps_up, len(stages) - 1)]
            services.assessment_save(
                assessment=assessment,
                ratings={
                    d.pk: services.RatingInput(stage=stage, evidence=EVIDENCE[0])
                    for d in version.domains.all()
                },
                by=staff,
                submit=True,
            )
            continue
        is_demo = assessment.pcn_id == demo_pcn.pk
        if is_demo and not demo_submits:
            continue  # left for the demo director to complete in the browser
        services.assessment_save(
            assessment=assessment,
            ratings=_ratings(version, assessment.pcn, steps_up, stages),
            by=director if is_demo else None,
            submit=True,
        )
        if assessment.pcn.code <= demo_pcn.code:
            services.system_view_save(assessment=assessment, view=SYSTEM_VIEW, ratings={}, by=staff)
    if closed:
        services.round_close(assessment_round=assessment_round, by=staff)


def seed_demo(*, stdout) -> None:
    director = User.objects.filter(username="demo-director").select_related("pcn").first()
    staff = User.objects.filter(username="demo-commissioner").select_related("commissioner").first()
    version = MatrixVersion.objects.filter(name=MATRIX).first()
    if director is None or staff is None or version is None:
        stdout.write("Maturity: demo users or the 2019 matrix not found. Skipped.")
        return
    demo_pcn, commissioner = director.pcn, staff.commissioner
    pcns = list(PCN.objects.filter(commissioner=commissioner, close_date__isnull=True))
    opened = 0
    for name, date, steps_up, closed, demo_submits in ROUNDS:
        if AssessmentRound.objects.filter(commissioner=commissioner, name=name).exists():
            continue
        assessment_round = services.round_open(
            commissioner=commissioner,
            name=name,
            date=date,
            matrix_version=version,
            pcns=pcns,
            by=staff,
        )
        _play_round(
            assessment_round,
            steps_up,
            closed,
            demo_submits,
            demo_pcn=demo_pcn,
            director=director,
            staff=staff,
        )
        opened += 1
    expectations = {e.key: e for e in Expectation.objects.all()}
    checklist_pcns = [
        demo_pcn,
        *[p for p in sorted(pcns, key=lambda p: p.code) if p != demo_pcn][:2],
    ]
    for pcn in checklist_pcns:
        for key, status, evidence, date in CHECKLIST:
            services.expectation_status_save(
                pcn=pcn,
                expectation=expectations[key],
                status=status,
                evidence=evidence,
                date=date,
                by=director if pcn == demo_pcn else staff,
            )
    stdout.write(
        f"Maturity: {opened} self-assessment round(s) added for {len(pcns)} PCNs; prospectus "
        f"checklist for {len(checklist_pcns)} PCNs."
    )
