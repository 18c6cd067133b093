"""The finance system file: a finalised batch's payees in the commissioner's column layout."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from claim_cycle import finance_file
from claim_cycle.models import FinanceField, FinanceLayout
from reimbursement import batches
from reimbursement.models import BatchPayee, PaymentStream, StreamPayment
from tests.claim_cycle.factories import FinanceLayoutColumnFactory, FinanceLayoutFactory
from tests.networks.factories import MembershipFactory
from tests.reimbursement.factories import (
    BATCH_TOTAL,
    OTHER_PCN_AMOUNT,
    PCN_AMOUNT,
    make_batch_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_batch_world()


def _finalise_and_pay(world):
    batches.batch_finalise(batch=world.batch, by=world.reviewer)
    return batches.batch_mark_paid(
        batch=world.batch,
        paid_on=timezone.localdate(),
        payment_reference="BACS 0625",
        by=world.reviewer,
    )


def _rows(content: bytes, *, delimiter=",", encoding="utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding)), delimiter=delimiter))


def _layout(world, columns, **formats):
    layout = FinanceLayoutFactory(commissioner=world.commissioner, **formats)
    for position, (field, header, text) in enumerate(columns, start=1):
        FinanceLayoutColumnFactory(
            layout=layout, position=position * 10, field=field, header=header, text=text
        )
    return layout


def test_without_a_layout_the_default_columns_are_used(world):
    batch = _finalise_and_pay(world)

    export = finance_file.finance_file(batch)

    header, first, second = _rows(export.content)
    assert header == [
        "Batch reference",
        "Batch month",
        "PCN code",
        "PCN name",
        "Payee practice code",
        "Payee name",
        "Amount",
        "Number of claim lines",
        "Payment reference",
        "Date paid",
    ]
    paid = timezone.localdate().strftime("%d/%m/%Y")
    assert first == [
        batch.reference,
        "2025-06",
        world.pcn.code,
        "Coquet Valley PCN",
        world.payee_practice.code,
        world.payee_practice.name,
        "2655.55",
        "4",
        "BACS 0625",
        paid,
    ]
    assert second[2] == world.other_pcn.code and second[6] == "2500.01"
    assert export.filename == f"{batch.reference}-finance-system.csv"
    assert export.content_type == "text/csv; charset=utf-8"


def test_the_layout_sets_columns_order_headers_and_formats(world):
    batch = _finalise_and_pay(world)
    _layout(
        world,
        [
            (FinanceField.PAID_ON, "Payment date", ""),
            (FinanceField.PCN_CODE, "Supplier", ""),
            (FinanceField.AMOUNT_PENCE, "Value", ""),
            (FinanceField.FIXED_TEXT, "Cost centre", "=ARRS01"),
            (FinanceField.CLAIM_MONTHS, "", ""),
            (FinanceField.FINALISED_ON, "Approved", ""),
        ],
        date_format=FinanceLayout.DateFormat.ISO,
        month_format=FinanceLayout.MonthFormat.MY_NAME,
        delimiter=FinanceLayout.Delimiter.TAB,
    )

    export = finance_file.finance_file(batch)

    header, first, second = _rows(export.content, delimiter="\t")
    today = timezone.localdate().isoformat()
    assert header == ["Payment date", "Supplier", "Value", "Cost centre", "Claim months paid",
                      "Approved"]  # fmt: skip
    # The fixed text would run as a formula in a spreadsheet: it goes out defused.
    assert first == [today, world.pcn.code, "265555", "'=ARRS01", "May-2025, Jun-2025", today]
    assert second == [today, world.other_pcn.code, "250001", "'=ARRS01", "Jun-2025", today]
    assert export.filename.endswith("-finance-system.tsv")


def test_the_file_can_go_without_headers_with_semicolons_and_a_byte_order_mark(world):
    batch = _finalise_and_pay(world)
    _layout(
        world,
        [(FinanceField.BATCH_MONTH, "Month", ""), (FinanceField.AMOUNT, "Amount", "")],
        month_format=FinanceLayout.MonthFormat.COMPACT,
        delimiter=FinanceLayout.Delimiter.SEMICOLON,
        encoding=FinanceLayout.Encoding.UTF8_BOM,
        include_header=False,
    )

    content = finance_file.finance_file(batch).content

    assert content.startswith(b"\xef\xbb\xbf202506;2655.55\r\n")
    assert _rows(content, delimiter=";", encoding="utf-8-sig") == [
        ["202506", "2655.55"],
        ["202506", "2500.01"],
    ]


def test_the_amounts_add_up_to_the_batch_total_to_the_penny(world):
    batch = _finalise_and_pay(world)

    rows = _rows(finance_file.finance_file(batch).content)[1:]

    assert sum(Decimal(row[6]) for row in rows) == BATCH_TOTAL == PCN_AMOUNT + OTHER_PCN_AMOUNT


def test_a_layout_with_no_columns_keeps_its_formats_with_the_default_columns(world):
    batch = _finalise_and_pay(world)
    FinanceLayoutFactory(commissioner=world.commissioner, delimiter=FinanceLayout.Delimiter.PIPE)

    header = finance_file.finance_file(batch).content.decode().splitlines()[0]

    assert header.startswith("Batch reference|Batch month|PCN code")


def test_a_member_practice_paid_a_stream_is_a_row_of_its_own(world):
    """As in the payment file: the payee's row is its ARRS lines and streams; a member practice
    paid its participation is its own row; together they make the PCN's subtotal."""
    participation = PaymentStream.objects.filter(paid_to="member_practice").first()
    assert participation is not None, "the streams migration seeds the participation stream"
    member = MembershipFactory(pcn=world.pcn).practice
    StreamPayment.objects.create(
        batch=world.batch,
        stream=participation,
        pcn=world.pcn,
        practice=member,
        month=world.batch.month,
        amount=Decimal("45.67"),
        key="test-participation",
    )
    BatchPayee.objects.filter(batch=world.batch, pcn=world.pcn).update(
        amount=PCN_AMOUNT + Decimal("45.67")
    )
    batch = _finalise_and_pay(world)
    _layout(
        world,
        [
            (FinanceField.PAYEE_PRACTICE_CODE, "Practice", ""),
            (FinanceField.PAID_AS, "Paid as", ""),
            (FinanceField.AMOUNT, "Amount", ""),
            (FinanceField.ARRS_AMOUNT, "ARRS", ""),
            (FinanceField.LINE_COUNT, "Lines", ""),
        ],
    )

    rows = _rows(finance_file.finance_file(batch).content)[1:]

    assert rows[:2] == [
        [world.payee_practice.code, "Nominated payee", "2655.55", "2655.55", "4"],
        [member.code, "Member practice", "45.67", "0.00", "0"],
    ]
    assert sum(Decimal(row[2]) for row in rows) == BATCH_TOTAL + Decimal("45.67")


def test_a_draft_batch_has_no_finance_system_file(world):
    with pytest.raises(ValueError, match="is a draft"):
        finance_file.finance_file(world.batch)


# --- The download -------------------------------------------------------------------------


def _url(batch) -> str:
    return reverse("claim_cycle:finance_system_file", args=[batch.reference])


def test_the_batch_page_links_a_finalised_batchs_finance_system_file(client, world):
    batches.batch_finalise(batch=world.batch, by=world.reviewer)
    client.force_login(world.reviewer)

    page = client.get(reverse("reimbursement:batch_detail", args=[world.batch.reference]))

    assert _url(world.batch) in page.content.decode()
    response = client.get(_url(world.batch))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{world.batch.reference}-finance-system.csv"'
    )


def test_a_draft_is_refused_with_a_reason_and_no_link(client, world):
    client.force_login(world.reviewer)

    page = client.get(reverse("reimbursement:batch_detail", args=[world.batch.reference]))
    response = client.get(_url(world.batch), follow=True)

    assert _url(world.batch) not in page.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "reimbursement:batch_detail", args=[world.batch.reference]
    )
    assert "there is no finance system file yet. Finalise the batch first." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_reviewer", 404), ("director", 403), ("practice_manager", 403), ("link_worker", 403)],
)
def test_only_the_commissioners_staff_download_it(client, world, persona, status):
    batches.batch_finalise(batch=world.batch, by=world.reviewer)
    client.force_login(getattr(world, persona))

    assert client.get(_url(world.batch)).status_code == status


@pytest.mark.parametrize("extra_lines", [0, 40])
def test_the_download_costs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, extra_lines
):
    world = make_batch_world(extra_lines=extra_lines)
    batches.batch_finalise(batch=world.batch, by=world.reviewer)
    layout = FinanceLayoutFactory(commissioner=world.commissioner)
    for position in range(1, 6):
        FinanceLayoutColumnFactory(layout=layout, position=position)
    client.force_login(world.reviewer)

    # session, user, batch, its commissioner, layout, columns, line counts, payees, claim
    # months, streams, stream amounts
    with django_assert_max_num_queries(11):
        response = client.get(_url(world.batch))

    assert response.status_code == 200
