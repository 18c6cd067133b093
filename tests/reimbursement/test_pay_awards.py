"""National pay awards: `apply_pay_award` (and its admin page) derive the new maxima by the
on-cost formula of arrs.md, supersede a pre-award figure of the same date, change nothing the
second time, and draft adjustment claims for approved lines the award leaves under-paid. The
migrations apply the 2025/26 and 2026/27 awards, so every role with a figure can be claimed
in November 2026."""

import csv
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import roles
from reimbursement import calculations, services
from reimbursement.models import Claim, ClaimLine
from roles.models import Provenance, Rate
from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory
from tests.reimbursement.factories import PHARMACIST_COSTS, submitted_claim
from tests.roles.factories import PostFactory, RoleFactory

pytestmark = pytest.mark.django_db

APRIL_2025 = dt.date(2025, 4, 1)
AWARD_2025 = ("--percent", "3.6", "--from", "2025-04-01", "--group", "afc")
MAXIMA_CSV = Path(roles.__file__).resolve().parent / "data" / "maxima.csv"


@pytest.fixture
def without_awards(figures_before_pay_awards):
    """The seeded figures as published, before any pay award (the migrations apply them)."""
    assert not Rate.objects.filter(provenance=Provenance.DERIVED_UPLIFT).exists()


def by_the_formula(base: Decimal, base_from: dt.date, percent: str) -> Decimal:
    """arrs.md, worked by hand: salary out of the base with its date's on-costs, raised by the
    award, priced with the 2025/26 on-costs, rounded half up to the pound."""
    if base_from >= APRIL_2025:
        salary = (base + Decimal("750")) / Decimal("1.2938")
    else:
        salary = (base + Decimal("1255.80")) / Decimal("1.2818")
    raised = salary * (1 + Decimal(percent) / 100)
    return (raised * Decimal("1.2938") - Decimal("750")).quantize(Decimal("1"), ROUND_HALF_UP)


def _apply(*args) -> str:
    out = StringIO()
    call_command("apply_pay_award", *args, stdout=out, stderr=out)
    return out.getvalue()


def _current(code: str, on: dt.date, region: str = "national") -> Rate:
    return (
        Rate.objects.current()
        .in_force(role_code=code, region=region, on=on)
        .latest("effective_from")
    )


def _snapshot() -> tuple:
    return (
        Rate.objects.count(),
        Rate.history.count(),
        Rate.objects.filter(superseded_by__isnull=False).count(),
        Claim.objects.count(),
        ClaimLine.objects.count(),
    )


# The award ------------------------------------------------------------------------------------


def test_the_agenda_for_change_award_derives_every_figure_by_the_formula(without_awards):
    bases = list(Rate.objects.current())
    output = _apply(*AWARD_2025)

    created = Rate.objects.filter(provenance=Provenance.DERIVED_UPLIFT).select_related("role")
    assert len(created) == 27  # every AfC figure in force on 1 April 2025 (maxima.csv)
    assert not created.filter(role__code="gp").exists()
    for rate in created:
        assert rate.effective_from == APRIL_2025
        latest = max(
            (
                b
                for b in bases
                if (b.role_id, b.region, b.afc_band) == (rate.role_id, rate.region, rate.afc_band)
                and b.effective_from <= APRIL_2025
            ),
            key=lambda b: b.effective_from,
        )
        assert rate.annual_max == by_the_formula(latest.annual_max, latest.effective_from, "3.6")
        assert f"£{latest.annual_max:,.0f} from" in rate.basis
        assert "3.6%" in rate.basis
    # The two checked by hand: a 2025/26 figure, and a 2023/24 one under the old on-costs.
    assert _current("clinical_pharmacist", dt.date(2025, 6, 1)).annual_max == Decimal("69410")
    care = _current("care_coordinator", dt.date(2025, 6, 1))
    assert care.annual_max == Decimal("35485")
    assert "£33,396 from 1 July 2023 (published)" in care.basis
    assert "Clinical pharmacist, National, band 7-8a: £66,972" in output
    assert "-> £69,410" in output
    assert "Care co-ordinator, National, band 4: £33,396" in output


def test_a_pre_award_figure_of_the_same_date_stays_in_the_history_superseded(without_awards):
    published = _current("clinical_pharmacist", APRIL_2025)
    published.lock()  # used by a batched claim: still superseded, its amount untouched

    _apply(*AWARD_2025)

    published.refresh_from_db()
    derived = _current("clinical_pharmacist", APRIL_2025)
    assert published.annual_max == Decimal("66972")
    assert published.superseded_by == derived
    assert derived.provenance == Provenance.DERIVED_UPLIFT
    assert published.history.first().history_change_reason.startswith("Superseded by the")
    line = calculations.maximum_claim(
        role="clinical_pharmacist", month=dt.date(2025, 6, 1), hours=Decimal("37.5")
    )
    assert (line.annual_max, line.rate_id, line.provenance_label) == (
        Decimal("69410"),
        derived.pk,
        "Derived by a pay award",
    )
    # An earlier figure (July 2023) is the base but is not superseded: it still applies before.
    care = Rate.objects.get(role__code="care_coordinator", effective_from=dt.date(2023, 7, 1))
    assert care.superseded_by is None


def test_the_gp_award_raises_the_gp_figures_only(without_awards):
    plan = services.pay_award_plan(percent="4", effective_from=APRIL_2025, group="gp")
    assert not Rate.objects.filter(provenance=Provenance.DERIVED_UPLIFT).exists()  # a read
    figures = {(p.region, p.base.annual_max): p.annual_max for p in plan}
    assert figures == {
        ("national", Decimal("105882")): Decimal("110147"),
        ("london", Decimal("95233")): by_the_formula(Decimal("95233"), dt.date(2024, 10, 1), "4"),
    }

    _apply("--percent", "4", "--from", "2025-04-01", "--group", "gp")

    assert set(
        Rate.objects.filter(provenance=Provenance.DERIVED_UPLIFT).values_list(
            "role__code", flat=True
        )
    ) == {"gp"}


def test_a_second_run_changes_nothing(without_awards):
    _apply(*AWARD_2025)
    before = _snapshot()

    output = _apply(*AWARD_2025)

    assert _snapshot() == before
    assert "Nothing to do" in output


def test_a_dry_run_shows_the_figures_and_writes_nothing(without_awards):
    before = _snapshot()

    output = _apply(*AWARD_2025, "--dry-run")

    assert _snapshot() == before
    assert "Would create 27 maxima" in output
    assert "Clinical pharmacist, National, band 7-8a: £66,972" in output


@pytest.mark.parametrize(
    ("percent", "effective_from", "group", "message"),
    [
        ("0", "2025-04-01", "afc", "give a percentage above 0"),
        ("-3.6", "2025-04-01", "afc", "give a percentage above 0"),
        ("20.5", "2025-04-01", "afc", "more than 20%"),
        ("three", "2025-04-01", "afc", "not a percentage"),
        ("3.6", "2025-04-15", "afc", "not the 1st of a month"),
        ("3.6", "2025/04/01", "afc", "not a date"),
        ("3.6", "2018-04-01", "afc", "before 2019"),
        ("3.6", "2025-04-01", "nurses", "not a staff group"),
    ],
)
def test_an_award_that_cannot_be_right_is_refused_with_nothing_written(
    without_awards, percent, effective_from, group, message
):
    before = _snapshot()

    with pytest.raises(CommandError, match=message):
        _apply("--percent", percent, "--from", effective_from, "--group", group)

    assert _snapshot() == before


# A backdated award: the adjustments ---------------------------------------------------------


def _approved(world, month: dt.date) -> Claim:
    claim = submitted_claim(world, month)
    return services.claim_approve_remaining(claim=claim, by=world.reviewer)


def test_a_backdated_award_drafts_adjustments_for_approved_lines_since_its_date(
    without_awards, world, mailoutbox, django_capture_on_commit_callbacks
):
    march, april, june = (_approved(world, dt.date(2025, month, 1)) for month in (3, 4, 6))
    approved_april = april.lines.get(post=world.pharmacist)
    assert approved_april.annual_max == Decimal("66972.00")  # the pre-award figure

    with django_capture_on_commit_callbacks(execute=True):
        output = _apply(*AWARD_2025)

    adjustments = Claim.objects.filter(kind=Claim.Kind.ADJUSTMENT)
    assert {(a.original, a.status) for a in adjustments} == {
        (april, Claim.Status.DRAFT),
        (june, Claim.Status.DRAFT),
    }  # not March: the award starts in April
    line = ClaimLine.objects.get(claim__original=april, post=world.pharmacist)
    assert line.original_line == approved_april
    assert line.salary == PHARMACIST_COSTS["salary"]
    assert line.annual_max == Decimal("69410.00")
    assert line.rate_used.provenance == Provenance.DERIVED_UPLIFT
    # Capped at £4,464.80 before; the cost (£4,465.80) is under the new cap: £1.00 more.
    assert calculations.adjustment_due(line) == Decimal("1.00")
    assert f"Drafted Adjustment {world.pcn.code} April 2025" in output
    assert "Priya Shah (Clinical pharmacist) was priced on £66,972, now £69,410" in output
    told = [m for m in mailoutbox if "adjustment drafted for a pay award" in m.subject]
    assert world.practice_manager.email in {m.to[0] for m in told}

    before = _snapshot()
    again = _apply(*AWARD_2025)
    assert _snapshot() == before
    assert "already in an adjustment claim" in again
    assert march.adjustments.count() == 0


def test_a_dry_run_lists_the_lines_it_would_adjust_and_drafts_nothing(without_awards, world):
    _approved(world, APRIL_2025)
    before = _snapshot()

    output = _apply(*AWARD_2025, "--dry-run")

    assert _snapshot() == before
    assert "Would draft adjustments for 1 approved line(s)" in output
    assert "Priya Shah" in output


# The reference data after the migrations ------------------------------------------------------


def _maxima_rows() -> list[dict]:
    with MAXIMA_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_after_the_migrations_every_role_with_a_figure_can_be_claimed_in_november_2026():
    rows = _maxima_rows()
    assert len(rows) == 63
    cases = {(row["role"], row["region"], row["afc_band"]) for row in rows}
    book = calculations.RateBook()
    november = dt.date(2026, 11, 1)
    for code, region, band in sorted(cases):
        role = book.role(code)
        time = {"sessions": Decimal("9")} if code == "gp" else {"hours": Decimal("37.5")}
        line = calculations.reimbursable_amount(
            role=code,
            month=november,
            salary=Decimal("10000"),  # over every monthly cap
            employer_ni=Decimal("0"),
            employer_pension=Decimal("0"),
            region=region,
            afc_band=band,
            rates=book,
            **time,
        )
        assert line.reimbursable == (line.annual_max / 12).quantize(Decimal("0.01")), code
        assert line.provenance == Provenance.DERIVED_UPLIFT, (code, region, band)
        assert line.provenance_label == "Derived by a pay award"
        award_from = APRIL_2025 if role.code == "gp" else dt.date(2026, 4, 1)
        assert line.rate_effective_from == award_from, (code, region, band)
    assert _current("clinical_pharmacist", november).annual_max == Decimal("71725")  # 69410 +3.3%
    assert _current("gp", november).annual_max == Decimal("110147")


def test_the_migrated_awards_are_already_applied():
    before = _snapshot()

    for args in (AWARD_2025, ("--percent", "4", "--from", "2025-04-01", "--group", "gp")):
        assert "Nothing to do" in _apply(*args)

    assert _snapshot() == before


# The admin page -------------------------------------------------------------------------------

PAGE = "admin:reimbursement_pay_award"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_the_rates_list_offers_the_award_to_national_administrators_only(client, superuser):
    client.force_login(superuser)
    assert "Apply a national pay award" in _text(client.get(reverse("admin:roles_rate_changelist")))

    staff = CommissionerStaffFactory()
    client.force_login(staff)
    response = client.get(reverse("admin:roles_rate_changelist"))
    assert response.status_code == 200
    assert "Apply a national pay award" not in _text(response)


def test_an_administrator_previews_the_award_then_applies_it(client, superuser, without_awards):
    client.force_login(superuser)
    award = {"percent": "3.6", "effective_from": "2025-04-01", "group": "afc"}
    before = _snapshot()

    preview = client.post(reverse(PAGE), {**award, "preview": "Preview"})

    assert preview.status_code == 200
    assert _snapshot() == before
    text = _text(preview)
    assert "27 maxima to create" in text
    assert "Clinical pharmacist National 7-8a £66,972 1 Apr 2025 (superseded)" in text
    assert "£69,410" in text

    applied = client.post(reverse(PAGE), {**award, "apply": "Apply"}, follow=True)

    assert Rate.objects.filter(provenance=Provenance.DERIVED_UPLIFT).count() == 27
    assert applied.redirect_chain[-1][0].startswith(reverse("admin:roles_rate_changelist"))
    assert "27 derived maxima created" in _text(applied)


def test_the_page_refuses_an_award_that_cannot_be_right(client, superuser, without_awards):
    client.force_login(superuser)
    before = _snapshot()

    response = client.post(
        reverse(PAGE),
        {"percent": "0", "effective_from": "2025-04-15", "group": "afc", "apply": "Apply"},
    )

    assert response.status_code == 200
    assert _snapshot() == before
    text = _text(response)
    assert "give a percentage above 0" in text
    assert "not the 1st of a month" in text


def test_commissioner_staff_cannot_apply_an_award(client, without_awards):
    client.force_login(CommissionerStaffFactory())
    before = _snapshot()

    award = {"percent": "3.6", "effective_from": "2025-04-01", "group": "afc", "apply": "Apply"}
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.post(reverse(PAGE), award).status_code == 403
    assert _snapshot() == before


def _preview_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse(PAGE),
            {"percent": "3.6", "effective_from": "2025-04-01", "group": "afc", "preview": "1"},
        )
    assert response.status_code == 200
    return len(queries)


def test_the_preview_costs_the_same_queries_for_one_under_paid_line_or_many(
    client, superuser, without_awards, world
):
    client.force_login(superuser)
    _approved(world, APRIL_2025)
    few = _preview_queries(client)
    pharmacist = RoleFactory(code="clinical_pharmacist")
    for _ in range(4):
        PostFactory(pcn=world.pcn, role=pharmacist, employing_practice=world.payee_practice)
    _approved(world, dt.date(2025, 5, 1))

    assert "Priya Shah" in _text(
        client.post(
            reverse(PAGE),
            {"percent": "3.6", "effective_from": "2025-04-01", "group": "afc", "preview": "1"},
        )
    )
    assert _preview_queries(client) == few
