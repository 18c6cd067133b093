"""Payroll uploads through their services: what is kept, what is refused, and confirming
fills the draft's lines through the claim form's own service (so the money rule prices them)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from reimbursement import services
from reimbursement.models import ClaimLine, PayrollUpload
from reimbursement.payroll import LEAVE_OUT, Problem
from tests.reimbursement.factories import JUNE, submitted_claim
from tests.roles.factories import PostFactory

# The arrs.md worked example is against the figures as published in March 2025.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_before_pay_awards")]

HEADER = "Name,Registration number,Month,Salary,Employer NI,Employer pension,Sub-contract fee\n"
# The worked example's pharmacist (by registration number) and the June starter (by name).
GOOD_ROWS = (
    "P. Shah,2051234,2025-06,3500.00,465.80,500.00,\nTom Robson,,2025-06,1200.00,120.00,172.56,\n"
)


def csv_file(rows: str, name: str = "june-payroll.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + rows).encode())


@pytest.fixture
def draft(world):
    return services.claim_create(pcn=world.pcn, month=JUNE, by=world.practice_manager)


def receive(draft, world, rows: str) -> PayrollUpload:
    return services.payroll_upload_receive(
        claim=draft, file=csv_file(rows), by=world.practice_manager
    )


def costs(claim) -> list[tuple]:
    return sorted(
        claim.lines.values_list("post__person_name", "salary", "reimbursable", "costs_source")
    )


def test_a_good_file_is_kept_waiting_for_confirmation_and_fills_nothing_yet(world, draft):
    upload = receive(draft, world, GOOD_ROWS)

    assert upload.status == PayrollUpload.Status.RECEIVED
    assert upload.file_name == "june-payroll.csv"
    assert [row["name"] for row in upload.rows] == ["P. Shah", "Tom Robson"]
    assert upload.problems == []
    assert upload.uploaded_by == world.practice_manager
    assert draft.lines.filter(salary__isnull=False).count() == 0


def test_confirming_fills_the_draft_priced_by_the_money_rule_and_marked_from_the_payroll(
    world, draft
):
    upload = receive(draft, world, GOOD_ROWS)

    done = services.payroll_upload_confirm(upload=upload, by=world.practice_manager)

    assert done.status == PayrollUpload.Status.CONFIRMED
    assert done.lines_filled == 2
    assert done.choices == {"2": str(world.pharmacist.pk), "3": str(world.link_worker_post.pk)}
    # The same figures as typing them on the claim form (test_claim_services' worked examples).
    assert costs(draft) == [
        ("Priya Shah", Decimal("3500.00"), Decimal("4464.80"), "payroll"),
        ("Tom Robson", Decimal("1200.00"), Decimal("1492.56"), "payroll"),
    ]
    line = draft.lines.get(post=world.pharmacist)
    assert line.history.first().history_user == world.practice_manager
    assert done.history.first().history_user == world.practice_manager


@pytest.mark.parametrize(
    "rows, says",
    [
        (
            "P. Shah,2051234,2025-06,3500.00,465.80,500.00,\nTom Robson,,2025-06,12OO.00,120,1,\n",
            "Row 3, Salary: “12OO.00” is not an amount",
        ),
        (
            "P. Shah,2051234,2025-05,3500.00,465.80,500.00,\n",
            "Row 2, Month: “2025-05” is May 2025, not this claim's month (June 2025)",
        ),
    ],
)
def test_a_file_with_bad_rows_is_kept_for_correction_naming_them_and_fills_nothing(
    world, draft, rows, says
):
    upload = receive(draft, world, rows)

    assert upload.status == PayrollUpload.Status.REFUSED
    assert upload.rows  # what was uploaded, kept to be shown again
    assert any(says in str(Problem.from_dict(p)) for p in upload.problems)
    with pytest.raises(ValidationError, match="correct the file and upload it again"):
        services.payroll_upload_confirm(upload=upload, by=world.practice_manager)
    assert draft.lines.filter(salary__isnull=False).count() == 0


def test_an_unknown_person_stops_confirmation_naming_the_row_until_they_are_chosen(world, draft):
    upload = receive(draft, world, GOOD_ROWS.replace("Tom Robson", "Thomas Robson"))

    with pytest.raises(ValidationError) as refused:
        services.payroll_upload_confirm(upload=upload, by=world.practice_manager)

    assert refused.value.messages == [
        "Nothing was filled in: some rows are not matched to one member of staff.",
        "Row 3 (Thomas Robson): No one in post this month has this name. Choose who it is, or "
        "leave the row out.",
    ]
    assert draft.lines.filter(salary__isnull=False).count() == 0
    upload.refresh_from_db()
    assert upload.status == PayrollUpload.Status.RECEIVED

    services.payroll_upload_confirm(
        upload=upload, choices={3: str(world.link_worker_post.pk)}, by=world.practice_manager
    )
    assert draft.lines.get(post=world.link_worker_post).salary == Decimal("1200.00")


def test_the_same_person_twice_stops_confirmation_naming_both_rows(world, draft):
    upload = receive(draft, world, GOOD_ROWS + "Priya Shah,,2025-06,100,10,10,\n")

    with pytest.raises(ValidationError, match="Rows 2 and 4 are all Priya Shah"):
        services.payroll_upload_confirm(upload=upload, by=world.practice_manager)
    assert draft.lines.filter(salary__isnull=False).count() == 0

    services.payroll_upload_confirm(
        upload=upload, choices={4: LEAVE_OUT}, by=world.practice_manager
    )
    assert draft.lines.get(post=world.pharmacist).salary == Decimal("3500.00")


def test_a_row_left_out_leaves_its_line_as_it_was_and_staff_without_a_row_keep_theirs(world, draft):
    services.claim_line_update(
        line=draft.lines.get(post=world.link_worker_post),
        by=world.director,
        salary=Decimal("1000.00"),
        employer_ni=Decimal("100.00"),
        employer_pension=Decimal("100.00"),
    )
    upload = receive(draft, world, GOOD_ROWS.splitlines()[0] + "\n")

    services.payroll_upload_confirm(upload=upload, by=world.practice_manager)

    link_worker_line = draft.lines.get(post=world.link_worker_post)
    assert (link_worker_line.salary, link_worker_line.costs_source) == (Decimal("1000.00"), "typed")


def test_confirming_twice_fills_once_and_says_so(world, draft):
    upload = receive(draft, world, GOOD_ROWS)
    services.payroll_upload_confirm(upload=upload, by=world.practice_manager)
    history = ClaimLine.history.count()

    with pytest.raises(ValidationError, match="already confirmed"):
        services.payroll_upload_confirm(upload=upload, by=world.practice_manager)
    assert ClaimLine.history.count() == history


def test_staff_recorded_since_the_draft_was_started_get_their_line_on_confirming(world, draft):
    newcomer = PostFactory(
        pcn=world.pcn,
        person_name="Nia Newcomer",
        employing_practice=world.payee_practice,
        start_date=dt.date(2025, 6, 1),
    )
    upload = receive(draft, world, GOOD_ROWS + "Nia Newcomer,,2025-06,2000,200,287.60,\n")

    services.payroll_upload_confirm(upload=upload, by=world.practice_manager)

    assert draft.lines.get(post=newcomer).salary == Decimal("2000.00")


def test_a_submitted_claim_takes_no_payroll(world):
    claim = submitted_claim(world)

    with pytest.raises(ValidationError, match="can no longer be changed"):
        receive(claim, world, GOOD_ROWS)
    assert not PayrollUpload.objects.exists()


def test_a_received_upload_cannot_fill_a_claim_submitted_since(world, draft):
    upload = receive(draft, world, GOOD_ROWS)
    services.payroll_upload_confirm(upload=receive(draft, world, GOOD_ROWS), by=world.director)
    services.claim_submit(
        claim=draft, declared_additional=True, declared_costs_paid=True, by=world.director
    )

    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.payroll_upload_confirm(upload=upload, by=world.practice_manager)


def test_a_file_that_is_not_a_spreadsheet_is_refused_and_not_kept(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.payroll_upload_receive(
            claim=draft,
            file=SimpleUploadedFile("payslip.pdf", b"%PDF-1.4"),
            by=world.practice_manager,
        )
    assert "is not a CSV or .xlsx file" in refused.value.message_dict["file"][0]
    assert not PayrollUpload.objects.exists()


def test_a_spreadsheet_without_payroll_columns_is_kept_with_the_reason(world, draft):
    upload = services.payroll_upload_receive(
        claim=draft,
        file=SimpleUploadedFile("rota.csv", b"Who,Shift\nPriya,Early\n"),
        by=world.practice_manager,
    )
    assert upload.status == PayrollUpload.Status.REFUSED
    assert "it has no “Name” or “Month”" in upload.problems[0]["why"]
