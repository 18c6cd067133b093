"""Forms for PCN development: opening a round, one domain of an assessment, the system's view of
one domain, and one line of the prospectus checklist. The rules live in maturity.services; a
form's job is to read what was typed and keep it when a service refuses it."""

from django import forms
from django.core.exceptions import ValidationError

from networks.models import PCN, Commissioner
from pcn_admin.bounds import NOTES_MAX_LENGTH
from pcn_admin.plain_errors import PlainErrorsForm
from pcn_admin.widgets import DateInput

from .models import Domain, ExpectationStatus, MatrixVersion

TEXTAREA = {"rows": 4}


class RoundForm(PlainErrorsForm, forms.Form):
    commissioner = forms.ModelChoiceField(
        label="Commissioner",
        queryset=Commissioner.objects.none(),
        help_text="The area whose PCNs take part.",
    )
    name = forms.CharField(
        label="Name of the round",
        max_length=200,
        help_text="For example: Baseline self-assessment, autumn 2019.",
    )
    date = forms.DateField(
        label="Date of the round",
        widget=DateInput(),
        help_text="The date the assessments describe. The first round a PCN submits in is its "
        "baseline.",
    )
    matrix_version = forms.ModelChoiceField(
        label="Maturity matrix version",
        queryset=MatrixVersion.objects.none(),
        empty_label=None,
        help_text="The version PCNs assess themselves against. A version not yet confirmed "
        "against the published matrix is marked unverified.",
    )
    pcns = forms.ModelMultipleChoiceField(
        label="PCNs taking part",
        queryset=PCN.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each gets a draft assessment for its clinical director to complete.",
    )

    def __init__(self, *args, commissioners, pcns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commissioner"].queryset = commissioners
        if commissioners.count() == 1:
            # Commissioner staff open rounds for their own area only.
            self.fields["commissioner"].initial = commissioners.get()
            self.fields["commissioner"].widget = forms.HiddenInput()
        versions = MatrixVersion.objects.filter(status=MatrixVersion.Status.IN_USE)
        self.fields["matrix_version"].queryset = versions
        self.fields["matrix_version"].label_from_instance = lambda v: (
            v.name if v.verified else f"{v.name} (unverified)"
        )
        self.fields["pcns"].queryset = pcns.filter(close_date__isnull=True).order_by("code")
        self.fields["pcns"].label_from_instance = lambda p: f"{p.code} {p.name}"


class StageField(forms.ChoiceField):
    """The stages of one matrix version, read once for every domain's field: cleans to the
    Stage (or None). A stage of another version is not offered, and is refused if sent."""

    def __init__(self, *, stages=(), blank_label: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.set_stages(stages, blank_label)

    def set_stages(self, stages, blank_label: str | None = None) -> None:
        self.stages = {str(stage.pk): stage for stage in stages}
        blank = [("", blank_label)] if blank_label else []
        self.choices = blank + [(pk, stage.name) for pk, stage in self.stages.items()]

    def clean(self, value):
        value = super().clean(value)
        return self.stages.get(str(value)) if value else None


class RatingForm(PlainErrorsForm, forms.Form):
    """One domain of an assessment: its stage (only the round's version's stages are offered),
    evidence and next steps."""

    stage = StageField(label="Stage", required=False, widget=forms.RadioSelect)
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="What shows the PCN is at this stage.",
    )
    next_steps = forms.CharField(
        label="Next steps",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="What the PCN will do to reach the next stage.",
    )

    def __init__(self, *args, domain: Domain, stages, **kwargs):
        super().__init__(*args, prefix=f"domain-{domain.pk}", **kwargs)
        self.domain = domain
        stage = self.fields["stage"]
        stage.set_stages(stages)
        stage.label = f"Stage for {domain.name}"
        names = ", ".join(s.name for s in stages)
        stage.error_messages["invalid_choice"] = (
            f"Choose a stage of {domain.version.name} for {domain.name}: one of {names}."
        )


class SystemViewForm(PlainErrorsForm, forms.Form):
    system_view = forms.CharField(
        label="The system's view of this PCN",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How the commissioner sees the PCN's development overall.",
    )


class SystemRatingForm(PlainErrorsForm, forms.Form):
    stage = StageField(label="Stage in the system's view", required=False)
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, domain: Domain, stages, **kwargs):
        super().__init__(*args, prefix=f"domain-{domain.pk}", **kwargs)
        self.domain = domain
        self.fields["stage"].set_stages(stages, blank_label="Not given")
        self.fields["stage"].label = f"Stage for {domain.name} in the system's view"
        self.fields["comment"].label = f"Comment on {domain.name}"
        names = ", ".join(s.name for s in stages)
        self.fields["stage"].error_messages["invalid_choice"] = (
            f"Choose a stage of {domain.version.name} for {domain.name}: one of {names}."
        )


class ExpectationForm(PlainErrorsForm, forms.Form):
    """One line of the prospectus checklist."""

    status = forms.ChoiceField(label="Status", choices=ExpectationStatus.Status.choices)
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    date = forms.DateField(
        label="Date",
        required=False,
        widget=DateInput(),
        help_text="When it was met, or last checked.",
    )

    def __init__(self, *args, expectation, **kwargs):
        super().__init__(*args, prefix=f"expectation-{expectation.pk}", **kwargs)
        self.expectation = expectation
        for name in ("status", "evidence", "date"):
            field = self.fields[name]
            field.label = f"{field.label}: {expectation.text}"


def add_prefixed_errors(forms_by_prefix: dict, error: ValidationError, page_errors: list) -> None:
    """A service's refusal, keyed "domain-<id>-<field>", shown on the field of the form with
    that prefix; anything else at the top of the page."""
    if not hasattr(error, "error_dict"):
        page_errors.extend(error.messages)
        return
    for key, messages in error.message_dict.items():
        prefix, _, name = key.rpartition("-")
        form = forms_by_prefix.get(prefix)
        if form is not None and name in form.fields:
            form.add_error(name, messages)
        else:
            page_errors.extend(messages)
