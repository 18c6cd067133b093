"""The payroll pages: upload, preview (fix a row, confirm), the template; who may use them;
query bounds."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reimbursement import services
from reimbursement.models import PayrollUpload
from tests.reimbursement.factories import JUNE, PayrollUploadFactory, submitted_claim
from tests.roles.factories import PostFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_before_pay_awards")]

HEADER = "Name,Registration number,Month,Salary,Employer NI,Employer pension,Sub-contract fee\n"
ROWS = (
    "Priya Shah,2051234,2025-06,3500.00,465.80,500.00,\n"
    "T Robson,,2025-06,1200.00,120.00,172.56,\n"  # not matched by name: the practice chooses
)


@pytest.fixture
def draft(world):
    return services.claim_create(pcn=world.pcn, month=JUNE, by=world.practice_manager)


def _url(name, claim, *args):
    return reverse(f"reimbursement:{name}", args=[claim.pk, *args])


def _upload(client, claim, rows=ROWS):
    file = SimpleUploadedFile("june.csv", (HEADER + rows).encode())
    return client.post(_url("payroll_upload", claim), {"file": file})


@pytest.mark.parametrize("persona", ["practice_manager", "director"])
def test_the_practice_uploads_checks_fixes_a_row_and_fills_the_draft(client, world, draft, persona):
    client.force_login(getattr(world, persona))
    assert client.get(_url("payroll_upload", draft)).status_code == 200

    response = _upload(client, draft)
    upload = PayrollUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("payroll_preview", draft, upload.pk)

    page = client.get(response["Location"]).content.decode()
    assert "Row 3 (T Robson): No one in post this month has this name." in page
    assert "Matched by registration number." in page
    assert 'name="row-3"' in page

    response = client.post(
        _url("payroll_preview", draft, upload.pk), {"row-3": str(world.link_worker_post.pk)}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("claim_edit", draft)
    edit = client.get(response["Location"]).content.decode()
    assert "Payroll confirmed: 2 line(s) filled from june.csv." in edit
    assert edit.count('data-testid="payroll-tag"') == 2
    assert draft.lines.get(post=world.link_worker_post).reimbursable == Decimal("1492.56")


def test_confirming_with_a_row_still_unmatched_fills_nothing_and_keeps_the_choices(
    client, world, draft
):
    client.force_login(world.practice_manager)
    _upload(client, draft)
    upload = PayrollUpload.objects.get()

    response = client.post(_url("payroll_preview", draft, upload.pk), {"row-2": "skip"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was filled in: some rows are not matched" in page
    assert "Row 3 (T Robson)" in page
    assert '<option value="skip" selected>' in page  # the choice made is kept
    assert draft.lines.filter(salary__isnull=False).count() == 0


def test_a_file_with_problems_is_shown_again_with_them_and_cannot_be_confirmed(
    client, world, draft
):
    client.force_login(world.practice_manager)
    response = _upload(client, draft, ROWS.replace("500.00", "five hundred"))
    page = client.get(response["Location"]).content.decode()

    assert "There is a problem with the file" in page
    assert "Row 2, Employer pension: “five hundred” is not an amount" in page
    assert "five hundred</td>" in page  # what was uploaded, for correction
    assert "Confirm and fill in the claim" not in page


def test_a_file_that_is_not_csv_or_xlsx_is_refused_on_the_form(client, world, draft):
    client.force_login(world.practice_manager)
    file = SimpleUploadedFile("payslip.pdf", b"%PDF-1.4")

    response = client.post(_url("payroll_upload", draft), {"file": file})

    assert response.status_code == 200
    assert "payslip.pdf is not a CSV or .xlsx file" in response.content.decode()
    assert not PayrollUpload.objects.exists()


@pytest.mark.parametrize("persona", ["other_practice_manager", "other_director", "other_reviewer"])
def test_another_organisations_claim_and_its_uploads_are_not_found(client, world, draft, persona):
    upload = PayrollUploadFactory(claim=draft)
    client.force_login(getattr(world, persona))

    for url in (
        _url("payroll_upload", draft),
        _url("payroll_preview", draft, upload.pk),
        _url("payroll_template", draft, "csv"),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "link_worker"])
def test_the_commissioner_and_link_workers_cannot_use_the_payroll_pages(
    client, world, draft, persona
):
    client.force_login(getattr(world, persona))
    assert client.get(_url("payroll_upload", draft)).status_code == 403
    assert _upload(client, draft).status_code == 403
    assert not PayrollUpload.objects.exists()


def test_an_upload_of_another_claim_is_not_found_under_this_one(client, world, draft):
    other = PayrollUploadFactory(claim=submitted_claim(world, dt.date(2025, 5, 1)))
    client.force_login(world.practice_manager)

    assert client.get(_url("payroll_preview", draft, other.pk)).status_code == 404


def test_a_submitted_claims_upload_page_sends_the_practice_to_the_claim(client, world):
    claim = submitted_claim(world)
    client.force_login(world.director)

    response = client.get(_url("payroll_upload", claim))

    assert response.status_code == 302
    assert response["Location"] == _url("claim_detail", claim)


def test_the_csv_template_lists_the_claimable_staff_in_post_with_the_month(client, world, draft):
    PostFactory(pcn=world.pcn, person_name="Bob Baseline", in_post_at_baseline=True)
    client.force_login(world.practice_manager)

    response = client.get(_url("payroll_template", draft, "csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"payroll-{world.pcn.code}-2025-06.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Registration number", "Role", "Month"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("Priya Shah", "2051234", "2025-06"),
        ("Tom Robson", "", "2025-06"),
    ]


def test_the_xlsx_template_opens_as_a_workbook_of_the_staff(client, world, draft):
    client.force_login(world.director)

    response = client.get(_url("payroll_template", draft, "xlsx"))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "Name",
        "Priya Shah",
        "Tom Robson",
    ]
    assert client.get(_url("payroll_template", draft, "pdf")).status_code == 404


@pytest.mark.parametrize("count", [5, 100])
def test_the_preview_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, count
):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    names = [f"Member {index:03d}" for index in range(count)]
    for name in names:
        PostFactory(pcn=world.pcn, person_name=name, employing_practice=world.payee_practice)
    upload = PayrollUploadFactory(
        claim=claim,
        rows=[
            {
                "row": index + 2,
                "name": name,
                "registration_number": "",
                "month": "2025-06",
                "salary": "1000",
                "employer_ni": "100",
                "employer_pension": "143.80",
                "subcontract_fee": "",
            }
            for index, name in enumerate(names)
        ],
    )
    client.force_login(world.director)

    with django_assert_max_num_queries(10):
        response = client.get(_url("payroll_preview", claim, upload.pk))

    assert response.status_code == 200
    assert response.content.decode().count("Matched by name.") == count


def test_a_confirmed_upload_is_shown_as_it_was_confirmed_without_selects(client, world, draft):
    client.force_login(world.practice_manager)
    _upload(client, draft)
    upload = PayrollUpload.objects.get()
    client.post(
        _url("payroll_preview", draft, upload.pk), {"row-3": str(world.link_worker_post.pk)}
    )

    page = client.get(_url("payroll_preview", draft, upload.pk)).content.decode()

    assert "2 lines filled in" in page
    assert "Tom Robson (Social prescribing link worker)" in page
    assert "Matched by your choice." in page
    assert "<select" not in page
    assert "Confirm and fill in the claim" not in page
