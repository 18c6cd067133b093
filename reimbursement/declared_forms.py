"""Forms for declared Network Contract DES amounts: enter one, import a CSV of them, reject one
with a reason. They collect what was typed; the rules are in services/declared.py, whose
ValidationErrors are shown on the fields they concern."""

from django import forms

from pcn_admin.bounds import NOTES_MAX_LENGTH
from pcn_admin.plain_errors import PlainErrorsForm

from .forms import MoneyField, MonthField
from .models import DeclaredPayment
from .services import declared_streams

NOTE_MAX_LENGTH = DeclaredPayment._meta.get_field("note").max_length


class DeclaredEnterForm(PlainErrorsForm, forms.Form):
    pcn = forms.ModelChoiceField(
        label="PCN", queryset=None, help_text="A PCN in your area.", empty_label="Choose a PCN"
    )
    stream = forms.ModelChoiceField(
        label="Payment stream",
        queryset=None,
        empty_label="Choose a stream",
        help_text="Only streams paid as declared amounts: rate-based streams and ARRS are "
        "worked out by the batch.",
    )
    month = MonthField(
        help_text="The month the amount is for, for example 2025-09. It is paid in that "
        "month's batch, or the next one built after it is approved (marked late)."
    )
    amount = MoneyField(
        label="Amount (£)",
        required=True,
        help_text="Pounds and pence, as declared or achieved, for example 1250.00.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="Where the amount comes from, for example “IIF 2024/25 achievement statement”.",
    )
    error_overrides = {
        "amount": {
            "required": "Enter the amount in pounds and pence, for example 1250.00.",
            "max_value": "This is more than £1,000,000 for one PCN and month. Check the amount.",
            "max_digits": "This is more than £1,000,000 for one PCN and month. Check the amount.",
            "max_whole_digits": "This is more than £1,000,000 for one PCN and month. Check the "
            "amount.",
        },
        "note": {"max_length": f"Keep the note to {NOTE_MAX_LENGTH} characters."},
    }

    def __init__(self, *args, pcns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pcn"].queryset = pcns.order_by("code")
        self.fields["pcn"].label_from_instance = lambda pcn: f"{pcn.code} {pcn.name}"
        self.fields["stream"].queryset = declared_streams()
        for name in ("amount",):
            self.fields[name].widget.attrs.update({"inputmode": "decimal"})


class DeclaredImportForm(PlainErrorsForm, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A CSV file with the columns PCN code, Stream code, Month (YYYY-MM), Amount "
        "and, if you like, Note. Every row is checked first: if any is wrong, nothing is "
        "imported and each bad row is listed.",
    )
    error_overrides = {
        "file": {
            "required": "Choose the CSV file to import.",
            "empty": "The file is empty: choose the file again.",
            "invalid": "Choose a CSV file to import.",
            "missing": "Choose the CSV file to import.",
        }
    }


class DeclaredRejectForm(PlainErrorsForm, forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTES_MAX_LENGTH,
        required=False,
        help_text="Say what is wrong, so a corrected amount can be entered.",
    )
    error_overrides = {
        "reason": {"max_length": f"Keep the reason to {NOTES_MAX_LENGTH:,} characters."}
    }
