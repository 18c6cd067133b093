"""The PCN and commissioner dashboards: who sees which, the figures they show against the
database, the year shown, the alerts, the CSV downloads and the query bounds."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.reads import STALE_AFTER_DAYS, year_label
from pcn_admin.dates import financial_year
from pcn_admin.templatetags.nhs_format import nhs_number as nhs_number_shown
from referrals.models import OnwardReferral, OutcomeMeasurement
from reimbursement.entitlement import pcn_entitlement
from reimbursement.models import Claim, ClaimLine
from reimbursement.selectors import approved_in_year
from roles.models import EntitlementRate
from tests.networks.factories import (
    ClinicalDirectorFactory,
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    NetworkAgreementFactory,
    NominatedPayeeFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.referrals.factories import (
    AssignedReferralFactory,
    OnwardReferralFactory,
    OutcomeMeasurementFactory,
    ReferralReasonFactory,
    ReferralSourceFactory,
    ServiceFactory,
)
from tests.reimbursement.factories import BatchFactory, ClaimFactory, ClaimLineFactory
from tests.roles.factories import EntitlementRateFactory, PostFactory, RoleFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = financial_year(TODAY)  # the current financial year, whatever day the tests run
APRIL = dt.date(YEAR, 4, 1)


@pytest.fixture
def rate():
    """An ARR sum rate for the current year, so the forecast runs to 31 March."""
    return EntitlementRateFactory(year=YEAR, per_weighted_patient=Decimal("26.631"))


def build_pcn(commissioner, *, posts: int = 2, referrals: int = 2):
    """A PCN with two member practices, its governance, staff in post, claims this year and
    social prescribing referrals with outcomes."""
    pcn = PCNFactory(commissioner=commissioner)
    first = MembershipFactory(pcn=pcn).practice
    second = MembershipFactory(pcn=pcn).practice
    for practice, registered, weighted in ((first, 18_000, "19000.50"), (second, 14_000, "15000")):
        ListSizeFactory(
            practice=practice,
            date=dt.date(2020, 1, 1),
            registered_patients=registered,
            weighted_patients=Decimal(weighted),
        )
    NominatedPayeeFactory(pcn=pcn, practice=first)
    NetworkAgreementFactory(pcn=pcn).core_members.set([first, second])
    ClinicalDirectorFactory(pcn=pcn, practice=first)
    staff = [
        PostFactory(pcn=pcn, employing_practice=first, start_date=dt.date(2024, 4, 1))
        for _ in range(posts)
    ]
    baseline = PostFactory(
        pcn=pcn, employing_practice=first, start_date=dt.date(2018, 1, 1), in_post_at_baseline=True
    )
    claim = ClaimFactory(pcn=pcn, month=APRIL, status=Claim.Status.APPROVED)
    for index, post in enumerate(staff):
        ClaimLineFactory(
            claim=claim,
            post=post,
            status=ClaimLine.Status.APPROVED,
            approved_at=timezone.now(),
            reimbursable=Decimal("3000.10") + index,
        )
    ClaimLineFactory(  # awaiting review: a line still to decide
        claim=ClaimFactory(pcn=pcn, month=APRIL.replace(month=5), status=Claim.Status.SUBMITTED),
        post=(staff or [baseline])[0],
    )
    worker = LinkWorkerUserFactory(pcn=pcn)
    for index in range(referrals):
        referral = AssignedReferralFactory(
            pcn=pcn,
            link_worker=worker,
            received_on=max(APRIL, TODAY - dt.timedelta(days=index)),
            given_name="Zebedee",
            family_name=f"Quixote{index}",
            source=ReferralSourceFactory(name=f"Source {index % 3}"),
            reasons=[ReferralReasonFactory(name=f"Reason {index % 4}")],
        )
        OutcomeMeasurementFactory(referral=referral, recorded_by=worker)
        OutcomeMeasurementFactory(
            referral=referral,
            recorded_by=worker,
            time_point=OutcomeMeasurement.TimePoint.FOLLOW_UP,
            life_satisfaction=7,
        )
        OnwardReferralFactory(
            referral=referral, created_by=worker, status=OnwardReferral.Status.ACCEPTED
        )
    return pcn


@dataclass
class Area:
    commissioner: object
    pcn: object
    other_pcn: object
    director: object
    staff: object


@pytest.fixture
def area(rate) -> Area:
    commissioner = CommissionerFactory()
    pcn = build_pcn(commissioner)
    other_pcn = build_pcn(CommissionerFactory())
    return Area(
        commissioner=commissioner,
        pcn=pcn,
        other_pcn=other_pcn,
        director=ClinicalDirectorUserFactory(pcn=pcn),
        staff=CommissionerStaffFactory(commissioner=commissioner),
    )


def pcn_url(pcn, **query):
    url = reverse("dashboards:pcn_dashboard", args=[pcn.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def commissioner_url(**query):
    url = reverse("dashboards:commissioner_dashboard")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def figure(html: str, testid: str) -> str:
    """The data-value of the first element with this data-testid."""
    match = re.search(rf'data-testid="{testid}"[^>]*data-value="([^"]*)"', html)
    assert match, f"no figure {testid}"
    return match.group(1)


def row(html: str, code: str) -> str:
    match = re.search(rf'<tr[^>]*data-testid="pcn-row-{code}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# The URLs other engineers code against ---------------------------------------------------


def test_the_dashboard_urls_keep_their_contract():
    assert (
        reverse("dashboards:pcn_dashboard", args=["U12345"]) == "/networks/pcns/U12345/dashboard/"
    )
    assert reverse("dashboards:commissioner_dashboard") == "/networks/dashboard/"
    assert (
        reverse("dashboards:pcn_dashboard_csv", args=["U12345", "spend"])
        == "/networks/pcns/U12345/dashboard/spend.csv"
    )
    assert reverse("dashboards:commissioner_dashboard_csv", args=["pcns"]) == (
        "/networks/dashboard/pcns.csv"
    )


# Who sees the PCN dashboard ----------------------------------------------------------------


def test_the_clinical_director_sees_their_own_pcns_dashboard(client, area):
    client.force_login(area.director)
    response = client.get(pcn_url(area.pcn))
    assert response.status_code == 200
    assert f"{area.pcn.code} {area.pcn.name}" in response.content.decode()


def test_a_clinical_director_cannot_open_another_pcns_dashboard(client, area):
    client.force_login(area.director)
    assert client.get(pcn_url(area.other_pcn)).status_code == 404


def test_commissioner_staff_see_their_own_areas_pcns_only(client, area):
    client.force_login(area.staff)
    assert client.get(pcn_url(area.pcn)).status_code == 200
    assert client.get(pcn_url(area.other_pcn)).status_code == 404


@pytest.mark.parametrize(
    "make_user",
    [
        lambda pcn: PracticeManagerFactory(practice=pcn.memberships.first().practice),
        lambda pcn: LinkWorkerUserFactory(pcn=pcn),
        lambda pcn: CommunityOrganisationUserFactory(),
    ],
    ids=["practice manager", "link worker", "community organisation"],
)
def test_roles_without_a_dashboard_are_refused_the_pcn_dashboard(client, area, make_user):
    client.force_login(make_user(area.pcn))
    assert client.get(pcn_url(area.pcn)).status_code == 403


def test_a_superuser_sees_any_pcns_dashboard(client, area):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(pcn_url(area.other_pcn)).status_code == 200


def test_signing_in_comes_first(client, area):
    response = client.get(pcn_url(area.pcn))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# Who sees the commissioner dashboard -------------------------------------------------------


def test_commissioner_staff_see_their_own_commissioners_dashboard(client, area):
    client.force_login(area.staff)
    response = client.get(commissioner_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="pcn-row-{area.pcn.code}"' in html
    assert f'data-testid="pcn-row-{area.other_pcn.code}"' not in html


def test_commissioner_staff_cannot_ask_for_another_commissioner(client, area):
    client.force_login(area.staff)
    other = area.other_pcn.commissioner.code
    assert client.get(commissioner_url(commissioner=other)).status_code == 404


@pytest.mark.parametrize(
    "make_user",
    [
        lambda area: area.director,
        lambda area: PracticeManagerFactory(),
        lambda area: LinkWorkerUserFactory(pcn=area.pcn),
    ],
    ids=["clinical director", "practice manager", "link worker"],
)
def test_other_roles_are_refused_the_commissioner_dashboard(client, area, make_user):
    client.force_login(make_user(area))
    assert client.get(commissioner_url()).status_code == 403


def test_a_superuser_chooses_the_commissioner_and_defaults_to_the_first(client, area):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    other = area.other_pcn.commissioner
    html = client.get(commissioner_url(commissioner=other.code)).content.decode()
    assert f'data-testid="pcn-row-{area.other_pcn.code}"' in html
    assert f'data-testid="pcn-row-{area.pcn.code}"' not in html
    first = min([area.commissioner, other], key=lambda c: c.code)
    response = client.get(commissioner_url())
    assert response.context["commissioner"] == first
    assert 'id="commissioner"' in response.content.decode()  # the chooser


# CSV downloads, per persona ----------------------------------------------------------------


def test_the_clinical_director_downloads_their_pcns_figures(client, area):
    client.force_login(area.director)
    response = client.get(reverse("dashboards:pcn_dashboard_csv", args=[area.pcn.code, "spend"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"{area.pcn.code}-{YEAR}-" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Month", "Approved claims", "Forecast", "Approved and forecast, cumulative"]
    assert len(rows) == 1 + 12 + 1  # a row a month and the total
    assert Decimal(rows[-1][1]) == approved_in_year(area.pcn.pk, YEAR)
    assert rows[1][1] == "6001.20"  # April's approved lines, to the penny


def test_csv_downloads_keep_to_the_same_scope_as_the_pages(client, area):
    client.force_login(area.director)
    other = reverse("dashboards:pcn_dashboard_csv", args=[area.other_pcn.code, "spend"])
    assert client.get(other).status_code == 404
    client.force_login(area.staff)
    assert client.get(other).status_code == 404
    client.force_login(PracticeManagerFactory())
    own = reverse("dashboards:pcn_dashboard_csv", args=[area.pcn.code, "spend"])
    assert client.get(own).status_code == 403


def test_an_unknown_chart_is_not_found(client, area):
    client.force_login(area.director)
    url = reverse("dashboards:pcn_dashboard_csv", args=[area.pcn.code, "salaries"])
    assert client.get(url).status_code == 404


def test_commissioner_csv_downloads_per_persona(client, area):
    url = reverse("dashboards:commissioner_dashboard_csv", args=["pcns"])
    client.force_login(area.staff)
    response = client.get(url)
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0][:3] == ["PCN code", "PCN name", "Registered population"]
    assert [r[0] for r in rows[1:-1]] == [area.pcn.code]
    assert client.get(url + f"?commissioner={area.other_pcn.commissioner.code}").status_code == 404
    client.force_login(area.director)
    assert client.get(url).status_code == 403


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, area):
    referral = area.pcn.referrals.first()
    service = ServiceFactory(organisation__name='=HYPERLINK("http://example.org")')
    OnwardReferralFactory(referral=referral, service=service, status="accepted")
    client.force_login(area.director)
    url = reverse("dashboards:pcn_dashboard_csv", args=[area.pcn.code, "organisations"])
    names = [r[0] for r in read_csv(client.get(url))]
    assert '\'=HYPERLINK("http://example.org")' in names


# The figures shown, checked against the database ---------------------------------------------


def test_the_pcn_dashboard_figures_are_the_entitlement_rules(client, area):
    client.force_login(area.director)
    html = client.get(pcn_url(area.pcn)).content.decode()
    entitlement = pcn_entitlement(pcn=area.pcn, year=YEAR)
    assert entitlement.forecast > 0  # staff in post: the forecast is not trivially zero
    assert Decimal(figure(html, "entitlement")) == entitlement.arr_sum
    assert Decimal(figure(html, "claimed-to-date")) == approved_in_year(area.pcn.pk, YEAR)
    assert Decimal(figure(html, "claimed-to-date")) == Decimal("6001.20")
    assert Decimal(figure(html, "forecast")) == entitlement.forecast
    assert Decimal(figure(html, "unclaimed")) == entitlement.unclaimed
    assert int(figure(html, "population")) == 32_000
    assert int(figure(html, "awaiting-review")) == 1
    assert int(figure(html, "referrals")) == 2
    # Three full-time staff in post, of whom one is baseline and cannot be claimed.
    assert Decimal(figure(html, "wte")) == Decimal("3.00")
    posts = re.search(r'data-testid="posts-table">(.*?)</table>', html, re.S).group(1)
    assert re.search(r"Total</th><td[^>]*>3</td><td[^>]*>3.00</td><td[^>]*>2.00</td>", posts)
    assert "Signed 30 June 2019 by 2 core member practices" in html


def test_the_commissioner_table_figures_are_the_entitlement_rules(client, area):
    second = build_pcn(area.commissioner, posts=1, referrals=0)
    client.force_login(area.staff)
    html = client.get(commissioner_url()).content.decode()
    for pcn in (area.pcn, second):
        cells = row(html, pcn.code)
        entitlement = pcn_entitlement(pcn=pcn, year=YEAR)
        assert Decimal(figure(cells, "entitlement")) == entitlement.arr_sum
        assert Decimal(figure(cells, "claimed")) == approved_in_year(pcn.pk, YEAR)
        assert Decimal(figure(cells, "forecast")) == entitlement.forecast
        assert Decimal(figure(cells, "unclaimed")) == entitlement.unclaimed
        used = (entitlement.spend_to_date * 100 / entitlement.arr_sum).quantize(Decimal("0.1"))
        assert Decimal(figure(cells, "used")) == used
        assert int(figure(cells, "awaiting-review")) == 1
    assert int(figure(row(html, second.code), "referrals")) == 0
    assert int(figure(row(html, area.pcn.code), "referrals")) == 2
    total = sum(pcn_entitlement(pcn=p, year=YEAR).arr_sum for p in (area.pcn, second))
    assert Decimal(figure(html, "entitlement")) == total


def test_the_table_sorts_by_a_column(client, area):
    big = build_pcn(area.commissioner, posts=3, referrals=0)
    client.force_login(area.staff)
    html = client.get(commissioner_url(sort="claimed", order="desc")).content.decode()
    order = re.findall(r'data-testid="pcn-row-(U\d+)"', html)
    assert order == [big.code, area.pcn.code]
    assert 'aria-sort="descending"' in html
    html = client.get(commissioner_url(sort="claimed", order="asc")).content.decode()
    assert re.findall(r'data-testid="pcn-row-(U\d+)"', html) == [area.pcn.code, big.code]


def test_dashboards_show_numbers_only_never_who_was_referred(client, area):
    referral = area.pcn.referrals.first()
    for user, url in ((area.director, pcn_url(area.pcn)), (area.staff, commissioner_url())):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "Zebedee" not in html and "Quixote" not in html
        assert referral.nhs_number not in html
        assert nhs_number_shown(referral.nhs_number) not in html
    client.force_login(area.director)
    for chart in ("referrals-by-month", "caseloads", "outcomes", "organisations"):
        body = client.get(
            reverse("dashboards:pcn_dashboard_csv", args=[area.pcn.code, chart])
        ).content.decode()
        assert "Zebedee" not in body and referral.nhs_number not in body


def test_every_chart_has_its_figures_for_the_browser_and_a_table(client, area):
    client.force_login(area.director)
    html = client.get(pcn_url(area.pcn)).content.decode()
    for chart in ("practices", "posts", "spend", "claims", "referrals-by-month", "outcomes"):
        assert f'<script id="chart-{chart}-data" type="application/json">' in html
        assert f'data-testid="{chart}-table"' in html
        assert f'data-testid="{chart}-csv"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/dashboard-charts.js" in html


# The year shown ---------------------------------------------------------------------------


def _no_rate_this_year():
    EntitlementRate.objects.filter(year__gte=YEAR).delete()
    EntitlementRateFactory(year=YEAR - 1, per_weighted_patient=Decimal("26.631"))


def test_without_a_rate_for_this_year_this_year_is_still_shown_its_entitlement_unknown(client):
    # Issue 13: never an earlier year's figures in place of the current year's.
    _no_rate_this_year()
    director = ClinicalDirectorUserFactory(pcn=build_pcn(CommissionerFactory()))
    client.force_login(director)
    html = client.get(pcn_url(director.pcn)).content.decode()
    assert (
        f"No ARR sum rate has been published for {year_label(YEAR)}: the entitlement is "
        "unknown" in html
    )
    assert f"PCN dashboard, {year_label(YEAR)}" in html
    assert figure(html, "entitlement") == ""
    assert f'<option value="{YEAR}" selected>{year_label(YEAR)} (no ARR sum rate)</option>' in html


def test_a_year_without_a_rate_can_still_be_chosen_and_says_what_is_missing(client):
    _no_rate_this_year()
    staff = CommissionerStaffFactory()
    pcn = build_pcn(staff.commissioner)
    client.force_login(staff)
    html = client.get(pcn_url(pcn, year=YEAR)).content.decode()
    assert "cannot be worked out" in html
    assert figure(html, "entitlement") == ""
    assert Decimal(figure(html, "claimed-to-date")) == approved_in_year(pcn.pk, YEAR)
    html = client.get(commissioner_url(year=YEAR)).content.decode()
    assert figure(row(html, pcn.code), "entitlement") == ""
    assert "Not known" in row(html, pcn.code)


def test_a_year_that_is_not_one_falls_back_and_says_so(client, area):
    client.force_login(area.director)
    html = client.get(pcn_url(area.pcn, year="next")).content.decode()
    assert "There is no financial year “next” to show." in html
    assert f"PCN dashboard, {year_label(YEAR)}" in html


# Alerts and this month's batch ---------------------------------------------------------------


def test_the_commissioner_is_told_what_needs_attention(client, area):
    # A PCN with no claims and no staff is heading to leave its whole sum unclaimed.
    idle = build_pcn(area.commissioner, posts=0, referrals=0)
    ClaimLine.objects.filter(claim__pcn=idle).delete()
    # One person in two PCNs' posts at full time each.
    for pcn in (area.pcn, idle):
        PostFactory(
            pcn=pcn,
            role=RoleFactory(code="clinical_pharmacist"),
            person_name="Sam Twice",
            registration_number="2099999",
            start_date=dt.date(2024, 4, 1),
        )
    stale = ServiceFactory(last_reviewed=TODAY - dt.timedelta(days=STALE_AFTER_DAYS + 1))
    fresh = ServiceFactory(last_reviewed=TODAY - dt.timedelta(days=STALE_AFTER_DAYS - 1))
    client.force_login(area.staff)
    html = client.get(commissioner_url()).content.decode()
    assert f'data-testid="alert-unclaimed-{idle.code}"' in html
    assert "Sam Twice" in html and 'data-testid="alert-over-one-wte"' in html
    assert stale.name in html and fresh.name not in html
    assert f"more than {STALE_AFTER_DAYS} days" in html


def test_a_long_list_of_people_over_one_wte_is_cut_on_the_page_but_not_in_the_csv(client):
    from dashboards.reads import OVER_ONE_WTE_LIST_LIMIT

    staff = CommissionerStaffFactory()
    here, there = PCNFactory(commissioner=staff.commissioner), PCNFactory()
    for index in range(OVER_ONE_WTE_LIST_LIMIT + 1):
        for pcn in (here, there):
            PostFactory(
                pcn=pcn, person_name=f"Link Worker {index:03d}", start_date=dt.date(2024, 4, 1)
            )
    client.force_login(staff)
    html = client.get(commissioner_url()).content.decode()
    assert f"Showing the first {OVER_ONE_WTE_LIST_LIMIT} of {OVER_ONE_WTE_LIST_LIMIT + 1}" in html
    assert "Link Worker 049" in html and "Link Worker 050" not in html
    url = reverse("dashboards:commissioner_dashboard_csv", args=["over-one-wte"])
    rows = read_csv(client.get(url))
    assert len(rows) == 1 + OVER_ONE_WTE_LIST_LIMIT + 1
    assert rows[-1] == ["Link Worker 050", "2.00", f"{here.code}, {there.code}"]


def test_no_alerts_says_so(client, monkeypatch):
    # National figures complete (their gaps' alert is tested in tests/roles/test_coverage.py).
    from roles import coverage

    complete = coverage.Coverage((YEAR - 1, YEAR), [], [], [], [], [])
    monkeypatch.setattr("dashboards.commissioner.figures_coverage", lambda **kwargs: complete)
    staff = CommissionerStaffFactory()
    client.force_login(staff)
    html = client.get(commissioner_url()).content.decode()
    assert 'data-testid="alerts-none"' in html
    assert 'data-testid="batch-none"' in html


def test_this_months_batch_is_the_newest(client, area):
    BatchFactory(commissioner=area.commissioner, month=APRIL, total=Decimal("100.00"))
    newest = BatchFactory(
        commissioner=area.commissioner,
        month=APRIL.replace(month=5),
        total=Decimal("12483.49"),
        line_count=4,
        late_line_count=1,
    )
    BatchFactory(commissioner=area.other_pcn.commissioner, month=APRIL.replace(month=6))
    client.force_login(area.staff)
    html = client.get(commissioner_url()).content.decode()
    assert re.search(r'data-testid="batch-reference">\s*' + newest.reference, html)
    assert Decimal(figure(html, "batch-total")) == Decimal("12483.49")
    assert "4, of which 1 late" in html
    # The link opens the batch's own page, where staff finalise and pay it.
    assert f'href="{reverse("reimbursement:batch_detail", args=[newest.reference])}"' in html


# A fixed number of queries, however much data -------------------------------------------------


@pytest.fixture(params=[1, 4], ids=["small", "larger"])
def sized_area(request, rate):
    commissioner = CommissionerFactory()
    pcns = [
        build_pcn(commissioner, posts=request.param * 2, referrals=request.param * 3)
        for _ in range(request.param)
    ]
    for index in range(request.param * 2):
        ServiceFactory(last_reviewed=TODAY - dt.timedelta(days=400 + index))
    BatchFactory(commissioner=commissioner, month=APRIL)
    return commissioner, pcns


# Measured, both sizes alike; two of each are the session and the signed-in user.
PCN_DASHBOARD_QUERIES = 29  # 26, the new-referrals queue, and the attention panel: returned
# claims and stale directory entries (the rest of the panel reuses figures already read)
# The commissioner's includes the three reads of the figures coverage (roles.coverage).
COMMISSIONER_DASHBOARD_QUERIES = 24
# Both add the income by payment stream (reimbursement.income): the streams and their rates,
# the batches, the stream amounts and the ARRS lines (5), and the expected amounts for months
# not yet batched (reimbursement.streams.rate_stream_amounts: rates, members, list sizes).
INCOME_QUERIES = 8
PCN_DASHBOARD_QUERIES += INCOME_QUERIES
COMMISSIONER_DASHBOARD_QUERIES += INCOME_QUERIES


def test_the_pcn_dashboard_runs_a_fixed_number_of_queries(
    client, sized_area, django_assert_max_num_queries
):
    commissioner, pcns = sized_area
    client.force_login(ClinicalDirectorUserFactory(pcn=pcns[0]))
    with django_assert_max_num_queries(PCN_DASHBOARD_QUERIES):
        assert client.get(pcn_url(pcns[0])).status_code == 200
    with django_assert_max_num_queries(PCN_DASHBOARD_QUERIES):
        url = reverse("dashboards:pcn_dashboard_csv", args=[pcns[0].code, "claims"])
        assert client.get(url).status_code == 200


def test_the_commissioner_dashboard_runs_a_fixed_number_of_queries(
    client, sized_area, django_assert_max_num_queries
):
    commissioner, pcns = sized_area
    client.force_login(CommissionerStaffFactory(commissioner=commissioner))
    with django_assert_max_num_queries(COMMISSIONER_DASHBOARD_QUERIES):
        assert client.get(commissioner_url()).status_code == 200
    with django_assert_max_num_queries(COMMISSIONER_DASHBOARD_QUERIES):
        url = reverse("dashboards:commissioner_dashboard_csv", args=["pcns"])
        assert client.get(url).status_code == 200
