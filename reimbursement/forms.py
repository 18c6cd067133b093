"""Forms for claims. They collect what was typed; the rules are in services.py, whose
ValidationErrors are shown on the fields (and lines) they concern."""

import datetime as dt
from decimal import Decimal

from django import forms

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
