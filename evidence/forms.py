"""The form that attaches a file to a claim line. It collects what was chosen; the checks on
the file itself (size, and type read from its content) are the service's (evidence/services.py),
shown on the file field."""

from django import forms

from pcn_admin.plain_errors import PlainErrorsForm

from .models import Attachment


class AttachmentForm(PlainErrorsForm, forms.Form):
    kind = forms.ChoiceField(
        label="Type of evidence",
        choices=Attachment.Kind.choices,
        initial=Attachment.Kind.PAYSLIP,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="File",
        help_text="A PDF, PNG or JPEG of at most 10 MB, for example a scanned or saved payslip.",
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
    )
