"""A batch's files and pages with the Network Contract DES streams beside ARRS: the payment file
has a row for each practice paid (the nominated payee, and each member practice for its
participation) with a column per stream and a total; the line detail names each amount's
stream; the remittance and the batch's pages show income by stream. Every way of adding it up
comes to the batch's total, to the penny."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reimbursement import batches, services
from reimbursement.models import BatchPayee, PaymentStream, StreamPayment
from tests.networks.factories import ListSizeFactory, MembershipFactory
from tests.reimbursement.factories import BATCH_MONTH, BATCH_TOTAL, make_batch_world

pytestmark = pytest.mark.django_db

PENNY = Decimal("0.01")
JANUARY = dt.date(2025, 1, 1)  # the lists 2025/26's streams are worked out on
IIF_AMOUNT = Decimal("4210.57")


def _with_streams(world, *, members: int = 1):
    """The batch world's PCN with more member practices and every practice's 1 January list
    sizes (awkward pennies), an approved IIF amount, and the June batch built again so it pays
    the streams too."""
    for _ in range(members):
        MembershipFactory(pcn=world.pcn)
    for membership in world.pcn.memberships.all():
        ListSizeFactory(
            practice=membership.practice,
            date=JANUARY,
            registered_patients=7_001 + membership.pk,
            weighted_patients=Decimal("7433.37") + membership.pk,
        )
    for membership in world.other_pcn.memberships.all():
        ListSizeFactory(practice=membership.practice, date=JANUARY, registered_patients=9_999)
    declared = services.declared_enter(
        stream=PaymentStream.objects.get(code="iif"),
        pcn=world.pcn,
        month=BATCH_MONTH,
        amount=IIF_AMOUNT,
        note="IIF 2024/25 achievement",
        by=world.reviewer,
    )
    services.declared_approve(declared=declared, by=world.reviewer)
    world.batch = batches.batch_build(
        commissioner_id=world.commissioner.pk, month=BATCH_MONTH
    ).batch
    return world


@pytest.fixture
def stream_world(db):
    return _with_streams(make_batch_world(), members=2)


def _get(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(f"reimbursement:{name}", args=args))
    assert response.status_code == 200
    return response


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(PENNY)


def test_the_batch_pays_the_streams_beside_the_arrs_lines(stream_world):
    batch = stream_world.batch
    codes = set(StreamPayment.objects.filter(batch=batch).values_list("stream__code", flat=True))
    # No clinical director rate is recorded for 2025/26: it pays nothing rather than a guess.
    assert codes == {"core", "participation", "iif"}
    assert batch.total > BATCH_TOTAL
    assert batch.total == sum(
        BatchPayee.objects.filter(batch=batch).values_list("amount", flat=True)
    )


def test_the_payment_file_has_a_row_per_practice_paid_and_a_column_per_stream(client, stream_world):
    world = stream_world
    rows = _csv(_get(client, world.reviewer, "batch_payment_file", world.batch.reference, "csv"))

    streams = list(PaymentStream.objects.order_by("display_order", "code"))
    header = list(rows[0])
    assert header[8] == "Amount (£)"
    assert header[9:] == [f"{stream.name} (£)" for stream in streams]
    assert header[9] == "Additional Roles Reimbursement Scheme (£)"  # ARRS as the arrs stream

    members = list(world.pcn.memberships.order_by("practice__code"))
    pcn_rows = [row for row in rows if row["PCN code"] == world.pcn.code]
    # The nominated payee first, then each other member practice for its participation.
    assert [row["Payee practice code"] for row in pcn_rows] == [
        world.payee_practice.code,
        *sorted(m.practice.code for m in members if m.practice != world.payee_practice),
    ]
    payee, *others = pcn_rows
    arrs = "Additional Roles Reimbursement Scheme (£)"
    assert payee[arrs] == "2655.55"
    assert payee["Investment and Impact Fund (£)"] == str(IIF_AMOUNT)
    assert Decimal(payee["Core PCN funding (£)"]) > 0
    assert Decimal(payee["Network participation payment (£)"]) > 0
    for row in others:
        assert Decimal(row["Network participation payment (£)"]) > 0
        assert row[arrs] == "0.00" and row["Core PCN funding (£)"] == "0.00"
        assert row["Payee name"]  # the member practice's own name
    # Each row's total is its streams; the rows add up to the batch's total, to the penny.
    for row in rows:
        assert Decimal(row["Amount (£)"]) == sum(Decimal(row[h]) for h in header[9:])
    assert sum(Decimal(row["Amount (£)"]) for row in rows) == world.batch.total
    # And each stream's column adds up to what the batch holds in that stream.
    core = sum(Decimal(row["Core PCN funding (£)"]) for row in rows)
    assert core == sum(
        StreamPayment.objects.filter(batch=world.batch, stream__code="core").values_list(
            "amount", flat=True
        )
    )


def test_the_xlsx_payment_file_sums_to_the_total_with_numbers(client, stream_world):
    world = stream_world
    response = _get(client, world.reviewer, "batch_payment_file", world.batch.reference, "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    _banner, header, *rows = list(sheet.iter_rows())  # a draft's banner row, then the header
    names = [cell.value for cell in header]
    amount = names.index("Amount (£)")
    assert all(row[amount].data_type == "n" for row in rows)
    assert sum(_money(row[amount].value) for row in rows) == world.batch.total
    for column in range(amount + 1, len(names)):
        assert all(row[column].data_type == "n" for row in rows)


def test_the_line_detail_names_each_amounts_stream_and_sums_to_the_total(client, stream_world):
    world = stream_world
    rows = _csv(_get(client, world.reviewer, "batch_line_detail", world.batch.reference, "csv"))

    arrs = [row for row in rows if row["Stream"] == "Additional Roles Reimbursement Scheme"]
    assert len(arrs) == world.batch.line_count
    streams = [row for row in rows if row not in arrs]
    assert len(streams) == world.batch.stream_payment_count
    assert {row["Stream"] for row in streams} == {
        "Core PCN funding",
        "Network participation payment",
        "Investment and Impact Fund",
    }
    iif = next(row for row in streams if row["Stream"] == "Investment and Impact Fund")
    assert (iif["Claim kind"], iif["Amount paid in this batch (£)"]) == ("Declared", "4210.57")
    assert iif["Paid to practice code"] == world.payee_practice.code
    core = next(row for row in streams if row["Stream"] == "Core PCN funding")
    assert core["Claim kind"] == "Rate-based"
    assert core["Stream rate used"].startswith("£2.999 per registered patient a year from 1 April")
    assert Decimal(core["Population"]) > 0
    assert sum(Decimal(row["Amount paid in this batch (£)"]) for row in rows) == world.batch.total


def test_the_remittance_shows_the_pcns_income_by_stream(client, stream_world):
    world = stream_world
    html = _get(
        client, world.director, "batch_remittance", world.batch.reference, world.pcn.code
    ).content.decode()

    assert 'data-testid="remittance-streams"' in html
    streams = html.split('data-testid="remittance-streams"', 1)[1].split("</table>", 1)[0]
    members = world.pcn.memberships.count()
    assert members == 4
    assert streams.count('data-stream="participation"') == members  # each member practice
    assert 'data-stream="arrs"' in streams and "£2,655.55" in streams
    assert 'data-stream="iif"' in streams and "£4,210.57" in streams
    payee = BatchPayee.objects.get(batch=world.batch, pcn=world.pcn)
    assert f"£{payee.amount:,.2f}" in streams.split("Total for", 1)[1]
    # The ARRS lines' own subtotal is the ARRS amount, not the PCN's whole income.
    assert 'data-testid="arrs-subtotal"><strong>£2,655.55' in html


def test_the_batch_page_shows_each_streams_total_adding_up_to_the_batch(client, stream_world):
    world = stream_world
    html = _get(client, world.reviewer, "batch_detail", world.batch.reference).content.decode()

    totals = dict(re.findall(r'data-stream="(\w+)" data-value="([\d.]+)"', html))
    assert set(totals) == {"arrs", "participation", "core", "iif"}
    assert totals["arrs"] == str(BATCH_TOTAL)
    assert sum(Decimal(value) for value in totals.values()) == world.batch.total


def test_the_admin_batch_page_shows_each_streams_total(client, stream_world):
    world = stream_world
    client.force_login(world.reviewer)
    world.reviewer.is_staff = True
    world.reviewer.save()
    url = reverse("admin:reimbursement_batch_change", args=[world.batch.pk])

    html = client.get(url).content.decode()

    assert "By payment stream" in html
    assert "Investment and Impact Fund" in html and "£4,210.57" in html


def test_a_batch_built_before_the_streams_keeps_its_arrs_amount_in_the_file(client):
    """A subtotal stored before the streams were paid has no ARRS amount of its own: the file
    takes ARRS as the subtotal less the stream amounts, so it still adds up."""
    world = make_batch_world()
    BatchPayee.objects.filter(batch=world.batch).update(arrs_amount=Decimal("0"))

    rows = _csv(_get(client, world.reviewer, "batch_payment_file", world.batch.reference, "csv"))

    arrs = [Decimal(row["Additional Roles Reimbursement Scheme (£)"]) for row in rows]
    assert sum(arrs) == world.batch.total == BATCH_TOTAL


@pytest.mark.parametrize("members", [1, 6])
@pytest.mark.parametrize(
    ("name", "bound"),
    [
        ("batch_payment_file", 7),  # session, user, batch, payees, months, streams, amounts
        ("batch_line_detail", 7),  # session, user, batch, payees, lines, streams, amounts
    ],
)
def test_the_files_cost_the_same_queries_whatever_the_number_of_practices(
    client, django_assert_max_num_queries, members, name, bound
):
    world = _with_streams(make_batch_world(extra_lines=members * 3), members=members)
    client.force_login(world.reviewer)

    with django_assert_max_num_queries(bound):
        response = client.get(reverse(f"reimbursement:{name}", args=[world.batch.reference, "csv"]))

    assert response.status_code == 200
