"""Organisation names are checked on every way in: the API, the admin's form and import, and
the ePCN importer. Real national names pass; a name a spreadsheet would run is refused."""

import openpyxl
import pytest
import tablib
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from rest_framework.test import APIClient

from networks import services
from networks.importers import ImportFailed
from networks.importers.epcn import parse_epcn
from networks.models import PCN, Commissioner, ImportRecord, Practice
from networks.resources import PracticeResource
from networks.validators import validate_organisation_name
from tests.networks.factories import CommissionerFactory, PCNFactory, PracticeFactory
from tests.networks.test_import_epcn import PARTNER_SHEET, PCN_SHEET, small_copy
from tests.pcn_admin.factories import CommissionerStaffFactory

FORMULA_NAME = '=HYPERLINK("http://example.com","Click")'


# The rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        # As NHS England's ODS files spell them.
        "NHS NORTH EAST AND NORTH CUMBRIA ICB - 00L",
        "ST. JOHN'S (ALNWICK) & DISTRICT PCN",
        "BLYTH-SEATON / CRAMLINGTON",
        "HEALTH@WORK",
        "LIVING WELL +",
        "Dr Smith_and Partners",
        "École Médicale, Île-de-France",  # letters with accents are letters
        "1 Health PCN",
    ],
)
def test_real_names_are_accepted(name):
    validate_organisation_name(name)


@pytest.mark.parametrize(
    "name, why",
    [
        (FORMULA_NAME, "cannot start with “=”"),
        ("+44 191 000", "cannot start with “+”"),
        ("-2+3", "cannot start with “-”"),
        ("@SUM(A1:A9)", "cannot start with “@”"),
        ("\tSurgery", "cannot start with a tab"),
        ("\rSurgery", "cannot start with a line break"),
        ("  =1+1", "cannot start with “=”"),
        ("Surgery <script>", "remove '<', '>'"),
        ("Surgery = Practice", "remove '='"),
        ("Line\nbreak", "remove a line break"),
    ],
)
def test_names_a_spreadsheet_could_run_or_that_hold_odd_characters_are_refused(name, why):
    with pytest.raises(ValidationError) as error:
        validate_organisation_name(name)
    assert why in error.value.messages[0]


# The API ------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_api_refuses_a_practice_name_that_is_a_formula_naming_the_field():
    commissioner = CommissionerFactory(code="00L")
    client = _api(CommissionerStaffFactory(commissioner=commissioner))

    response = client.post(
        "/api/v1/practices/",
        {"code": "A84002", "name": FORMULA_NAME, "commissioner": "00L"},
        format="json",
    )

    assert response.status_code == 400
    assert "cannot start with" in response.json()["name"][0]
    assert not Practice.objects.filter(code="A84002").exists()


@pytest.mark.django_db
def test_the_api_refuses_renaming_a_pcn_to_a_formula_and_keeps_the_name():
    pcn = PCNFactory(code="U11111", name="Blyth PCN")
    client = _api(CommissionerStaffFactory(commissioner=pcn.commissioner))

    response = client.patch("/api/v1/pcns/U11111/", {"name": "@SUM(1+1)"}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
    pcn.refresh_from_db()
    assert pcn.name == "Blyth PCN"


# The admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Practice, PCN, Commissioner])
def test_the_admin_form_shows_an_error_on_the_name(model):
    staff = CommissionerStaffFactory()
    request = RequestFactory().get("/")
    request.user = staff
    form_class = admin.site._registry[model].get_form(request, None)

    form = form_class(data={"name": FORMULA_NAME})

    assert not form.is_valid()
    assert "cannot start with" in form.errors["name"][0]


@pytest.mark.django_db
def test_the_admin_import_refuses_a_formula_name_and_writes_nothing():
    commissioner = CommissionerFactory(code="00L")
    PracticeFactory(code="A84002", name="Good Surgery", commissioner=commissioner)
    dataset = tablib.Dataset(headers=["code", "name", "commissioner", "status"])
    dataset.append(["A84002", FORMULA_NAME, "00L", "active"])
    dataset.append(["A84003", "New Surgery", "00L", "active"])

    result = PracticeResource(user=CommissionerStaffFactory(commissioner=commissioner)).import_data(
        dataset, dry_run=False
    )

    assert result.has_validation_errors()
    messages = [
        message
        for row in result.invalid_rows
        for messages in row.error_dict.values()
        for message in messages
    ]
    assert any("cannot start with" in message for message in messages)
    assert Practice.objects.get(code="A84002").name == "Good Surgery"
    assert not Practice.objects.filter(code="A84003").exists()


# The ePCN importer --------------------------------------------------------------------------


def _spoiled_copy(tmp_path):
    """A cut of the real file whose first PCN and first practice have names a spreadsheet
    would run, stored as text cells (as a hostile or careless editor could save them)."""
    path = small_copy(tmp_path, {"U25545", "U25489"})
    book = openpyxl.load_workbook(path)
    for sheet, value in ((PCN_SHEET, FORMULA_NAME), (PARTNER_SHEET, "@SUM(A1)")):
        cell = book[sheet].cell(row=2, column=2)  # PCN Name; Partner Name
        cell.value = value
        cell.data_type = "s"
    book.save(path)
    return path


@pytest.mark.django_db
def test_the_epcn_importer_names_the_row_and_column_of_a_formula_name(tmp_path):
    path = _spoiled_copy(tmp_path)

    errors = {(e.sheet, e.row, e.column, e.value): e.why for e in parse_epcn(path).errors}

    assert "cannot start with “=”" in errors[PCN_SHEET, 2, "PCN Name", FORMULA_NAME]
    assert "cannot start with “@”" in errors[PARTNER_SHEET, 2, "Partner Name", "@SUM(A1)"]


@pytest.mark.django_db
def test_an_epcn_file_with_a_formula_name_writes_nothing(tmp_path):
    path = _spoiled_copy(tmp_path)

    with pytest.raises(ImportFailed) as failure:
        services.epcn_import(path=path)

    assert sum("cannot start with" in error.why for error in failure.value.errors) == 2
    assert (PCN.objects.count(), Practice.objects.count(), Commissioner.objects.count()) == (
        0,
        0,
        0,
    )
    assert not ImportRecord.objects.exists()
