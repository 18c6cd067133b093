"""Forms for PCNs to keep their staff in post. Validation lives on the model and in services."""

from decimal import Decimal

from django import forms

from networks.models import Membership, Practice
from pcn_admin.plain_errors import PlainErrorsForm
from pcn_admin.widgets import DateInput

from .models import AFC_BANDS_TEXT, Post, Role

DATE = DateInput()  # ISO values, so saved dates show and round-trip


class PostForm(PlainErrorsForm, forms.ModelForm):
    hours = forms.DecimalField(
        label="Contracted hours a week",
        min_value=Decimal("0.01"),
        max_digits=5,
        decimal_places=2,
        help_text=(
            "37.5 hours is full time (1.0 WTE). For GPs give sessions a week: 9 is full time."
        ),
    )
    hours_from = forms.DateField(
        label="New hours apply from",
        required=False,
        widget=DATE,
        help_text="Only when the hours change. Past months keep the hours they had.",
    )

    class Meta:
        model = Post
        fields = [
            "pcn",
            "role",
            "person_name",
            "registration_number",
            "employing_practice",
            "subcontractor_name",
            "afc_band",
            "start_date",
            "region",
            "in_post_at_baseline",
            "transferred_from_national_scheme",
            "cct_date",
            "earlier_post_at_pcn",
        ]
        widgets = {"start_date": DATE, "cct_date": DATE}
        help_texts = {
            "afc_band": f"One band: {AFC_BANDS_TEXT}. Leave empty for GPs and others not on "
            "Agenda for Change."
        }

    def __init__(self, *args, pcns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.order_by("name")
        self.fields["pcn"].queryset = pcns
        self.fields["pcn"].empty_label = None
        members = Membership.objects.current().filter(pcn__in=pcns).values("practice_id")
        if self.instance.pk:
            # Editing: the PCN is fixed, and a practice that has since left stays choosable.
            del self.fields["pcn"]
            members = Membership.objects.filter(pcn=self.instance.pcn).values("practice_id")
        else:
            del self.fields["hours_from"]
        self.fields["employing_practice"].queryset = Practice.objects.filter(
            pk__in=members
        ).order_by("name")


class PostEndForm(PlainErrorsForm, forms.Form):
    end_date = forms.DateField(
        label="Last day in post",
        widget=DATE,
        help_text="The leaving date counts as a day in post.",
    )
