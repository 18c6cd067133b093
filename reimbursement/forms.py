"""Forms for claims. They collect what was typed; the rules are in services.py, whose
ValidationErrors are shown on the fields (and lines) they concern."""

import datetime as dt

from django import forms

from .models import Claim

MONTH_FORMATS = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MONTH_FORMATS)
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter the month as month and year, for example 2025-06."}
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        date = super().to_python(value)
        return date.replace(day=1) if isinstance(date, dt.date) else date


class ClaimStartForm(forms.Form):
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


class ClaimLineForm(forms.Form):
    """One line's costs. Blank is allowed on a draft; submission asks for every figure."""

    salary = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, help_text="Gross pay for the month (£)."
    )
    employer_ni = forms.DecimalField(
        label="Employer NI", required=False, max_digits=12, decimal_places=2
    )
    employer_pension = forms.DecimalField(required=False, max_digits=12, decimal_places=2)
    subcontract_fee = forms.DecimalField(
        label="Sub-contract fee",
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text="Sub-contracted link workers only.",
    )

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
            field.widget.attrs.update({"inputmode": "decimal", "data-cost": "1"})


class ClaimDeclarationForm(forms.Form):
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


class LineDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when rejecting: the practice sees it.",
    )


class ClaimReturnForm(forms.Form):
    query = forms.CharField(
        label="Question for the practice",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The claim goes back to the practice to correct and submit again.",
    )
