"""Forms for workforce plans: start a plan, try or save a change to a planned post, and record
who filled a planned post. They collect what was typed; the rules are on the models and in
services.py, whose refusals are shown on the fields they concern."""

from django import forms

from networks.models import Membership, Practice
from pcn_admin.dates import year_label
from pcn_admin.plain_errors import PlainErrorsForm
from pcn_admin.widgets import DateInput
from reimbursement.forms import MonthField
from roles.models import AFC_BANDS_TEXT, Post, Role, Unit

from .models import PlannedPost, WorkforcePlan


class PlanStartForm(PlainErrorsForm, forms.Form):
    pcn = forms.ModelChoiceField(
        label="PCN", queryset=None, empty_label=None, help_text="The PCN planning."
    )
    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        choices=(),
        help_text="Each PCN submits one plan a year. The plan starts from the staff in post "
        "in the year; change it, then submit it to your commissioner.",
    )

    def __init__(self, *args, pcns, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pcn"].queryset = pcns
        self.fields["year"].choices = [(year, year_label(year)) for year in years]


class PlannedPostForm(PlainErrorsForm, forms.ModelForm):
    """One planned post as typed: "Try this change" prices it without saving, "Save to plan"
    saves it. Both read these fields and the model's checks, so they refuse the same input."""

    start_month = MonthField(
        label="Start month", help_text="The first month in post, for example 2025-06."
    )
    end_month = MonthField(
        label="Last month",
        required=False,
        help_text="Leave empty for a post continuing past 31 March.",
    )

    class Meta:
        model = PlannedPost
        fields = ["role", "hours", "afc_band", "region", "start_month", "end_month", "note"]
        labels = {"hours": "Hours a week (sessions for GPs)"}
        help_texts = {
            "afc_band": f"One band: {AFC_BANDS_TEXT}. Needed where the role's maximum depends "
            "on the band (general practice nurses); leave empty for GPs.",
        }

    def __init__(self, *args, plan: WorkforcePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["role"].queryset = Role.objects.order_by("name")
        self.fields["role"].empty_label = "Choose a role"
        for name in ("start_month", "end_month"):
            self.fields[name].widget.attrs.update(
                {"min": f"{plan.first_month:%Y-%m}", "max": f"{plan.last_month:%Y-%m}"}
            )
        self.fields["hours"].widget.attrs.update({"inputmode": "decimal"})


class RecruitForm(PlainErrorsForm, forms.ModelForm):
    """Who filled a planned post: the post in post takes the plan's role, hours, band and
    region, and these details."""

    class Meta:
        model = Post
        fields = [
            "person_name",
            "registration_number",
            "employing_practice",
            "subcontractor_name",
            "start_date",
            "cct_date",
        ]
        widgets = {"start_date": DateInput(), "cct_date": DateInput()}

    def __init__(self, *args, planned: PlannedPost, **kwargs):
        plan = planned.plan
        instance = Post(
            pcn=plan.pcn,
            role=planned.role,
            afc_band=planned.afc_band,
            region=planned.region,
        )
        kwargs.setdefault("initial", {"start_date": planned.start_month})
        super().__init__(*args, instance=instance, **kwargs)
        members = Membership.objects.current().filter(pcn=plan.pcn).values("practice_id")
        self.fields["employing_practice"].queryset = Practice.objects.filter(
            pk__in=members
        ).order_by("name")
        if planned.role.unit != Unit.SESSIONS:
            del self.fields["cct_date"]  # GPs only
