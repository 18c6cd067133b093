"""The finance payment file and the line detail, as CSV and XLSX: read back the way a
spreadsheet would, their amount columns sum to the batch's total to the penny; a draft's say
DRAFT; every row names the batch's month beside its claim month(s)."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reimbursement import batches
from reimbursement.models import BatchPayee
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement.factories import (
    BATCH_TOTAL,
    OTHER_PCN_AMOUNT,
    PCN_AMOUNT,
    make_batch_world,
)

pytestmark = pytest.mark.django_db

PENNY = Decimal("0.01")


@pytest.fixture
def batch_world(db):
    return make_batch_world()


def _finalised(world):
    return batches.batch_finalise(batch=world.batch, by=world.reviewer)


def _url(name, batch, fmt):
    return reverse(f"reimbursement:batch_{name}", args=[batch.reference, fmt])


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _download(client, user, name, batch, fmt):
    client.force_login(user)
    response = client.get(_url(name, batch, fmt))
    assert response.status_code == 200
    return response


def _money(value) -> Decimal:
    # openpyxl reads numeric cells back as float; via str they are exact to the penny.
    return Decimal(str(value)).quantize(PENNY)


def test_the_csv_payment_file_has_one_row_per_payee_summing_to_the_total(client, batch_world):
    batch = _finalised(batch_world)
    response = _download(client, batch_world.reviewer, "payment_file", batch, "csv")

    assert response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{batch.reference}-payment-file.csv"'
    )
    rows = _csv_rows(response)
    assert [
        (
            row["Batch reference"],
            row["PCN code"],
            row["PCN name"],
            row["Payee practice code"],
            row["Payee name"],
            row["Amount (£)"],
        )
        for row in rows
    ] == [
        (
            batch.reference,
            batch_world.pcn.code,
            "Coquet Valley PCN",
            batch_world.payee_practice.code,
            batch_world.payee_practice.name,
            str(PCN_AMOUNT),
        ),
        (
            batch.reference,
            batch_world.other_pcn.code,
            batch_world.other_pcn.name,
            batch_world.other_payee_practice.code,
            batch_world.other_payee_practice.name,
            str(OTHER_PCN_AMOUNT),
        ),
    ]
    assert sum(Decimal(row["Amount (£)"]) for row in rows) == batch.total == BATCH_TOTAL


def test_the_xlsx_payment_file_has_numeric_amounts_summing_to_the_total(client, batch_world):
    batch = _finalised(batch_world)
    response = _download(client, batch_world.reviewer, "payment_file", batch, "xlsx")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f'filename="{batch.reference}-payment-file.xlsx"' in response["Content-Disposition"]
    sheet = _sheet(response)
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header][:9] == [
        "Batch reference",
        "Batch status",
        "Batch month",
        "Claim months",
        "PCN code",
        "PCN name",
        "Payee practice code",
        "Payee name",
        "Amount (£)",
    ]
    # Then a column per payment stream, ARRS first (tests/reimbursement/test_stream_exports.py).
    assert header[9].value == "Additional Roles Reimbursement Scheme (£)"
    amounts = [row[8] for row in rows]
    assert all(cell.data_type == "n" and cell.number_format == "#,##0.00" for cell in amounts)
    assert [row[4].value for row in rows] == [batch_world.pcn.code, batch_world.other_pcn.code]
    assert sum(_money(cell.value) for cell in amounts) == batch.total


def test_the_line_detail_lists_every_line_with_what_this_batch_pays(client, batch_world):
    batch = _finalised(batch_world)
    response = _download(client, batch_world.reviewer, "line_detail", batch, "csv")

    assert f'filename="{batch.reference}-line-detail.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert len(rows) == batch.line_count == 6
    assert sum(Decimal(row["Amount paid in this batch (£)"]) for row in rows) == batch.total
    adjustment = next(row for row in rows if row["Claim kind"] == "Adjustment")
    assert adjustment["Staff member"] == "Tom Robson"
    assert adjustment["Line reimbursable (£)"] == "1087.66"
    assert adjustment["Amount paid in this batch (£)"] == "100.01"
    late = [row for row in rows if row["Late"] == "Yes"]
    assert [(row["Staff member"], row["Claim month"]) for row in late] == [
        ("Ann Mayhew", "2025-05")
    ]
    priya = next(row for row in rows if row["Staff member"] == "Priya Shah")
    assert (priya["WTE"], priya["Days in post"], priya["Claim kind"]) == ("0.8", "30", "Monthly")
    assert priya["Role"] == "Social prescribing link worker"
    assert priya["Approved on"]  # an ISO date


def test_the_xlsx_line_detail_sums_to_the_total_with_numbers_not_text(client, batch_world):
    batch = _finalised(batch_world)
    response = _download(client, batch_world.reviewer, "line_detail", batch, "xlsx")

    sheet = _sheet(response)
    header, *rows = list(sheet.iter_rows())
    names = [cell.value for cell in header]
    paid = names.index("Amount paid in this batch (£)")
    wte = names.index("WTE")
    approved = names.index("Approved on")
    assert len(rows) == 6
    assert all(row[paid].data_type == "n" for row in rows)
    assert sum(_money(row[paid].value) for row in rows) == batch.total
    priya = next(row for row in rows if row[names.index("Staff member")].value == "Priya Shah")
    assert priya[wte].value == pytest.approx(0.8)
    assert priya[approved].is_date


def test_a_name_that_looks_like_a_formula_stays_text(client, batch_world):
    batch = _finalised(batch_world)
    BatchPayee.objects.filter(batch=batch, pcn=batch_world.pcn).update(
        payee_name='=HYPERLINK("http://example.com")'
    )

    rows = _csv_rows(_download(client, batch_world.reviewer, "payment_file", batch, "csv"))
    assert rows[0]["Payee name"] == '\'=HYPERLINK("http://example.com")'

    sheet = _sheet(_download(client, batch_world.reviewer, "payment_file", batch, "xlsx"))
    cell = sheet.cell(row=2, column=8)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


@pytest.mark.parametrize("name", ["payment_file", "line_detail"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("reviewer", 200),
        ("other_reviewer", 404),
        # Only the commissioner's staff hold the permission: everyone else is refused (403)
        # before any batch is looked up, whether or not they could see the batch.
        ("director", 403),
        ("outside_director", 403),
        ("practice_manager", 403),
        ("link_worker", 403),
        ("community_user", 403),
    ],
)
def test_only_the_commissioners_staff_download_the_full_files(
    client, batch_world, name, persona, status
):
    client.force_login(getattr(batch_world, persona))

    for fmt in ("csv", "xlsx"):
        assert client.get(_url(name, batch_world.batch, fmt)).status_code == status


def test_a_superuser_downloads_any_batchs_files(client, batch_world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    response = client.get(_url("payment_file", batch_world.batch, "csv"))

    assert response.status_code == 200
    assert len(_csv_rows(response)) == 2


def test_signing_in_is_needed_and_an_unknown_format_is_not_found(client, batch_world):
    url = _url("payment_file", batch_world.batch, "csv")
    assert client.get(url).status_code == 302

    client.force_login(batch_world.reviewer)
    assert client.get(_url("payment_file", batch_world.batch, "pdf")).status_code == 404


@pytest.mark.parametrize("extra_lines", [0, 40])
@pytest.mark.parametrize("name", ["payment_file", "line_detail"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_costs_the_same_queries_whatever_the_number_of_lines(
    client, django_assert_max_num_queries, extra_lines, name, fmt
):
    world = make_batch_world(extra_lines=extra_lines)
    client.force_login(world.reviewer)

    # session, user, batch, its rows (and for the payment file, each PCN's claim months), and
    # two for the payment streams: the streams (their columns) and the batch's stream amounts
    # (the line detail reads the PCNs' payees for its "Paid to" columns instead of the months)
    with django_assert_max_num_queries(7):
        response = client.get(_url(name, world.batch, fmt))

    assert response.status_code == 200
    if name == "line_detail" and fmt == "csv":
        assert len(_csv_rows(response)) == 6 + extra_lines


# A draft says so (issue 14, item 7) -----------------------------------------------------------


@pytest.mark.parametrize("name", ["payment_file", "line_detail"])
def test_a_draft_batchs_files_say_draft_until_the_batch_is_finalised(client, batch_world, name):
    batch = batch_world.batch  # built, not finalised: finance must not pay it
    as_csv = _download(client, batch_world.reviewer, name, batch, "csv")
    as_xlsx = _download(client, batch_world.reviewer, name, batch, "xlsx")

    for response in (as_csv, as_xlsx):
        assert f'filename="DRAFT-{batch.reference}-' in response["Content-Disposition"]
    assert {row["Batch status"] for row in _csv_rows(as_csv)} == {"DRAFT: not for payment"}
    banner, header, *rows = _sheet(as_xlsx).iter_rows(values_only=True)
    assert banner[0].startswith("DRAFT: not for payment.")
    assert header[:2] == ("Batch reference", "Batch status")
    assert rows and {row[1] for row in rows} == {"DRAFT: not for payment"}

    final = _finalised(batch_world)
    as_csv = _download(client, batch_world.reviewer, name, final, "csv")
    as_xlsx = _download(client, batch_world.reviewer, name, final, "xlsx")

    for response in (as_csv, as_xlsx):
        assert f'filename="{batch.reference}-' in response["Content-Disposition"]
    assert "DRAFT" not in as_csv.content.decode("utf-8-sig")
    assert {row["Batch status"] for row in _csv_rows(as_csv)} == {"Finalised"}
    header, *rows = _sheet(as_xlsx).iter_rows(values_only=True)
    assert header[:2] == ("Batch reference", "Batch status")
    assert {row[1] for row in rows} == {"Finalised"}


# Batch month beside claim month (issue 14, item 8) ---------------------------------------------


def test_every_row_names_the_batch_month_beside_the_claim_months_it_pays(client, batch_world):
    batch = _finalised(batch_world)

    payees = _csv_rows(_download(client, batch_world.reviewer, "payment_file", batch, "csv"))
    lines = _csv_rows(_download(client, batch_world.reviewer, "line_detail", batch, "csv"))

    # The June batch pays the PCN's May line late, beside its June lines.
    assert [(row["PCN code"], row["Batch month"], row["Claim months"]) for row in payees] == [
        (batch_world.pcn.code, "2025-06", "2025-05, 2025-06"),
        (batch_world.other_pcn.code, "2025-06", "2025-06"),
    ]
    columns = list(lines[0])
    assert columns.index("Claim month") == columns.index("Batch month") + 1
    ann = next(row for row in lines if row["Staff member"] == "Ann Mayhew")
    assert (ann["Batch month"], ann["Claim month"], ann["Late"]) == ("2025-06", "2025-05", "Yes")
    assert {row["Batch month"] for row in lines} == {"2025-06"}
