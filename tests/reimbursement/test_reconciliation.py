"""The reconciliation: what the app paid each PCN in each stream (or would have paid) against
what NHS England reported as paid; the page and CSV for commissioner staff, and the command."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from networks.models import ListSize
from reimbursement import batches
from reimbursement.calculations import stream_month_amount
from reimbursement.models import DeclaredPayment, PaymentStream
from reimbursement.reconciliation import (
    NO_RATE,
    NOT_IN_REGISTER,
    PART_PAID,
    WOULD_HAVE_PAID,
    ReconciliationRow,
    Tolerance,
    parse_tolerance,
    reconcile,
)
from reimbursement.services import reported_import
from reimbursement.streams import year_months
from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    NominatedPayeeFactory,
    PCNFactory,
    PracticeFactory,
)
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.reimbursement.factories import ApprovedClaimLineFactory, ClaimFactory
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The real 2022/23 file's header line (BOM, `Code` and `CCG NAME` for the PCN), for small
# files of invented rows.
HEADER = (
    (FIXTURES / "nhs-payments-to-general-practice-2022-23-pcns.csv")
    .read_bytes()
    .decode("utf-8-sig")
    .split("\r\n", 1)[0]
)
ISSUE_STREAMS = {
    "participation",
    "core",
    "clinical_director",
    "extended_hours",
    "enhanced_access",
    "arrs",
    "iif",
    "care_home_premium",
    "capacity_access",
}
PENNY = Decimal("0.01")
# 2023/24: participation, core and clinical director all have a published rate.
YEAR = 2023
JANUARY = dt.date(YEAR, 1, 1)
APRIL, MAY, JUNE = dt.date(YEAR, 4, 1), dt.date(YEAR, 5, 1), dt.date(YEAR, 6, 1)


def whole_year(per_patient: str, population) -> Decimal:
    return (Decimal(per_patient) * Decimal(population)).quantize(PENNY, ROUND_HALF_UP)


def payments_file(tmp_path: Path, rows: list[dict], name: str = "payments.csv") -> Path:
    """A payments CSV with the real file's header and these rows (unnamed cells blank)."""
    header = next(csv.reader([HEADER]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path


def practice_row(practice, pcn_code, pcn_name, area, **amounts) -> dict:
    columns = {
        "participation": "PCN Participation",
        "core": "PCN Support",
        "clinical_director": "PCN Leadership",
        "extended_hours": "PCN Extended Hours Access",
        "arrs": "PCN Workforce",
        "iif": "PCN Investment and impact Fund",
        "care_home_premium": "PCN Care Home Premium",
        "enhanced_access": "PCN Enhanced Access",
    }
    return {
        "Practice Code": practice,
        "Code": pcn_code,
        "CCG NAME": pcn_name,
        "CCG Code": area,
        **{columns[code]: value for code, value in amounts.items()},
    }


@dataclass
class World:
    commissioner: object
    pcn: object
    payee: object
    other: object
    other_commissioner: object
    other_pcn: object


def make_world(year: int = YEAR) -> World:
    commissioner = CommissionerFactory(code="00L", name="NHS Northumberland Sub-ICB Location")
    pcn = PCNFactory(code="U05512", name="West Northumberland PCN", commissioner=commissioner)
    payee = PracticeFactory(code="A84033", commissioner=commissioner)
    other = PracticeFactory(code="A84011", commissioner=commissioner)
    for practice, registered, weighted in ((payee, 10_007, "10433.37"), (other, 6_113, "5987.91")):
        MembershipFactory(pcn=pcn, practice=practice)
        ListSizeFactory(
            practice=practice,
            date=dt.date(year, 1, 1),
            registered_patients=registered,
            weighted_patients=Decimal(weighted),
        )
    NominatedPayeeFactory(pcn=pcn, practice=payee)
    other_commissioner = CommissionerFactory(code="99C", name="NHS North Tyneside Sub-ICB")
    other_pcn = PCNFactory(code="U95193", name="Tyneside PCN", commissioner=other_commissioner)
    MembershipFactory(pcn=other_pcn, practice=PracticeFactory(code="A87017"))
    return World(commissioner, pcn, payee, other, other_commissioner, other_pcn)


def import_year(tmp_path, world: World, year: int = YEAR, *, extra=()):
    rows = [
        practice_row(
            "A84033",
            "U05512",
            "WEST NORTHUMBERLAND PCN",
            "00L",
            participation="18400.00",
            core="24000.00",
            clinical_director="11751.48",
            arrs="5000.00",
            iif="1000.50",
        ),
        practice_row(
            "A84011", "U05512", "WEST NORTHUMBERLAND PCN", "00L", participation="10544.70"
        ),
        # The other area's PCN, on a row that names this area: it stays the other area's.
        practice_row("A87017", "U95193", "TYNESIDE PCN", "00L", core="777.77"),
        *extra,
    ]
    return reported_import(path=payments_file(tmp_path, rows), year=year)


def row_for(result, pcn_code, stream) -> ReconciliationRow:
    return next(r for r in result.rows if r.pcn_code == pcn_code and r.stream.code == stream)


# What the app would have paid, against what was reported ------------------------------------


def test_a_year_before_the_app_shows_what_it_would_have_paid_against_what_was_reported(tmp_path):
    world = make_world()
    import_year(tmp_path, world)

    result = reconcile(year=YEAR, commissioner=world.commissioner)

    core = row_for(result, "U05512", "core")
    assert core.app == whole_year("1.50", 16_120) == Decimal("24180.00")
    assert core.basis == WOULD_HAVE_PAID and core.months_unpaid == 12
    assert core.reported == Decimal("24000.00")
    assert core.difference == Decimal("180.00")
    assert core.percent == Decimal("0.8")
    participation = row_for(result, "U05512", "participation")
    assert participation.app == whole_year("1.761", "10433.37") + whole_year("1.761", "5987.91")
    assert participation.reported == Decimal("28944.70")  # both practices' rows
    director = row_for(result, "U05512", "clinical_director")
    assert director.app == whole_year("0.729", 16_120)
    assert director.difference == 0


def test_every_pcn_has_a_row_for_each_stream_the_national_file_reports(tmp_path):
    world = make_world()
    import_year(tmp_path, world)

    result = reconcile(year=YEAR, commissioner=world.commissioner)

    assert [r.stream.code for r in result.rows if r.pcn_code == "U05512"] == [
        s.code
        for s in PaymentStream.objects.order_by("display_order", "code")
        if s.code in ISSUE_STREAMS
    ]
    capacity = row_for(result, "U05512", "capacity_access")
    assert capacity.reported is None and "does not report" in capacity.note


def test_a_stream_with_no_rate_for_the_year_says_so_rather_than_nought(tmp_path):
    world = make_world(2022)
    import_year(tmp_path, world, 2022)

    result = reconcile(year=2022, commissioner=world.commissioner)

    director = row_for(result, "U05512", "clinical_director")
    assert director.app is None and director.basis == NO_RATE
    assert director.difference is None and director.reported == Decimal("11751.48")
    assert "No clinical director rate is recorded for 2022/23" in director.note
    # Extended hours ended on 30 September 2022: six months' worth, and said so.
    hours = row_for(result, "U05512", "extended_hours")
    assert hours.app == sum(
        stream_month_amount(Decimal("1.45"), Decimal(16_120), month)
        for month in year_months(2022)[:6]
    )
    assert "6 of the year's 12 months" in hours.note


# What the app paid ----------------------------------------------------------------------------


def test_months_a_finalised_batch_paid_count_as_paid_and_the_rest_as_would_have_paid(tmp_path):
    world = make_world()
    import_year(tmp_path, world)
    reviewer = CommissionerStaffFactory(commissioner=world.commissioner)
    april = batches.batch_build(commissioner_id=world.commissioner.pk, month=APRIL).batch
    batches.batch_finalise(batch=april, by=reviewer)
    batches.batch_build(commissioner_id=world.commissioner.pk, month=MAY)  # a draft: not paid
    # The list grows after April was paid: April keeps what it paid, the other months move.
    ListSize.objects.filter(practice=world.payee).update(registered_patients=11_007)

    core = row_for(reconcile(year=YEAR, commissioner=world.commissioner), "U05512", "core")

    assert core.basis == PART_PAID
    assert (core.months_paid, core.months_unpaid) == (1, 11)
    assert core.paid == stream_month_amount(Decimal("1.50"), Decimal(16_120), APRIL)
    assert core.would_have_paid == sum(
        stream_month_amount(Decimal("1.50"), Decimal(17_120), month)
        for month in year_months(YEAR)[1:]
    )
    assert core.app == core.paid + core.would_have_paid


def test_arrs_is_the_years_approved_claim_lines_paid_or_not(tmp_path):
    world = make_world()
    import_year(tmp_path, world)
    post = PostFactory(pcn=world.pcn)
    for month, amount in ((APRIL, "1234.56"), (JUNE, "987.65")):
        claim = ClaimFactory(pcn=world.pcn, month=month, status="approved")
        ApprovedClaimLineFactory(claim=claim, post=post, reimbursable=Decimal(amount))
    reviewer = CommissionerStaffFactory(commissioner=world.commissioner)
    batches.batch_finalise(
        batch=batches.batch_build(commissioner_id=world.commissioner.pk, month=APRIL).batch,
        by=reviewer,
    )

    arrs = row_for(reconcile(year=YEAR, commissioner=world.commissioner), "U05512", "arrs")

    assert (arrs.paid, arrs.would_have_paid) == (Decimal("1234.56"), Decimal("987.65"))
    assert arrs.app == Decimal("2222.21")
    assert arrs.difference == Decimal("2222.21") - Decimal("5000.00")
    assert arrs.basis == PART_PAID


def test_declared_streams_count_approved_amounts_only(tmp_path):
    world = make_world()
    import_year(tmp_path, world)
    iif = PaymentStream.objects.get(code="iif")
    for month, amount, status in (
        (JUNE, "1000.50", DeclaredPayment.Status.APPROVED),
        (MAY, "99.00", DeclaredPayment.Status.REJECTED),
    ):
        DeclaredPayment.objects.create(
            stream=iif, pcn=world.pcn, month=month, amount=Decimal(amount), status=status
        )

    result = reconcile(year=YEAR, commissioner=world.commissioner)

    declared = row_for(result, "U05512", "iif")
    assert declared.app == Decimal("1000.50") and declared.difference == 0
    assert declared.basis == WOULD_HAVE_PAID
    nothing = row_for(result, "U05512", "care_home_premium")
    assert nothing.app == 0 and "Nothing declared" in nothing.note


# Whose PCN -------------------------------------------------------------------------------------


def test_a_pcn_the_register_does_not_know_appears_by_the_code_and_name_the_file_gives(tmp_path):
    world = make_world()
    import_year(
        tmp_path,
        world,
        extra=[
            practice_row("A84099", "U44444", "NEW COAST PCN", "00L", core="500.00"),
            practice_row("B81001", "U55555", "ELSEWHERE PCN", "03F", core="600.00"),
        ],
    )

    mine = reconcile(year=YEAR, commissioner=world.commissioner)

    core = row_for(mine, "U44444", "core")
    assert (core.pcn_name, core.in_register, core.basis) == (
        "NEW COAST PCN",
        False,
        NOT_IN_REGISTER,
    )
    assert core.app == 0 and core.difference == Decimal("-500.00")
    assert "U55555" not in {r.pcn_code for r in mine.rows}
    # The other area's PCN stays the other area's, though its row named this area.
    assert "U95193" not in {r.pcn_code for r in mine.rows}
    theirs = reconcile(year=YEAR, commissioner=world.other_commissioner)
    assert row_for(theirs, "U95193", "core").reported == Decimal("777.77")
    england = {r.pcn_code for r in reconcile(year=YEAR).rows}
    assert {"U05512", "U95193", "U44444", "U55555"} <= england


def test_the_reconciliation_takes_the_same_number_of_queries_for_one_pcn_or_many(
    tmp_path, django_assert_max_num_queries
):
    world = make_world()
    import_year(tmp_path, world)
    with django_assert_max_num_queries(11) as few:
        reconcile(year=YEAR, commissioner=world.commissioner)
    for _ in range(6):
        pcn = PCNFactory(commissioner=world.commissioner)
        MembershipFactory(pcn=pcn)
        ClaimFactory(pcn=pcn, month=JUNE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        result = reconcile(year=YEAR, commissioner=world.commissioner)
    assert len({r.pcn_code for r in result.rows}) == 7


# The tolerance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", Tolerance(Decimal("1"), True)),
        ("2%", Tolerance(Decimal("2"), True)),
        ("2.5 %", Tolerance(Decimal("2.5"), True)),
        ("100", Tolerance(Decimal("100"), False)),
        ("£1,000", Tolerance(Decimal("1000"), False)),
    ],
)
def test_a_tolerance_is_pounds_or_a_per_cent(typed, expected):
    assert parse_tolerance(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "£5%", "-3", "5 pounds"])
def test_a_tolerance_that_is_neither_says_what_to_type(typed):
    with pytest.raises(ValueError, match="for example 100"):
        parse_tolerance(typed)


def test_differences_above_the_tolerance_are_marked(tmp_path):
    world = make_world()
    import_year(tmp_path, world)
    result = reconcile(year=YEAR, commissioner=world.commissioner)

    result.apply(parse_tolerance("100"))
    assert row_for(result, "U05512", "core").above_tolerance  # £180.00
    assert not row_for(result, "U05512", "clinical_director").above_tolerance  # £0
    result.apply(parse_tolerance("1%"))
    assert not row_for(result, "U05512", "core").above_tolerance  # 0.8%
    assert row_for(result, "U05512", "arrs").above_tolerance  # nothing approved


# The page and its CSV -------------------------------------------------------------------------

URL = reverse("reimbursement:reconciliation")
CSV_URL = reverse("reimbursement:reconciliation_csv")


@pytest.mark.parametrize(
    ("persona", "query", "status"),
    [
        ("staff", "", 200),
        ("staff", "&commissioner=99C", 404),  # another area: as if it did not exist
        ("superuser", "&commissioner=99C", 200),
        ("director", "", 403),
        ("practice", "", 403),
        ("link_worker", "", 403),
        ("organisation", "", 403),
    ],
)
def test_the_page_is_for_the_areas_staff_and_national_administrators(
    client, tmp_path, persona, query, status
):
    world = make_world()
    import_year(tmp_path, world)
    users = {
        "staff": lambda: CommissionerStaffFactory(commissioner=world.commissioner),
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
        "director": lambda: ClinicalDirectorUserFactory(pcn=world.pcn),
        "practice": lambda: PracticeManagerFactory(practice=world.payee),
        "link_worker": lambda: LinkWorkerUserFactory(pcn=world.pcn),
        "organisation": lambda: CommunityOrganisationUserFactory(),
    }
    client.force_login(users[persona]())

    for url in (URL, CSV_URL):
        assert client.get(f"{url}?year={YEAR}{query}").status_code == status


def test_signing_in_is_asked_first(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_shows_each_pcns_streams_with_the_differences_above_the_tolerance(
    client, tmp_path
):
    world = make_world()
    import_year(tmp_path, world)
    client.force_login(CommissionerStaffFactory(commissioner=world.commissioner))

    response = client.get(URL, {"year": YEAR, "tolerance": "100"})

    html = response.content.decode()
    assert "West Northumberland PCN" in html
    assert 'data-testid="row-U05512-core" data-above="yes"' in html
    assert 'data-testid="row-U05512-clinical_director" data-above="no"' in html
    assert "£24,180.00" in html and "£24,000.00" in html and "£180.00" in html
    assert "Above £100.00" in html
    assert "Tyneside" not in html  # the other area's PCN


def test_a_year_with_no_rate_shows_no_rate(client, tmp_path):
    world = make_world(2022)
    import_year(tmp_path, world, 2022)
    client.force_login(CommissionerStaffFactory(commissioner=world.commissioner))

    html = client.get(URL, {"year": 2022}).content.decode()

    director = html.split('data-testid="row-U05512-clinical_director"', 1)[1].split("</tr>")[0]
    assert "No rate" in director
    assert 'data-testid="no-rate-count"' in html


def test_a_year_with_no_file_says_how_to_import_one(client):
    world = make_world()
    client.force_login(CommissionerStaffFactory(commissioner=world.commissioner))

    html = client.get(URL, {"year": 2024}).content.decode()

    assert 'data-testid="reconciliation-empty"' in html
    assert "python manage.py import_reported_payments PATH --year 2024" in html
    assert client.get(CSV_URL, {"year": 2024}).status_code == 404


def test_a_tolerance_that_is_not_understood_is_named_and_kept(client, tmp_path):
    world = make_world()
    import_year(tmp_path, world)
    client.force_login(CommissionerStaffFactory(commissioner=world.commissioner))

    html = client.get(URL, {"year": YEAR, "tolerance": "lots"}).content.decode()

    assert "There is a problem" in html
    assert "Enter the tolerance in pounds" in html
    assert 'value="lots"' in html
    assert "Above 1%" in html  # the default meanwhile


def test_listing_only_the_differences_above_the_tolerance(client, tmp_path):
    world = make_world()
    import_year(tmp_path, world)
    PCNFactory(code="U33333", name="Quiet PCN", commissioner=world.commissioner)
    client.force_login(CommissionerStaffFactory(commissioner=world.commissioner))

    everything = client.get(URL, {"year": YEAR, "tolerance": "£1,000,000"}).content.decode()
    above = client.get(
        URL, {"year": YEAR, "tolerance": "£1,000,000", "above": "on"}
    ).content.decode()

    assert "Quiet PCN" in everything
    assert 'data-testid="reconciliation-none-above"' in above


def test_the_csv_has_a_row_per_pcn_and_stream_with_plain_numbers(client, tmp_path):
    world = make_world()
    import_year(tmp_path, world)
    client.force_login(CommissionerStaffFactory(commissioner=world.commissioner))

    response = client.get(CSV_URL, {"year": YEAR, "tolerance": "100"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="00L-2023-24-reconciliation.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["stream"] for row in rows} == ISSUE_STREAMS
    arrs = next(r for r in rows if r["pcn"] == "U05512" and r["stream"] == "arrs")
    assert arrs["difference"] == "-5000.00"  # a number, not defused text
    core = next(r for r in rows if r["pcn"] == "U05512" and r["stream"] == "core")
    assert (core["app"], core["reported"], core["app_basis"], core["above_tolerance"]) == (
        "24180.00",
        "24000.00",
        WOULD_HAVE_PAID,
        "yes",
    )


def test_the_page_takes_the_same_number_of_queries_for_one_pcn_or_many(
    client, tmp_path, django_assert_max_num_queries
):
    world = make_world()
    import_year(tmp_path, world)
    client.force_login(CommissionerStaffFactory(commissioner=world.commissioner))
    with django_assert_max_num_queries(16) as few:
        assert client.get(URL, {"year": YEAR}).status_code == 200
    for _ in range(25):  # more than a page of PCNs
        MembershipFactory(pcn=PCNFactory(commissioner=world.commissioner))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"year": YEAR, "page": 2})
    assert response.status_code == 200
    assert "Page 2 of 2" in response.content.decode()


# The command --------------------------------------------------------------------------------


def test_the_command_writes_exactly_the_issues_columns_a_row_per_pcn_and_stream(tmp_path):
    world = make_world(2022)
    import_year(tmp_path, world, 2022)
    out = io.StringIO()

    call_command("reconcile_payments", "--year", "2022", "--commissioner", "00l", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "pcn,stream,app,reported,difference"
    rows = list(csv.DictReader(lines))
    assert len(rows) == len(ISSUE_STREAMS)  # one PCN in 00L
    assert {row["stream"] for row in rows} == ISSUE_STREAMS
    by_stream = {row["stream"]: row for row in rows}
    assert by_stream["clinical_director"] == {
        "pcn": "U05512",
        "stream": "clinical_director",
        "app": "",  # no rate for 2022/23: not nought
        "reported": "11751.48",
        "difference": "",
    }
    assert by_stream["iif"]["difference"] == "-1000.50"
    assert by_stream["capacity_access"]["reported"] == ""  # not in the 2022/23 file


def test_the_command_without_a_commissioner_covers_every_pcn(tmp_path):
    world = make_world(2022)
    import_year(tmp_path, world, 2022)
    out = io.StringIO()

    call_command("reconcile_payments", "--year", "2022", stdout=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {row["pcn"] for row in rows} == {"U05512", "U95193"}
    assert len(rows) == 2 * len(ISSUE_STREAMS)


def test_the_command_says_what_to_do_without_a_file_or_with_an_unknown_commissioner(tmp_path):
    world = make_world(2022)
    with pytest.raises(CommandError, match="import_reported_payments PATH --year 2022"):
        call_command("reconcile_payments", "--year", "2022")
    import_year(tmp_path, world, 2022)
    with pytest.raises(CommandError, match="No commissioner has the code 'X9X'"):
        call_command("reconcile_payments", "--year", "2022", "--commissioner", "X9X")


def test_a_superuser_with_an_empty_register_is_told_what_to_import_first(client):
    from networks.models import Commissioner
    from tests.pcn_admin.factories import UserFactory

    assert not Commissioner.objects.exists()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role=""))

    page = client.get(reverse("reimbursement:reconciliation"))

    assert page.status_code == 200
    assert "No commissioner (Sub-ICB location) is in the register yet" in page.content.decode()
