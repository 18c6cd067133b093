"""Forms for claims and payment batches. They collect what was typed; the rules are in
services.py and batches.py, whose ValidationErrors are shown on the fields (and lines) they
concern."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from networks.models import Commissioner
from pcn_admin import access
from pcn_admin.bounds import NOTES_MAX_LENGTH, PCNS_BEGAN
from pcn_admin.plain_errors import PlainErrorsForm

from .models import Claim

MONTH_FORMATS = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]
# One member of staff's costs for one month: nothing real comes near a million pounds, and a
# figure past it is a slip of the keyboard (or a probe) that the money rule should not see.
MAX_MONTHLY_COST = Decimal("1000000")


class MonthField(forms.DateField):
    # The picker offers no month before PCNs began; the service refuses one typed anyway.
    widget = forms.DateInput(attrs={"type": "month", "min": f"{PCNS_BEGAN:%Y-%m}"}, format="%Y-%m")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MONTH_FORMATS)
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter the month as month and year, for example 2025-06."}
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        date = super().to_python(value)
        return date.replace(day=1) if isinstance(date, dt.date) else date


class ClaimStartForm(PlainErrorsForm, forms.Form):
    pcn = forms.ModelChoiceField(
        label="PCN", queryset=None, empty_label=None, help_text="The PCN claiming."
    )
    month = MonthField(help_text="The month the staff were paid for, for example 2025-06.")
    kind = forms.ChoiceField(
        label="Type of claim",
        choices=Claim.Kind.choices,
        initial=Claim.Kind.NORMAL,
        widget=forms.RadioSelect,
        help_text=(
            "Use an adjustment to correct a month already submitted, for example for a pay "
            "award paid later."
        ),
    )
    copy_forward = forms.BooleanField(
        label="Start from last month's costs",
        required=False,
        help_text=(
            "Monthly claims only: each person's salary, employer NI and pension are copied from "
            "the previous month's claim and marked as copied until you change them. Hours come "
            "from the staff records as they are now."
        ),
    )

    def __init__(self, *args, pcns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pcn"].queryset = pcns


class MoneyField(forms.DecimalField):
    """Pounds and pence as typed ("£3,500.00"): a finite amount, to the penny, under
    MAX_MONTHLY_COST. "NaN", "inf" and "1e999" are not amounts. Negative amounts are left to
    the money rule, which says how to claim a correction."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_value", MAX_MONTHLY_COST)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Enter an amount in pounds and pence, for example 3500.00.",
                "max_value": "This is more than £1,000,000 for one month. Check the amount.",
                "max_digits": "This is more than £1,000,000 for one month. Check the amount.",
                "max_whole_digits": "This is more than £1,000,000 for one month. Check the amount.",
                "max_decimal_places": "Enter pounds and pence: at most 2 decimal places.",
            },
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").removeprefix("£")
        return super().to_python(value)


class LineCostsForm(PlainErrorsForm, forms.Form):
    """A line's four costs as typed. Saving (ClaimLineForm) and the live breakdown
    (LineCostsPreviewForm) read them with the same fields, so they refuse the same input."""

    salary = MoneyField(label="Salary", help_text="Gross pay for the month (£).")
    employer_ni = MoneyField(label="Employer NI")
    employer_pension = MoneyField(label="Employer pension")
    subcontract_fee = MoneyField(
        label="Sub-contract fee", help_text="Sub-contracted link workers only."
    )


class ClaimLineForm(LineCostsForm):
    """One line's costs. Blank is allowed on a draft; submission asks for every figure."""

    def __init__(self, *args, line, **kwargs):
        self.line = line
        initial = {
            "salary": line.salary,
            "employer_ni": line.employer_ni,
            "employer_pension": line.employer_pension,
            "subcontract_fee": line.subcontract_fee or None,
        }
        super().__init__(*args, prefix=f"line-{line.pk}", initial=initial, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update(
                {"inputmode": "decimal", "data-cost": "1", "class": "nhsuk-input"}
            )


class LineCostsPreviewForm(LineCostsForm):
    """A line's costs as typed, for the live breakdown (nothing is saved)."""

    def messages(self) -> list[str]:
        """Each error with the field it is about: the page shows them as one list."""
        return [
            f"{self.fields[name].label}: {message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        ]


class ClaimDeclarationForm(PlainErrorsForm, forms.Form):
    declared_additional = forms.BooleanField(
        required=False,
        label=(
            "I declare that the staff claimed for are additional to the PCN's baseline "
            "(staff in post on 31 March 2019)."
        ),
    )
    declared_costs_paid = forms.BooleanField(
        required=False,
        label="I declare that the salary, employer NI and pension claimed were paid for the month.",
    )


class LineDecisionForm(PlainErrorsForm, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when rejecting: the practice sees it.",
    )


class ClaimReturnForm(PlainErrorsForm, forms.Form):
    query = forms.CharField(
        label="Question for the practice",
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The claim goes back to the practice to correct and submit again.",
    )


# Payment batches: built, finalised and paid by commissioner staff, on the NHS pages
# (reimbursement/views/batches.py) and in the admin alike.


class BuildBatchesForm(forms.Form):
    commissioner = forms.ModelChoiceField(
        label="Commissioner (Sub-ICB location)", queryset=Commissioner.objects.none()
    )
    month = MonthField(
        label="Batch month (the claim month it pays)",
        help_text="Approved lines of this claim month, and lines of earlier claim months not "
        "yet in a batch (marked late), for example 2025-06.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if access.sees_everything(user):
            self.fields["commissioner"].queryset = access.visible_commissioners(user)
        else:
            # Commissioner staff build their own area's batch only.
            del self.fields["commissioner"]

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate().replace(day=1):
            raise ValidationError(
                "That month has not started yet. Build a batch for this month or an earlier one."
            )
        return month

    def clean(self):
        cleaned = super().clean()
        if "commissioner" not in self.fields:
            cleaned["commissioner"] = self.user.commissioner
        return cleaned


class MarkPaidForm(forms.Form):
    # Not required here: the service says what is missing, per field, in its own words.
    paid_on = forms.DateField(
        label="Date paid",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day finance made the payment, for example 15/07/2025.",
        error_messages={"invalid": "Enter the date as day/month/year, for example 15/07/2025."},
    )
    payment_reference = forms.CharField(
        label="Payment reference",
        required=False,
        max_length=60,
        help_text="The reference finance used for the payment run.",
    )
