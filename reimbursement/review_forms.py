"""Forms for the month's bulk review: which month (and, for a superuser, which commissioner),
and the confirmation carrying the lines the reviewer was shown."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from networks.models import Commissioner
from pcn_admin import access
from pcn_admin.plain_errors import PlainErrorsForm

from .forms import MonthField


class BulkReviewForm(PlainErrorsForm, forms.Form):
    month = MonthField(
        label="Claim month",
        help_text="The month the claims are for, for example 2025-06.",
    )
    commissioner = forms.ModelChoiceField(
        label="Commissioner (Sub-ICB location)", queryset=Commissioner.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if access.sees_everything(user):
            self.fields["commissioner"].queryset = access.visible_commissioners(user)
        else:
            # Commissioner staff review their own area only.
            del self.fields["commissioner"]

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate().replace(day=1):
            raise ValidationError("That month has not started yet: choose this month or earlier.")
        return month

    def chosen_commissioner(self):
        if "commissioner" in self.fields:
            return self.cleaned_data["commissioner"]
        return self.user.commissioner


class BulkApproveForm(PlainErrorsForm, forms.Form):
    """The lines listed as clean, as the page showed them (comma-separated ids)."""

    lines = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_lines(self) -> list[int]:
        text = self.cleaned_data["lines"]
        try:
            return [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise ValidationError(
                "The list of lines was not understood. Open the bulk review page again."
            ) from None
