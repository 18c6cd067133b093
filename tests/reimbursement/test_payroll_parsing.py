"""Reading, checking and matching payroll files (reimbursement/payroll.py): no database."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from networks.importers import FileNotRecognised
from reimbursement import payroll
from reimbursement.payroll import LEAVE_OUT, StaffMember, check_rows, match_rows, read_payroll

SEPTEMBER = dt.date(2025, 9, 1)
HEADER = "Name,Registration number,Month,Salary,Employer NI,Employer pension,Sub-contract fee\r\n"


def upload(text: str, name: str = "payroll.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def xlsx(rows: list[list], name: str = "payroll.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def checked(text: str, month=SEPTEMBER):
    return check_rows(read_payroll(upload(HEADER + text), "payroll.csv"), month)


# Reading ----------------------------------------------------------------------------------


def test_a_csv_is_read_by_its_headers_in_any_order_with_other_columns_ignored():
    text = (
        "Employee number, Pay Period ,Gross pay,Employers NI,Employer's pension,Staff name\n"
        'E17,2025-09,"£3,100.00",341.00,445.78,Priya Shah\n'
    )
    rows = read_payroll(upload(text), "payroll.csv")

    assert rows == [
        {
            "row": 2,
            "name": "Priya Shah",
            "registration_number": "",
            "month": "2025-09",
            "salary": "£3,100.00",
            "employer_ni": "341.00",
            "employer_pension": "445.78",
            "subcontract_fee": "",
        }
    ]
    figures, problems = check_rows(rows, SEPTEMBER)
    assert problems == []
    assert figures[0].costs == {
        "salary": Decimal("3100.00"),
        "employer_ni": Decimal("341.00"),
        "employer_pension": Decimal("445.78"),
        "subcontract_fee": Decimal("0"),
    }


def test_an_xlsx_is_read_with_numbers_dates_and_formula_noise_to_the_penny():
    file = xlsx(
        [
            ["Name", "Month", "Salary", "Employer NI", "Employer pension"],
            ["Tom Robson", dt.datetime(2025, 9, 1), 2480, 170.36 + 1e-11, 356.624],
            [None, None, None, None, None],  # blank rows are skipped
        ]
    )
    rows = read_payroll(file, "payroll.xlsx")

    assert len(rows) == 1
    assert rows[0]["month"] == "2025-09-01"
    assert rows[0]["salary"] == "2480"
    assert rows[0]["employer_ni"] == "170.36"  # 170.36000000001 in the cell: float noise
    _, problems = check_rows(rows, SEPTEMBER)
    # 356.624 is not a penny amount: the check says so rather than rounding someone's pay.
    assert [str(p) for p in problems] == [
        "Row 2, Employer pension: “356.624” has more than 2 decimal places: round it to the penny."
    ]


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("payroll.pdf", b"%PDF-1.4", "is not a CSV or .xlsx file"),
        ("payroll.csv", b"PK\x03\x04 zipped", "it is not a CSV file"),
        ("payroll.xlsx", b"Name,Salary\n", "it is not an Excel workbook"),
        ("payroll.csv", b"Who,Pay\nPriya,3100\n", "it has no “Name” or “Month” or “Salary”"),
        ("payroll.csv", HEADER.encode(), "it has its column headings but no rows"),
    ],
)
def test_a_file_that_is_not_a_payroll_is_refused_saying_why(name, content, says):
    with pytest.raises(FileNotRecognised) as refused:
        read_payroll(SimpleUploadedFile(name, content), name)
    assert says in str(refused.value)


def test_an_empty_file_is_refused():
    with pytest.raises(FileNotRecognised, match="empty"):
        read_payroll(SimpleUploadedFile("payroll.csv", b""), "payroll.csv")


# Checking ---------------------------------------------------------------------------------


def test_text_in_a_money_column_names_the_row_column_and_value():
    _, problems = checked(
        "Priya Shah,,2025-09,three thousand,341.00,445.78,\r\n"
        "Tom Robson,,2025-09,2480.00,,356.62,\r\n"
    )
    assert [str(p) for p in problems] == [
        "Row 2, Salary: “three thousand” is not an amount: enter pounds and pence as a number, "
        "for example 3500.00.",
        "Row 3, Employer NI: is blank: enter the amount paid for the month, or 0 if none was.",
    ]


def test_a_row_for_another_month_is_a_problem_naming_both_months():
    rows, problems = checked(
        "Priya Shah,,2025-09,3100.00,341.00,445.78,\r\n"
        "Tom Robson,,Aug-25,2480.00,272.80,356.62,\r\n"
    )
    assert [r.name for r in rows] == ["Priya Shah"]
    assert [str(p) for p in problems] == [
        "Row 3, Month: “Aug-25” is August 2025, not this claim's month (September 2025). Upload "
        "the payroll for September 2025, or open the August 2025 claim."
    ]


@pytest.mark.parametrize(
    "text", ["2025-09", "09/2025", "September 2025", "Sep 2025", "Sep-25", "30/09/2025", "202509"]
)
def test_a_month_is_read_as_payrolls_and_spreadsheets_write_it(text):
    assert payroll.month_of(text) == SEPTEMBER


@pytest.mark.parametrize(
    "typed, why",
    [
        ("-100.00", "is negative"),
        ("(100.00)", "is negative"),
        ("1e999", "is more than £1,000,000"),
        ("NaN", "is not an amount"),
        ("1000000", "is more than £1,000,000"),
        ("12.345", "more than 2 decimal places"),
    ],
)
def test_an_amount_that_cannot_be_pay_is_refused(typed, why):
    with pytest.raises(ValueError, match=why.replace("(", r"\(")):
        payroll.money(typed)


def test_a_row_with_neither_name_nor_registration_number_is_a_problem():
    _, problems = checked(",,2025-09,3100.00,341.00,445.78,\r\n")
    assert str(problems[0]) == (
        "Row 2, Name: no name or registration number: say who the row is for."
    )


# Matching ---------------------------------------------------------------------------------

PRIYA = StaffMember(1, "Priya Shah", "2051234", "Clinical pharmacist", line_id=11)
TOM = StaffMember(2, "Tom Robson", "", "Social prescribing link worker", line_id=12)
ANNE = StaffMember(3, "Anne Bell", "", "Paramedic", line_id=13)
BASELINE = StaffMember(
    4, "Bob Baseline", "", "Clinical pharmacist", claimable=False, not_claimable_why="is baseline."
)
STAFF = [PRIYA, TOM, ANNE, BASELINE]


def rows_of(text):
    rows, problems = checked(text)
    assert problems == []
    return rows


def test_rows_match_by_registration_number_then_by_name_whatever_the_spelling():
    rows = rows_of(
        "Someone Else,2051234,2025-09,3100,341,445.78,\r\n"
        '"ROBSON, Tom",,2025-09,2480,272.80,356.62,\r\n'
        "Dr Anne  Bell,,2025-09,2000,200,287.60,\r\n"
    )
    matching = match_rows(rows, STAFF)

    assert [(m.staff, m.how) for m in matching.matches] == [
        (PRIYA, "registration number"),
        (TOM, "name"),
        (ANNE, "name"),
    ]
    assert matching.problems == []
    assert matching.without_row == []


def test_an_unknown_person_is_named_and_the_staff_without_a_row_are_listed():
    rows = rows_of("Priya Shah,,2025-09,3100,341,445.78,\r\nJ Smith,,2025-09,1900,190,273.22,\r\n")
    matching = match_rows(rows, STAFF)

    assert matching.problems == [
        "Row 3 (J Smith): No one in post this month has this name. Choose who it is, or leave "
        "the row out."
    ]
    assert matching.without_row == [TOM, ANNE]  # the baseline post is not claimed anyway


def test_a_choice_fixes_an_unmatched_row_and_leaving_out_is_a_choice():
    rows = rows_of("J Smith,,2025-09,1900,190,273.22,\r\nCleaner,,2025-09,1500,100,0,\r\n")
    matching = match_rows(rows, STAFF, {2: str(ANNE.post_id), 3: LEAVE_OUT})

    assert [(m.staff, m.how, m.left_out) for m in matching.matches] == [
        (ANNE, "your choice", False),
        (None, "your choice", True),
    ]
    assert matching.problems == []
    assert [m.row.row for m in matching.to_fill] == [2]


def test_the_same_person_twice_is_a_problem_on_both_rows():
    rows = rows_of("Priya Shah,,2025-09,3100,341,445.78,\r\nP Shah,2051234,2025-09,10,1,1,\r\n")
    matching = match_rows(rows, STAFF)

    assert (
        matching.problems
        == [
            "Rows 2 and 3 are all Priya Shah (Clinical pharmacist): each person once. Choose who "
            "each row is, or leave one out."
        ]
        * 2
    )
    assert matching.to_fill == []


def test_a_registration_number_no_one_has_is_not_matched_on_the_name_alone():
    rows = rows_of("Tom Robson,HCPC999,2025-09,2480,272.80,356.62,\r\n")
    match = match_rows(rows, STAFF).matches[0]

    assert match.staff is None
    assert "No one in post has registration number HCPC999" in match.problem
    assert "choose them if it is the same person" in match.problem


def test_two_people_of_one_name_must_be_chosen_between():
    twin = StaffMember(5, "Tom Robson", "", "Paramedic", line_id=15)
    rows = rows_of("Tom Robson,,2025-09,2480,272.80,356.62,\r\n")
    match = match_rows(rows, [*STAFF, twin]).matches[0]

    assert match.staff is None
    assert "2 people in post are called Tom Robson: choose which one." in match.problem


def test_a_row_for_baseline_staff_or_an_approved_line_is_left_out_saying_why():
    approved = StaffMember(6, "Ada Approved", "", "Paramedic", line_id=16, line_locked=True)
    rows = rows_of("Bob Baseline,,2025-09,1,1,1,\r\nAda Approved,,2025-09,1,1,1,\r\n")
    matching = match_rows(rows, [*STAFF, approved])

    assert [m.left_out for m in matching.matches] == [True, True]
    assert matching.matches[0].note == "Left out: Bob Baseline (Clinical pharmacist) is baseline."
    assert "line is approved and cannot change" in matching.matches[1].note
    assert matching.problems == []
    assert matching.to_fill == []


def test_names_compare_without_titles_case_accents_or_order():
    assert payroll.name_key("Dr Zoë  O'Neill") == payroll.name_key("O’NEILL, Zoe")


# The template -----------------------------------------------------------------------------


def test_the_template_reads_back_as_a_payroll_of_the_staff_in_post():
    staff = [PRIYA, TOM, BASELINE, StaffMember(7, "=cmd|' /C calc'!A0", "", "Paramedic")]
    for content, name in (
        (payroll.template_csv(staff, SEPTEMBER), "template.csv"),
        (payroll.template_xlsx(staff, SEPTEMBER), "template.xlsx"),
    ):
        rows = read_payroll(SimpleUploadedFile(name, content), name)

        assert [(r["name"], r["registration_number"], r["month"]) for r in rows] == [
            ("Priya Shah", "2051234", "2025-09"),
            ("Tom Robson", "", "2025-09"),
            ("'=cmd|' /C calc'!A0", "", "2025-09"),  # defused: a spreadsheet will not run it
        ]
        # Costs are blank: the practice types them; checking says which are missing.
        _, problems = check_rows(rows, SEPTEMBER)
        assert {p.column for p in problems} == {"Salary", "Employer NI", "Employer pension"}


def test_a_file_too_large_for_a_payroll_is_refused_unread():
    big = SimpleUploadedFile("payroll.csv", HEADER.encode() + b"x" * payroll.MAX_BYTES)

    with pytest.raises(FileNotRecognised, match="a payroll file is at most 5 MB"):
        read_payroll(big, "payroll.csv")
