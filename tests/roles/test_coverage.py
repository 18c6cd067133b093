"""The figures coverage page (roles.coverage): which roles can be claimed in which months of the
previous and current financial years, where each maximum comes from, the gaps, the stale
figures, the CSV, the commissioner dashboard's alert, and who may see it."""

import csv
import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pcn_admin.dates import financial_year
from reimbursement.calculations import RateBook
from roles.coverage import POST_REGIONS, figures_coverage
from roles.models import Provenance, Rate, Region, Role
from tests.networks.factories import CommissionerFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.roles.factories import RateFactory, ReimbursementPercentageFactory, RoleFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("roles:figures_coverage")
CSV = reverse("roles:figures_coverage_csv")
TODAY = timezone.localdate()
CURRENT = financial_year(TODAY)
PREVIOUS_APRIL = dt.date(CURRENT - 1, 4, 1)
CURRENT_APRIL = dt.date(CURRENT, 4, 1)
# The roles the published tables leave without any maximum (arrs.md, issue 13).
NO_FIGURES = {"digital_transformation_lead", "gp_assistant", "mental_health_practitioner"}


class Elements(HTMLParser):
    """Every element carrying a data-testid: its attributes and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[dict] = []
        self._open: list[tuple[str, dict | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        element = None
        if "data-testid" in attrs:
            element = {**attrs, "text": ""}
            self.found.append(element)
        if tag not in {"br", "img", "input", "link", "meta", "hr"}:
            self._open.append((tag, element))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, element in self._open:
            if element is not None:
                element["text"] += data

    def all(self, testid: str) -> list[dict]:
        return [e for e in self.found if e["data-testid"] == testid]

    def one(self, testid: str) -> dict:
        (element,) = self.all(testid)
        return element


def text(element: dict) -> str:
    return " ".join(element["text"].split())


def page_for(client, user) -> Elements:
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    return Elements(response.content.decode())


def new_role(code: str, band: str, *, first=dt.date(2020, 4, 1), **rate) -> Role:
    """A role of our own (band unlike any real one), with a 100% share from its first day."""
    role = RoleFactory(
        code=code,
        name=code.replace("_", " ").capitalize(),
        afc_band=band,
        first_reimbursable=first,
    )
    ReimbursementPercentageFactory(role=role, effective_from=first)
    if rate:
        RateFactory(role=role, afc_band=band, **rate)
    return role


@pytest.fixture
def commissioner_user():
    return CommissionerStaffFactory(commissioner=CommissionerFactory())


# --- The gaps ---------------------------------------------------------------------------------


def test_the_gaps_are_gp_assistants_digital_leads_and_mental_health_practitioners(
    client, commissioner_user
):
    page = page_for(client, commissioner_user)
    gaps = page.all("gap")
    assert {gap["data-role"] for gap in gaps} == NO_FIGURES
    assert "GP assistant: no maximum in any month" in [text(gap) for gap in gaps]
    assert "3 roles cannot be claimed in some months" in text(page.one("gaps"))


def test_a_role_without_a_maximum_shows_missing_in_every_month(client, commissioner_user):
    page = page_for(client, commissioner_user)
    row = next(
        r
        for r in figures_coverage().rows
        if r.role.code == "gp_assistant" and r.region == Region.NATIONAL
    )
    assert [span.state for span in row.spans] == ["missing"]
    cells = [c for c in page.all("coverage-cell") if c["data-state"] == "missing"]
    assert cells and all("Missing" in text(c) for c in cells)


def test_a_month_without_a_percentage_is_a_gap():
    role = RoleFactory(code="no_share", name="No share", afc_band="9z")
    RateFactory(role=role, afc_band="9z", effective_from=dt.date(2020, 4, 1))

    report = figures_coverage(today=TODAY)

    (gap,) = [g for g in report.gaps if g.role == role]
    assert str(gap) == "No share: no reimbursement percentage in any month"


def test_a_figure_starting_within_the_period_leaves_the_months_before_it_as_a_gap():
    role = new_role("late_figure", "9y", effective_from=dt.date(CURRENT - 1, 7, 1))

    report = figures_coverage(today=TODAY)

    (gap,) = [g for g in report.gaps if g.role == role]
    assert gap.description == f"no maximum from April {CURRENT - 1} to June {CURRENT - 1}"


def test_months_before_a_role_was_reimbursable_are_not_gaps():
    role = new_role("new_this_year", "9x", first=CURRENT_APRIL, effective_from=CURRENT_APRIL)

    report = figures_coverage(today=TODAY)

    assert role not in [gap.role for gap in report.gaps]
    row = next(r for r in report.rows if r.role == role)
    assert [(span.state, span.months) for span in row.spans] == [
        ("not-yet", 12),
        ("published", 12),
    ]


# --- Provenance --------------------------------------------------------------------------------


def test_a_derived_cell_says_derived(client, commissioner_user):
    page = page_for(client, commissioner_user)
    rows = [
        r
        for r in page.all("coverage-row")
        if r["data-role"] == "physician_associate" and r["data-region"] == "national"
    ]
    assert len(rows) == 1
    # Band 7's figure, copied from the enhanced practice nurse's (and any pay award since).
    assert "Derived" in text(rows[0])
    assert "Published" not in text(rows[0])
    assert "Missing" not in text(rows[0])


def test_a_pay_award_from_the_current_year_splits_the_row_into_published_then_derived():
    role = new_role("award_role", "9w", effective_from=dt.date(2024, 4, 1))
    RateFactory(
        role=role,
        afc_band="9w",
        effective_from=CURRENT_APRIL,
        annual_max=Decimal("41300.00"),
        provenance=Provenance.DERIVED_UPLIFT,
    )

    report = figures_coverage(today=TODAY)

    row = next(r for r in report.rows if r.role == role)
    assert [(s.state, s.months, s.maxima_text) for s in row.spans] == [
        ("published", 12, "£40,000"),
        ("derived", 12, "£41,300"),
    ]
    assert "Derived by a pay award" in row.spans[1].detail


def test_a_superseded_figure_is_not_the_one_in_force():
    role = new_role("superseded_role", "9v")
    published = RateFactory(role=role, afc_band="9v", effective_from=PREVIOUS_APRIL)
    # A pay award of the same date supersedes the published figure (moved to its date once the
    # published one is out of the way of the one-figure-per-date rule).
    derived = RateFactory(
        role=role,
        afc_band="9v",
        effective_from=PREVIOUS_APRIL.replace(month=5),
        annual_max=Decimal("41000.00"),
        provenance=Provenance.DERIVED_UPLIFT,
    )
    Rate.objects.filter(pk=published.pk).update(superseded_by=derived)
    Rate.objects.filter(pk=derived.pk).update(effective_from=PREVIOUS_APRIL)

    row = next(r for r in figures_coverage(today=TODAY).rows if r.role == role)

    assert [(s.state, s.maxima_text) for s in row.spans] == [("derived", "£41,000")]


def test_every_cell_agrees_with_the_claim_rules_lookup():
    """Coverage finds a maximum exactly where the money rule (RateBook) does."""
    report = figures_coverage(today=TODAY)
    book = RateBook()
    for row in report.grid:
        bands = sorted({f.afc_band for f in row.cells[-1].maxima}) or [""]
        for cell in row.cells:
            for band in bands:
                try:
                    found = book.rate(row.role, row.region, cell.month, band)
                except ValidationError:
                    found = None
                expected = {f.pk for f in cell.maxima}
                if found is None:
                    assert not expected, (row.role.code, row.region, cell.month)
                else:
                    assert found.pk in expected, (row.role.code, row.region, cell.month, band)


# --- London ------------------------------------------------------------------------------------


def test_london_regions_without_any_figure_are_listed_once_not_as_rows(client, commissioner_user):
    page = page_for(client, commissioner_user)
    without = {e["data-role"] for e in page.all("london-without-role")}
    assert {"care_coordinator", "gp_assistant", "physician_associate"} <= without
    shown = {(r["data-role"], r["data-region"]) for r in page.all("coverage-row")}
    assert ("care_coordinator", "national") in shown
    assert ("care_coordinator", "inner_london") not in shown
    assert ("clinical_pharmacist", "inner_london") in shown
    # The London gaps are not counted among the roles that cannot be claimed at all.
    assert "care_coordinator" not in {gap["data-role"] for gap in page.all("gap")}


def test_a_gp_in_london_is_shown_on_the_one_london_figure():
    report = figures_coverage(today=TODAY)
    row = next(r for r in report.rows if r.role.code == "gp" and r.region == Region.INNER_LONDON)
    assert all(cell.fallback_region == Region.LONDON for cell in row.cells)


def test_a_london_figure_older_than_the_national_one_is_flagged():
    role = new_role("london_behind", "9u", effective_from=dt.date(2024, 4, 1))
    RateFactory(
        role=role, afc_band="9u", region=Region.OUTER_LONDON, effective_from=dt.date(2023, 4, 1)
    )
    RateFactory(
        role=role, afc_band="9u", region=Region.INNER_LONDON, effective_from=dt.date(2024, 4, 1)
    )

    report = figures_coverage(today=TODAY)

    behind = [b for b in report.london_behind if b.role == role]
    assert [(b.region, b.london_from) for b in behind] == [
        (Region.OUTER_LONDON, dt.date(2023, 4, 1))
    ]
    assert [w.regions for w in report.london_without if w.role == role] == []


def test_a_london_region_with_figures_in_only_some_months_is_a_london_gap():
    role = new_role("london_late", "9t", effective_from=dt.date(2024, 4, 1))
    RateFactory(role=role, afc_band="9t", region=Region.OUTER_LONDON, effective_from=CURRENT_APRIL)

    report = figures_coverage(today=TODAY)

    (gap,) = [g for g in report.london_gaps if g.role == role]
    assert gap.region == Region.OUTER_LONDON
    assert gap.description == f"no maximum from April {CURRENT - 1} to March {CURRENT}"
    assert role not in [g.role for g in report.gaps]
    assert [w.regions for w in report.london_without if w.role == role] == [[Region.INNER_LONDON]]


# --- Stale figures -----------------------------------------------------------------------------


def test_a_role_behind_its_band_is_warned_about(client, commissioner_user):
    page = page_for(client, commissioner_user)
    stale = {e["data-role"]: text(e) for e in page.all("stale-role")}
    # Nursing associates (band 4) were last given a figure in October 2020; care co-ordinators,
    # on the same band, in July 2023.
    assert "nursing_associate" in stale
    assert "October 2020" in stale["nursing_associate"]
    assert "Care co-ordinator" in stale["nursing_associate"]
    assert "care_coordinator" not in stale
    tagged = {r["data-role"] for r in page.all("coverage-row") if "Stale" in text(r)}
    assert "nursing_associate" in tagged and "care_coordinator" not in tagged


def test_a_new_figure_for_one_role_of_a_band_makes_the_others_stale():
    ahead = new_role("band_ahead", "9s", effective_from=dt.date(2023, 7, 1))
    behind = new_role("band_behind", "9s", effective_from=dt.date(2023, 7, 1))
    assert {s.role for s in figures_coverage(today=TODAY).stale}.isdisjoint({ahead, behind})

    RateFactory(role=ahead, afc_band="9s", effective_from=dt.date(2024, 10, 1))

    (stale,) = [s for s in figures_coverage(today=TODAY).stale if s.role in (ahead, behind)]
    assert (stale.role, stale.ahead, stale.latest) == (behind, ahead, dt.date(2023, 7, 1))


def test_a_pay_award_applied_to_a_stale_figure_leaves_it_stale():
    ahead = new_role("award_ahead", "9r", effective_from=dt.date(2024, 10, 1))
    behind = new_role("award_behind", "9r", effective_from=dt.date(2020, 10, 1))
    for role in (ahead, behind):
        RateFactory(
            role=role,
            afc_band="9r",
            effective_from=CURRENT_APRIL,
            provenance=Provenance.DERIVED_UPLIFT,
        )

    stale = [s for s in figures_coverage(today=TODAY).stale if s.role in (ahead, behind)]

    assert [(s.role, s.latest) for s in stale] == [(behind, dt.date(2020, 10, 1))]


# --- The download --------------------------------------------------------------------------------


def test_the_csv_has_every_role_region_and_month(client, commissioner_user):
    client.force_login(commissioner_user)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    keys = {(r["role_code"], r["region"], r["month"]) for r in rows}
    assert len(keys) == Role.objects.count() * len(POST_REGIONS) * 24
    by_key = {(r["role_code"], r["region"], r["month"], r["afc_band"]): r for r in rows}
    april = f"{CURRENT - 1}-04"
    assert by_key[("gp_assistant", "national", april, "")]["maximum"] == "missing"
    pa = by_key[("physician_associate", "national", april, "7")]
    assert pa["maximum"] == "derived"
    assert Provenance.is_derived(pa["provenance"])
    nurse = {k[3] for k in by_key if k[:3] == ("general_practice_nurse", "national", april)}
    assert nurse == {"5", "6"}
    assert by_key[("care_coordinator", "inner_london", april, "")]["maximum"] == "missing"


# --- Queries -----------------------------------------------------------------------------------

COVERAGE_QUERIES = 6  # measured: the session, the user and its checks, and the three reads


@pytest.mark.parametrize("extra_roles", [0, 12])
def test_the_page_and_the_csv_run_a_fixed_number_of_queries(
    client, commissioner_user, extra_roles, django_assert_max_num_queries
):
    for index in range(extra_roles):
        role = new_role(f"sized_{index}", "9q", effective_from=dt.date(2024, 4, 1))
        for region in (Region.OUTER_LONDON, Region.INNER_LONDON):
            RateFactory(role=role, afc_band="9q", region=region, effective_from=CURRENT_APRIL)
    client.force_login(commissioner_user)
    with django_assert_max_num_queries(COVERAGE_QUERIES):
        assert client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(COVERAGE_QUERIES):
        assert client.get(CSV).status_code == 200


# --- Who may see it ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, CSV])
@pytest.mark.parametrize(
    "make_user, expected",
    [
        (lambda: CommissionerStaffFactory(commissioner=CommissionerFactory()), 200),
        (lambda: UserFactory(is_superuser=True, is_staff=True), 200),
        (lambda: ClinicalDirectorUserFactory(pcn=PCNFactory()), 403),
        (lambda: PracticeManagerFactory(), 403),
        (lambda: LinkWorkerUserFactory(pcn=PCNFactory()), 403),
        (lambda: CommunityOrganisationUserFactory(), 403),
    ],
    ids=["commissioner", "superuser", "director", "practice", "link_worker", "organisation"],
)
def test_only_commissioner_staff_and_superusers_see_the_coverage(client, url, make_user, expected):
    client.force_login(make_user())
    assert client.get(url).status_code == expected


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_home_page_links_commissioner_staff_to_the_coverage(client, commissioner_user):
    client.force_login(commissioner_user)
    assert PAGE in client.get(reverse("home")).content.decode()
    client.force_login(ClinicalDirectorUserFactory(pcn=PCNFactory()))
    assert PAGE not in client.get(reverse("home")).content.decode()


# --- The commissioner dashboard ------------------------------------------------------------------


def test_the_commissioner_dashboard_alerts_with_the_count_of_gaps_and_links_here(
    client, commissioner_user
):
    client.force_login(commissioner_user)
    response = client.get(reverse("dashboards:commissioner_dashboard"))
    assert response.status_code == 200
    page = Elements(response.content.decode())
    alert = page.one("alert-figures")
    assert page.one("alert-figures-gaps")["data-value"] == "3"
    assert "3 ARRS roles have no national maximum or percentage" in text(alert)
    assert page.one("alert-figures-link")["href"] == PAGE


def test_the_dashboard_alert_drops_the_gaps_once_every_role_has_its_figures(
    client, commissioner_user
):
    for code in NO_FIGURES:
        RateFactory(role=Role.objects.get(code=code), effective_from=dt.date(2020, 4, 1))
    client.force_login(commissioner_user)
    page = Elements(client.get(reverse("dashboards:commissioner_dashboard")).content.decode())
    assert page.all("alert-figures-gaps") == []
    # The stale figures are still there to look at (nursing associates, above).
    assert "may be out of date" in text(page.one("alert-figures"))
