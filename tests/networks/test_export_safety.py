"""Downloads from the admin's export (practices, PCNs) cannot run a name as a formula when
opened in a spreadsheet, and the app's own money exports keep negative amounts as numbers."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django import forms
from django.urls import reverse

from networks.models import PCN, Practice
from pcn_admin.spreadsheets import defused
from reimbursement import exports
from tests.networks.factories import CommissionerFactory, ListSizeFactory
from tests.pcn_admin.factories import CommissionerStaffFactory

pytestmark = pytest.mark.django_db

FORMULA_NAME = '=HYPERLINK("http://example.com","Click")'


@pytest.fixture
def area():
    commissioner = CommissionerFactory(code="00L")
    # Made directly in the database, as a row from before names were checked would be.
    Practice.objects.create(code="A84002", name=FORMULA_NAME, commissioner=commissioner)
    PCN.objects.create(
        code="U12345", name="@SUM(1+1)", commissioner=commissioner, open_date="2019-07-01"
    )
    return commissioner


def _export(client, model_name: str, fmt: str) -> bytes:
    url = reverse(f"admin:networks_{model_name}_export")
    form = client.get(url).context["form"]
    formats = {label.lower(): value for value, label in form.fields["format"].choices}
    data = {"format": formats[fmt]}
    if "resource" in form.fields:
        data["resource"] = form.fields["resource"].choices[0][0]
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            data[name] = "on"  # every column
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return response.content


def _delimited_rows(content: bytes, delimiter: str) -> list[dict]:
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_a_practice_name_that_looks_like_a_formula_goes_out_as_text(client, area, fmt, delimiter):
    client.force_login(CommissionerStaffFactory(commissioner=area))

    rows = _delimited_rows(_export(client, "practice", fmt), delimiter)

    assert [row["name"] for row in rows] == ["'" + FORMULA_NAME]
    assert rows[0]["code"] == "A84002"  # ordinary cells are left as they are


def test_a_practice_name_that_looks_like_a_formula_is_a_text_cell_in_xlsx(client, area):
    client.force_login(CommissionerStaffFactory(commissioner=area))

    book = openpyxl.load_workbook(io.BytesIO(_export(client, "practice", "xlsx")))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("name") + 1)

    assert cell.data_type == "s"
    assert isinstance(cell.value, str) and cell.value == "'" + FORMULA_NAME


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xlsx"])
def test_a_pcn_name_starting_with_at_is_defused_in_every_format(client, area, fmt):
    client.force_login(CommissionerStaffFactory(commissioner=area))
    content = _export(client, "pcn", fmt)

    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        header = [cell.value for cell in sheet[1]]
        name = sheet.cell(row=2, column=header.index("name") + 1).value
    else:
        name = _delimited_rows(content, "," if fmt == "csv" else "\t")[0]["name"]

    assert name == "'@SUM(1+1)"


def test_list_size_figures_stay_numbers_in_xlsx(client, area):
    ListSizeFactory(
        practice=Practice.objects.get(code="A84002"), weighted_patients=Decimal("10500.25")
    )
    client.force_login(CommissionerStaffFactory(commissioner=area))

    sheet = openpyxl.load_workbook(io.BytesIO(_export(client, "listsize", "xlsx"))).active
    header = [cell.value for cell in sheet[1]]

    assert sheet.cell(row=2, column=header.index("weighted_patients") + 1).data_type == "n"
    assert sheet.cell(row=2, column=header.index("registered_patients") + 1).data_type == "n"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+44 191", "'+44 191"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tX", "'\tX"),
        ("\rX", "'\rX"),
        ("Blyth PCN", "Blyth PCN"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (None, None),
    ],
)
def test_the_shared_helper_defuses_text_only(value, expected):
    assert defused(value) == expected


def test_a_negative_amount_stays_a_number_in_the_money_csv():
    money = exports.Column("Amount (£)", exports.MONEY)
    name = exports.Column("Payee name")
    content = exports.as_csv([name, money], [("-Minus Surgery", Decimal("-12.50"))])

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))

    assert rows[1] == ["'-Minus Surgery", "-12.50"]
