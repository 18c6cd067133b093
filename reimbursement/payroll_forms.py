"""Forms for payroll uploads: the file, and the preview's choice of who each row is. They
collect what was chosen; reading, checking and matching the file are in reimbursement/payroll.py
and the services decide what is stored."""

from django import forms

from pcn_admin.plain_errors import PlainErrorsForm, plain_form_errors

from .payroll import LEAVE_OUT, Matching, StaffMember


class PayrollUploadForm(PlainErrorsForm, forms.Form):
    file = forms.FileField(
        label="Payroll file",
        help_text=(
            "A CSV or Excel (.xlsx) file with one row a person: their name or professional "
            "registration number, the month, salary, employer NI, employer pension and (for "
            "sub-contracted link workers) the provider's fee. Columns are found by their "
            "headings, in any order; other columns are ignored."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def row_field(row: int) -> str:
    return f"row-{row}"


class PayrollMatchForm(PlainErrorsForm, forms.Form):
    """One select per row of the file: the member of staff it is, or leave it out."""

    def __init__(self, *args, matching: Matching, staff: list[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        options = [
            ("", "Not matched: choose who this is"),
            *[(str(s.post_id), s.label) for s in staff if s.claimable and not s.line_locked],
            (LEAVE_OUT, "Leave this row out (not claimed)"),
        ]
        for match in matching.matches:
            self.fields[row_field(match.row.row)] = forms.ChoiceField(
                label=f"Who is row {match.row.row} ({match.row.who})?",
                choices=options,
                required=False,
                initial=match.choice,
            )
        plain_form_errors(self)  # the rows' fields are made after the mixin's pass

    def row_choices(self) -> dict[int, str]:
        """Row number -> post id or LEAVE_OUT, for rows where a choice was made."""
        return {
            int(name.removeprefix("row-")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("row-") and value
        }
