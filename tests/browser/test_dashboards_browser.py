"""The two dashboards in Chromium, signed in through the real form: the figures a clinical
director and commissioner staff read on the page (as shown and as data-value) against the
database, the charts drawn, each chart's table against its CSV download, who is refused,
sorting and the keyboard."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from networks.models import PCN
from networks.selectors import populations_on
from pcn_admin.dates import financial_year, month_bounds
from referrals.models import OnwardReferral, OutcomeMeasurement, Referral
from reimbursement import batches
from reimbursement.entitlement import pcn_entitlement
from reimbursement.models import Batch, Claim, ClaimLine, StreamPayment
from reimbursement.selectors import approved_in_year, awaiting_review
from roles.models import Post
from roles.selectors import wte_in_month
from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    NominatedPayeeFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    LinkWorkerUserFactory,
)
from tests.referrals.factories import (
    AssignedReferralFactory,
    OnwardReferralFactory,
    OutcomeMeasurementFactory,
    ReferralReasonFactory,
    ReferralSourceFactory,
)
from tests.reimbursement.factories import (
    ApprovedClaimLineFactory,
    ClaimFactory,
    ClaimLineFactory,
)
from tests.roles.factories import EntitlementRateFactory, PostFactory, RoleFactory

pytestmark = pytest.mark.browser

TODAY = timezone.localdate()
# The current financial year, so the forecast to 31 March is not trivially nil. The seed
# migration's rate is used where it has one for the year; otherwise the test adds one.
YEAR = financial_year(TODAY)
APRIL = dt.date(YEAR, 4, 1)
MAY = dt.date(YEAR, 5, 1)
JUNE = dt.date(YEAR, 6, 1)
LAST_MARCH = dt.date(YEAR, 3, 1)  # the previous financial year's last month
YEAR_END = dt.date(YEAR + 1, 3, 31)
THIS_MONTH = TODAY.replace(day=1)

CHART_JS = Path(settings.BASE_DIR) / "static" / "vendor" / "chartjs" / "chart.umd.min.js"


@dataclass
class Area:
    """One commissioner's three PCNs (the director's, a busier one, a quiet one) and a PCN of
    another commissioner, with a draft batch for April after a finalised one for March."""

    pcn: object
    busier: object
    quiet: object
    elsewhere: object
    director: object
    staff: object
    batch: object
    surnames: list


def _practices(pcn, sizes):
    practices = []
    for registered, weighted in sizes:
        practice = MembershipFactory(pcn=pcn).practice
        ListSizeFactory(
            practice=practice,
            date=dt.date(2020, 1, 1),
            registered_patients=registered,
            weighted_patients=Decimal(weighted),
        )
        practices.append(practice)
    NominatedPayeeFactory(pcn=pcn, practice=practices[0])
    return practices


def _referrals(pcn, practice, received: list[dt.date]) -> list[str]:
    worker = LinkWorkerUserFactory(pcn=pcn)
    surnames = []
    for index, day in enumerate(received):
        surname = f"Quixote{pcn.code}{index}"
        referral = AssignedReferralFactory(
            pcn=pcn,
            practice=practice,
            link_worker=worker,
            received_on=day,
            family_name=surname,
            source=ReferralSourceFactory(name=f"Browser source {index % 2}"),
            reasons=[ReferralReasonFactory(name=f"Browser reason {index % 3}")],
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
        surnames.append(surname)
    return surnames


@pytest.fixture
def area(live_site) -> Area:
    EntitlementRateFactory(year=YEAR, per_weighted_patient=Decimal("26.631"))
    commissioner = CommissionerFactory()

    # The director's PCN: two practices, one with a newer list size (the population shown is
    # today's, the ARR sum the figures of 1 January); four posts in post, one gone.
    pcn = PCNFactory(commissioner=commissioner, name="Coquet Valley PCN")
    first, _ = _practices(pcn, [(18_000, "19000.50"), (14_000, "15000.00")])
    ListSizeFactory(
        practice=first, date=APRIL, registered_patients=18_250, weighted_patients=Decimal("19100")
    )
    link_workers = [
        PostFactory(pcn=pcn, employing_practice=first, start_date=dt.date(2024, 4, 1))
        for _ in range(2)
    ]
    pharmacist = PostFactory(
        pcn=pcn,
        role=RoleFactory(code="clinical_pharmacist"),
        registration_number="2051234",
        employing_practice=first,
        start_date=dt.date(2024, 4, 1),
        hours="30",
    )
    PostFactory(  # baseline: counted in post, never claimable
        pcn=pcn, employing_practice=first, start_date=dt.date(2018, 1, 1), in_post_at_baseline=True
    )
    PostFactory(  # left before the year
        pcn=pcn, employing_practice=first, start_date=dt.date(2022, 4, 1), end_date=LAST_MARCH
    )
    april = ClaimFactory(pcn=pcn, month=APRIL, status=Claim.Status.APPROVED)
    for post, amount in zip(
        [*link_workers, pharmacist], ["3000.10", "2750.45", "1234.56"], strict=True
    ):
        ApprovedClaimLineFactory(claim=april, post=post, reimbursable=Decimal(amount))
    ApprovedClaimLineFactory(  # last year's: paid in March's batch, not this year's spend
        claim=ClaimFactory(pcn=pcn, month=LAST_MARCH, status=Claim.Status.APPROVED),
        post=link_workers[0],
        reimbursable=Decimal("999.99"),
    )
    ClaimLineFactory(
        claim=ClaimFactory(pcn=pcn, month=MAY, status=Claim.Status.SUBMITTED),
        post=link_workers[0],
        reimbursable=Decimal("3000.10"),
    )
    in_year = [max(APRIL, TODAY - dt.timedelta(days=index)) for index in range(3)]
    surnames = _referrals(pcn, first, [*in_year, APRIL - dt.timedelta(days=10)])

    # A busier PCN of the same commissioner: more claimed, two claims in review.
    busier = PCNFactory(commissioner=commissioner, name="Blyth Harbour PCN")
    busy_first, _ = _practices(busier, [(9_000, "9500.25"), (12_000, "12500")])
    busy_worker = PostFactory(
        pcn=busier, employing_practice=busy_first, start_date=dt.date(2024, 4, 1)
    )
    ApprovedClaimLineFactory(
        claim=ClaimFactory(pcn=busier, month=APRIL, status=Claim.Status.APPROVED),
        post=busy_worker,
        reimbursable=Decimal("4100.00"),
    )
    ClaimLineFactory(  # awaiting review: its line is still to decide
        claim=ClaimFactory(pcn=busier, month=MAY, status=Claim.Status.SUBMITTED), post=busy_worker
    )
    june = ClaimFactory(pcn=busier, month=JUNE, status=Claim.Status.PARTLY_APPROVED)
    ApprovedClaimLineFactory(claim=june, post=busy_worker, reimbursable=Decimal("3500.00"))
    ClaimLineFactory(  # still to decide: June awaits review
        claim=june,
        post=PostFactory(pcn=busier, employing_practice=busy_first, start_date=JUNE),
    )
    surnames += _referrals(busier, busy_first, [APRIL, APRIL])

    # A quiet PCN: no staff, claims or referrals.
    quiet = PCNFactory(commissioner=commissioner, name="Alnmouth Quiet PCN")
    _practices(quiet, [(31_000, "30000")])

    elsewhere = PCNFactory(name="Elsewhere Other PCN")  # another commissioner's
    _practices(elsewhere, [(40_000, "41000")])

    staff = CommissionerStaffFactory(commissioner=commissioner)
    march = batches.batch_build(commissioner_id=commissioner.pk, month=LAST_MARCH).batch
    batches.batch_finalise(batch=march, by=staff)
    batch = batches.batch_build(commissioner_id=commissioner.pk, month=APRIL).batch
    return Area(
        pcn=pcn,
        busier=busier,
        quiet=quiet,
        elsewhere=elsewhere,
        director=ClinicalDirectorUserFactory(pcn=pcn),
        staff=staff,
        batch=batch,
        surnames=surnames,
    )


# Reading the page ---------------------------------------------------------------------------


def pcn_path(pcn) -> str:
    return f"{reverse('dashboards:pcn_dashboard', args=[pcn.code])}?year={YEAR}"


def commissioner_path() -> str:
    return f"{reverse('dashboards:commissioner_dashboard')}?year={YEAR}"


def pounds(amount: Decimal) -> str:
    """Money as the page should write it: £12,345.67 (the test's own formatting)."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    return f"{'-' if amount < 0 else ''}£{abs(amount):,.2f}"


def shown(locator) -> tuple[str, str]:
    """A figure's visible text and its raw data-value."""
    return locator.inner_text().strip(), locator.get_attribute("data-value")


def key_figure(page, testid: str) -> tuple[str, str]:
    return shown(page.locator(".dashboard-figures").get_by_test_id(testid))


def table_rows(table) -> list[list[str]]:
    return table.evaluate(
        "t => Array.from(t.querySelectorAll('tr'))"
        ".map(tr => Array.from(tr.children).map(cell => cell.textContent.trim()))"
    )


def comparable(text: str):
    """One cell as a figure where it is one (£1,234.50, 12,000, 12.5% -> Decimal), else text;
    so a table cell and its CSV value compare, whatever the formatting."""
    bare = text.strip().lstrip("'").replace("£", "").replace(",", "").removesuffix("%")
    try:
        return Decimal(bare)
    except InvalidOperation:
        return text.strip()


def expected_wte(pcn) -> Decimal:
    """Staff in post this month, each post's hours over full time."""
    first, last = month_bounds(THIS_MONTH)
    posts = Post.objects.filter(pcn=pcn, start_date__lte=last).exclude(end_date__lt=first)
    return sum((wte_in_month(post, THIS_MONTH) for post in posts), Decimal("0"))


def referrals_in_year(pcn) -> int:
    return Referral.objects.filter(
        pcn=pcn, received_on__gte=APRIL, received_on__lte=YEAR_END
    ).count()


# The clinical director ----------------------------------------------------------------------


def test_the_clinical_director_reads_their_pcns_figures_as_the_database_has_them(
    page, log_in, visit, area
):
    from playwright.sync_api import expect

    pcn = area.pcn
    entitlement = pcn_entitlement(pcn=pcn, year=YEAR)
    claimed = approved_in_year(pcn.pk, YEAR)
    population = populations_on([pcn.pk])[pcn.pk].registered
    wte = expected_wte(pcn)
    # The worked figures, so the page and the selectors cannot agree on a wrong answer.
    assert (claimed, population, wte) == (Decimal("6985.11"), 32_250, Decimal("3.8"))
    # The ARR sum is from the list sizes of 1 January, not April's newer one.
    assert entitlement.weighted_population == Decimal("34000.50")
    assert entitlement.spend_to_date == claimed and entitlement.forecast > 0

    log_in(area.director)
    visit(pcn_path(pcn))

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{pcn.code} Coquet Valley PCN")
    assert key_figure(page, "population") == ("32,250", str(population))
    text, value = key_figure(page, "entitlement")
    assert (text, Decimal(value)) == (pounds(entitlement.arr_sum), entitlement.arr_sum)
    text, value = key_figure(page, "claimed-to-date")
    assert (text, Decimal(value)) == ("£6,985.11", claimed)
    text, value = key_figure(page, "forecast")
    assert (text, Decimal(value)) == (pounds(entitlement.forecast), entitlement.forecast)
    text, value = key_figure(page, "unclaimed")
    assert (
        Decimal(value)
        == entitlement.unclaimed
        == (entitlement.arr_sum - claimed - entitlement.forecast)
    )
    assert text == pounds(entitlement.unclaimed)
    in_review = awaiting_review(Claim.objects.filter(pcn=pcn)).count()
    assert key_figure(page, "awaiting-review") == ("1", str(in_review))
    assert key_figure(page, "wte") == (f"{wte:.2f} WTE", f"{wte:.2f}")
    assert key_figure(page, "referrals") == ("3", str(referrals_in_year(pcn)))
    # Numbers only: no one referred is named anywhere on the page.
    content = page.content()
    assert not [name for name in area.surnames if name in content]


def test_the_pcn_dashboards_charts_are_drawn(page, log_in, visit, area):
    if not CHART_JS.exists():
        pytest.skip(f"Chart.js is not built into {CHART_JS}: run scripts/build_static.sh")
    from playwright.sync_api import expect

    log_in(area.director)
    visit(pcn_path(area.pcn))

    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == 11  # every chart has figures in this data
    for canvas in canvases.all():
        expect(canvas).to_be_visible()
        drawn = canvas.evaluate(
            """canvas => {
                const chart = Chart.getChart(canvas);
                return chart && {
                    width: canvas.width,
                    height: canvas.height,
                    labels: chart.data.labels.length,
                    points: chart.data.datasets.map(set => set.data.length),
                };
            }"""
        )
        assert drawn, f"no chart drawn on {canvas.get_attribute('data-chart')}"
        assert drawn["width"] > 0 and drawn["height"] > 0
        assert drawn["labels"] > 0 and set(drawn["points"]) == {drawn["labels"]}


def test_every_pcn_chart_has_its_table_and_the_csv_has_the_tables_rows(page, log_in, visit, area):
    """Run with Chart.js blocked: the tables must stand alone, and the figure stay hidden."""
    from playwright.sync_api import expect

    page.route("**/chart.umd.min.js", lambda route: route.abort())
    log_in(area.director)
    visit(pcn_path(area.pcn))

    panels = page.locator("section[data-testid^='chart-']")
    slugs = [panel.get_attribute("data-testid").removeprefix("chart-") for panel in panels.all()]
    assert slugs == [
        "practices",
        "posts",
        "spend",
        "claims",
        "income",
        "referrals-by-month",
        "referral-sources",
        "referral-reasons",
        "caseloads",
        "outcomes",
        "organisations",
    ]
    for slug in slugs:
        panel = page.get_by_test_id(f"chart-{slug}")
        table = panel.get_by_test_id(f"{slug}-table")
        expect(table).to_be_visible()
        expect(panel.locator("figure")).to_have_count(1)
        expect(panel.locator("figure")).to_be_hidden()
        on_page = table_rows(table)
        with page.expect_download() as download:
            panel.get_by_test_id(f"{slug}-csv").click()
        assert download.value.suggested_filename == (
            f"{area.pcn.code}-{YEAR}-{(YEAR + 1) % 100:02d}-{slug}.csv"
        )
        text = Path(download.value.path()).read_text(encoding="utf-8")
        downloaded = list(csv.reader(io.StringIO(text)))
        assert len(downloaded) == len(on_page) > 1, slug
        assert [[comparable(c) for c in row] for row in downloaded] == [
            [comparable(c) for c in row] for row in on_page
        ], slug


def test_a_clinical_director_cannot_open_another_pcns_or_the_commissioner_dashboard(
    page, log_in, visit, area
):
    log_in(area.director)

    response = visit(pcn_path(area.busier))
    assert response.status == 404
    assert "Blyth Harbour" not in page.content()
    assert page.get_by_test_id("pcn-dashboard").count() == 0

    response = visit(commissioner_path())
    assert response.status == 403
    assert page.get_by_test_id("commissioner-dashboard").count() == 0


# Commissioner staff -------------------------------------------------------------------------


def row_codes(page) -> list[str]:
    rows = page.locator("tr[data-testid^='pcn-row-']:not([data-testid='pcn-row-total'])")
    return [row.get_attribute("data-testid").removeprefix("pcn-row-") for row in rows.all()]


def test_commissioner_staff_read_each_pcns_figures_and_the_newest_batch(page, log_in, visit, area):
    pcns = [area.pcn, area.busier, area.quiet]
    expected = {
        pcn.code: {
            "population": populations_on([pcn.pk])[pcn.pk].registered,
            "entitlement": pcn_entitlement(pcn=pcn, year=YEAR),
            "claimed": approved_in_year(pcn.pk, YEAR),
            "review": awaiting_review(Claim.objects.filter(pcn=pcn)).count(),
            "referrals": referrals_in_year(pcn),
        }
        for pcn in pcns
    }
    assert [expected[p.code]["claimed"] for p in pcns] == [
        Decimal("6985.11"),
        Decimal("7600.00"),
        Decimal("0.00"),
    ]

    log_in(area.staff)
    visit(commissioner_path())

    count = PCN.objects.filter(commissioner=area.pcn.commissioner).count()
    assert key_figure(page, "pcn-count") == ("3", str(count))
    assert row_codes(page) == sorted(expected)  # by code; the other commissioner's is absent
    for code, figures in expected.items():
        row = page.get_by_test_id(f"pcn-row-{code}")
        entitlement = figures["entitlement"]
        population = figures["population"]
        assert shown(row.get_by_test_id("population")) == (f"{population:,}", str(population))
        text, value = shown(row.get_by_test_id("entitlement"))
        assert (text, Decimal(value)) == (pounds(entitlement.arr_sum), entitlement.arr_sum)
        text, value = shown(row.get_by_test_id("claimed"))
        assert (text, Decimal(value)) == (pounds(figures["claimed"]), figures["claimed"])
        text, value = shown(row.get_by_test_id("forecast"))
        assert (text, Decimal(value)) == (pounds(entitlement.forecast), entitlement.forecast)
        text, value = shown(row.get_by_test_id("unclaimed"))
        assert (text, Decimal(value)) == (pounds(entitlement.unclaimed), entitlement.unclaimed)
        assert shown(row.get_by_test_id("awaiting-review"))[1] == str(figures["review"])
        assert shown(row.get_by_test_id("referrals"))[1] == str(figures["referrals"])

    population = sum(f["population"] for f in expected.values())
    assert key_figure(page, "population") == (f"{population:,}", str(population))
    arr_sums = sum(f["entitlement"].arr_sum for f in expected.values())
    text, value = key_figure(page, "entitlement")
    assert (text, Decimal(value)) == (pounds(arr_sums), arr_sums)
    text, value = key_figure(page, "claimed-to-date")
    assert (text, Decimal(value)) == ("£14,585.11", Decimal("14585.11"))
    assert key_figure(page, "awaiting-review") == ("3", "3")
    assert key_figure(page, "referrals") == ("5", "5")

    # The newest batch (April's draft), not March's finalised one. April's lines only: the
    # director's PCN's three and the busier PCN's one; June's waits for June's batch.
    newest = Batch.objects.filter(commissioner=area.pcn.commissioner).order_by("-month").first()
    april_lines = ClaimLine.objects.filter(
        claim__pcn__commissioner=area.pcn.commissioner,
        claim__month=APRIL,
        status=ClaimLine.Status.APPROVED,
    )
    arrs = sum(line.reimbursable for line in april_lines)
    # Beside the ARRS lines, the batch pays April's Network Contract DES streams (decision 0014).
    streams = sum(p.amount for p in StreamPayment.objects.filter(batch=newest))
    assert arrs == Decimal("11085.11") and streams > 0
    assert newest == area.batch and newest.total == arrs + streams
    batch = page.get_by_test_id("batch")
    assert batch.get_by_test_id("batch-reference").inner_text() == newest.reference
    assert batch.get_by_test_id("batch-status").inner_text().strip() == "Draft"
    text, value = shown(batch.get_by_test_id("batch-total"))
    assert (text, Decimal(value)) == (f"£{newest.total:,}", newest.total)


def test_commissioner_staff_sort_the_pcn_table_and_reach_it_by_keyboard(page, log_in, visit, area):
    from playwright.sync_api import expect

    log_in(area.staff)
    visit(commissioner_path())

    # Keyboard: the first Tab lands on the skip link, which shows where the focus is.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            return {
                text: el.textContent.trim(),
                inView: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
                    && box.right <= innerWidth,
                ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                    || style.boxShadow !== "none",
            };
        }"""
    )
    assert focused == {"text": "Skip to main content", "inView": True, "ring": True}

    claimed = {
        code: approved_in_year(pcn_id, YEAR)
        for code, pcn_id in [
            (area.pcn.code, area.pcn.pk),
            (area.busier.code, area.busier.pk),
            (area.quiet.code, area.quiet.pk),
        ]
    }
    by_claimed = sorted(claimed, key=lambda code: (claimed[code], code))
    assert by_claimed != sorted(claimed)  # so the sort shows

    table = page.get_by_test_id("pcn-table")
    header = table.locator("th").filter(has_text="Claimed to date")
    header.get_by_role("link").click()  # figures: the biggest first
    expect(page).to_have_url(re.compile(r"sort=claimed&order=desc"))
    assert row_codes(page) == by_claimed[::-1]
    expect(header).to_have_attribute("aria-sort", "descending")

    header.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=claimed&order=asc"))
    assert row_codes(page) == by_claimed
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert f"year={YEAR}" in page.url  # the year shown is kept


def test_the_pcn_table_csv_comes_in_the_order_the_table_shows(page, log_in, visit, area):
    log_in(area.staff)
    visit(f"{commissioner_path()}&sort=claimed&order=desc")
    on_page = row_codes(page)
    assert on_page == [area.busier.code, area.pcn.code, area.quiet.code]

    with page.expect_download() as download:
        page.get_by_test_id("pcns-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[1:-1]] == on_page


def test_the_awaiting_review_link_lists_the_claims_it_counts(page, log_in, visit, area):
    log_in(area.staff)
    visit(commissioner_path())
    awaiting = int(key_figure(page, "awaiting-review")[1])
    assert awaiting == 3  # two submitted, one partly approved

    page.get_by_role("link", name="Review these claims").click()
    listed = page.get_by_role("main").locator("table tbody tr")
    assert listed.count() == awaiting
