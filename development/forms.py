"""Forms for PCN development funding: what commissioner staff type to allocate, earmark, commit
and record spend; a practice's backfill claim and its review; a commissioner-funded baseline
post. What is left to commit or spend is checked by development.services, whose refusals the
views put back on these forms (pcn_admin.form_errors.add_service_errors)."""

from decimal import Decimal

from django import forms

from pcn_admin.bounds import NOTES_MAX_LENGTH, bound_free_text
from pcn_admin.plain_errors import PlainErrorsForm
from pcn_admin.widgets import DateInput
from roles.models import Post, Role

from .models import Allocation, BaselinePost, Commitment, Domain, Earmark

DATE = DateInput()
PENNY = Decimal("0.01")


def _money(label: str, help_text: str = "", **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=PENNY,
        help_text=help_text or "In pounds and pence, for example 1250.00.",
        **kwargs,
    )


class AllocationForm(PlainErrorsForm, forms.ModelForm):
    amount = _money("Amount allocated (£)", "In pounds and pence, for example 129300.00.")

    class Meta:
        model = Allocation
        fields = [
            "commissioner",
            "name",
            "source",
            "year",
            "amount",
            "clinical_director_percent",
            "note",
        ]

    def __init__(self, *args, commissioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commissioner"].queryset = commissioners
        self.fields["commissioner"].empty_label = None
        bound_free_text(self.fields)


class EarmarkForm(PlainErrorsForm, forms.ModelForm):
    amount = _money("Amount earmarked (£)")

    class Meta:
        model = Earmark
        fields = ["name", "amount", "note"]
        help_texts = {
            "name": "For example: population health management analysts and clinical backfill."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_free_text(self.fields)


class CommitmentForm(PlainErrorsForm, forms.ModelForm):
    amount = _money("Amount committed (£)")

    class Meta:
        model = Commitment
        fields = [
            "pcn",
            "programme",
            "description",
            "domain",
            "clinical_director_development",
            "earmark",
            "amount",
        ]
        widgets = {"domain": forms.RadioSelect}

    def __init__(self, *args, allocation: Allocation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.allocation = allocation
        self.fields["pcn"].queryset = allocation.commissioner.pcns.filter(
            close_date__isnull=True
        ).order_by("name")
        self.fields["pcn"].empty_label = "None: a programme"
        self.fields["earmark"].queryset = allocation.earmarks.order_by("name")
        self.fields["earmark"].empty_label = "No earmark"
        self.fields["domain"].choices = Domain.choices


class SpendForm(PlainErrorsForm, forms.Form):
    amount = _money("Amount spent (£)")
    date = forms.DateField(label="Date spent", widget=DATE)
    note = forms.CharField(label="What it paid for (optional)", max_length=300, required=False)


class BackfillClaimForm(PlainErrorsForm, forms.Form):
    commitment = forms.ModelChoiceField(
        label="Backfill funding",
        queryset=Commitment.objects.none(),
        help_text="The backfill funding committed to your PCN that this claim draws on.",
    )
    person_name = forms.CharField(
        label="Who took part",
        max_length=200,
        help_text="The member of staff whose time was backfilled, for example Dr Sam Patel (GP).",
    )
    activity = forms.CharField(
        label="Activity",
        max_length=200,
        help_text="What they took part in, for example a maturity matrix workshop.",
    )
    date = forms.DateField(label="Date of the activity", widget=DATE)
    hours = forms.DecimalField(
        label="Hours backfilled",
        max_digits=4,
        decimal_places=2,
        min_value=PENNY,
        help_text="For this day only, at most 24, for example 3.5.",
    )
    hourly_rate = _money("Hourly rate (£)", "What the cover cost an hour, for example 85.00.")
    error_overrides = {
        "commitment": {"required": "Choose the backfill funding this claim draws on."}
    }

    def __init__(self, *args, funding, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = funding
        self.fields["commitment"].label_from_instance = (
            lambda c: f"{c.recipient}: {c.description} ({c.allocation.year_label})"
        )


class BackfillReviewForm(PlainErrorsForm, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason (required to reject)",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The practice sees it.",
    )


class BaselinePostForm(PlainErrorsForm, forms.ModelForm):
    class Meta:
        model = BaselinePost
        fields = ["pcn", "role", "wte", "start_date", "funded_years", "end_date", "post", "note"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, pcns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pcn"].queryset = pcns.order_by("name")
        self.fields["pcn"].empty_label = None
        if self.instance.pk:
            self.fields["pcn"].disabled = True  # record it again against another PCN instead
        self.fields["role"].queryset = Role.objects.order_by("name")
        self.fields["post"].queryset = (
            Post.objects.filter(
                pcn__in=pcns, in_post_at_baseline=True, transferred_from_national_scheme=False
            )
            .select_related("pcn", "role")
            .order_by("pcn__code", "person_name")
        )
        self.fields["post"].label_from_instance = (
            lambda p: f"{p.person_name}, {p.role.name} ({p.pcn.code})"
        )
        self.fields["post"].empty_label = "Not on the ARRS staff list"
        bound_free_text(self.fields)
