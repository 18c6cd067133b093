"""Forms of the networks app."""

from django import forms

from pcn_admin.plain_errors import PlainErrorsForm


class NationalFileForm(PlainErrorsForm, forms.Form):
    file = forms.FileField(
        help_text="An ePCN .xlsx, a 'Patients Registered at a GP Practice' CSV, or an "
        "'NHS Payments to General Practice' CSV. The kind is recognised from its headers."
    )
    date = forms.DateField(
        required=False,
        help_text="Only for the NHS Payments file, which carries no date: the date its weighted "
        "list sizes stand for, e.g. 01/01/2024.",
    )
