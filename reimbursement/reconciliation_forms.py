"""The reconciliation page's choices (a GET form): the financial year, the tolerance above which
a difference is highlighted, and whether to list only those."""

from django import forms
from django.core.exceptions import ValidationError

from pcn_admin.dates import year_label
from pcn_admin.plain_errors import PlainErrorsForm

from .reconciliation import DEFAULT_TOLERANCE, parse_tolerance


class ReconciliationForm(PlainErrorsForm, forms.Form):
    year = forms.TypedChoiceField(label="Financial year", coerce=int, choices=())
    tolerance = forms.CharField(
        label="Highlight differences above",
        required=False,
        max_length=20,
        help_text="In pounds, for example 100, or as a per cent of what was reported, for "
        f"example 2%. Blank is {DEFAULT_TOLERANCE}.",
    )
    above = forms.BooleanField(label="List only the differences above it", required=False)

    def __init__(self, *args, years: list[int], imported: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (year, year_label(year) + ("" if year in imported else " (no file imported)"))
            for year in years
        ]

    def clean_tolerance(self):
        try:
            return parse_tolerance(self.cleaned_data.get("tolerance"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
