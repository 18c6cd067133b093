"""Forms of the referrals pages; writes still go through services.py."""

from django import forms
from django.utils import timezone

from networks.models import Membership, Practice
from pcn_admin.bounds import NOTES_MAX_LENGTH, bound_free_text
from pcn_admin.models import Role, User

from .models import (
    ALLOWED_TRANSITIONS,
    CaseStudy,
    Contact,
    OnwardReferral,
    Organisation,
    OutcomeMeasurement,
    Referral,
    ReferralReason,
    ReferralSource,
    Service,
    Status,
)
from .validators import normalise_nhs_number, validate_nhs_number

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
# The public form's free text: enough for what a person wants the link worker to know.
PUBLIC_TEXT_MAX_LENGTH = 2_000
ADDRESS_MAX_LENGTH = 500


class FreeTextBounded:
    """Model forms: a TextField's form field takes at most NOTES_MAX_LENGTH characters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_free_text(self.fields)


class ReferralForm(FreeTextBounded, forms.ModelForm):
    class Meta:
        model = Referral
        fields = [
            "given_name",
            "family_name",
            "nhs_number",
            "date_of_birth",
            "phone",
            "email",
            "address",
            "postcode",
            "preferred_contact_method",
            "practice",
            "source",
            "referrer_name",
            "reasons",
            "what_matters",
            "link_worker",
            "consent_given",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "reasons": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
            "what_matters": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"nhs_number": "10 digits, for example 943 476 5919. Leave empty if unknown."}

    def __init__(self, *args, pcn, practices, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pcn = pcn
        self.fields["practice"].queryset = practices.order_by("name")
        self.fields["source"].queryset = ReferralSource.objects.filter(is_active=True)
        self.fields["reasons"].queryset = ReferralReason.objects.filter(is_active=True)
        self.fields["link_worker"].queryset = User.objects.filter(
            role=Role.LINK_WORKER, pcn=pcn, is_active=True
        )
        self.fields["consent_given"].required = True
        self.fields["consent_given"].error_messages["required"] = (
            "Confirm the person agrees to be referred; without consent, do not refer."
        )

    def clean_nhs_number(self):
        return normalise_nhs_number(self.cleaned_data["nhs_number"])


class StatusChangeForm(forms.Form):
    to = forms.ChoiceField(label="Move to")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTES_MAX_LENGTH
    )
    outcome = forms.ChoiceField(
        choices=[("", "Choose the outcome")] + Referral.Outcome.choices,
        required=False,
        help_text="Needed when closing.",
    )
    closure_notes = forms.CharField(
        label="Closing summary for the message to the GP",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTES_MAX_LENGTH,
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS[Status(referral.status)]
        self.fields["to"].choices = [(s.value, s.label) for s in Status if s in allowed]


class ContactForm(FreeTextBounded, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["date", "kind", "duration_minutes", "notes"]
        widgets = {"date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}


class OnwardReferralForm(FreeTextBounded, forms.ModelForm):
    class Meta:
        model = OnwardReferral
        fields = ["service", "consent_to_share", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = (
            Service.objects.filter(is_active=True)
            .exclude(capacity=Service.Capacity.CLOSED)
            .select_related("organisation")
        )


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = OutcomeMeasurement
        fields = [
            "instrument",
            "time_point",
            "date",
            "self_completed",
            "life_satisfaction",
            "worthwhile",
            "happy",
            "anxious",
            "total",
        ]
        widgets = {"date": DATE_INPUT}


class GPAppointmentsForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["gp_appointments_before", "gp_appointments_after"]


class CaseStudyForm(FreeTextBounded, forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = ["title", "story", "organisation", "consent_given"]
        widgets = {"story": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.all()
        self.fields["consent_given"].required = True
        self.fields["consent_given"].error_messages["required"] = (
            "Share a story only when the person has agreed."
        )


class OnwardResponseForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")], widget=forms.RadioSelect
    )
    decline_reason = forms.CharField(
        label="Why you cannot take this person",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        help_text="Needed when declining, so the link worker can find something else.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("decline_reason", "").strip():
            self.add_error(
                "decline_reason",
                "Say why you cannot take this person, so the link worker can find them "
                "something else.",
            )
        return cleaned


class SelfReferralForm(forms.Form):
    """The public form: asks only what a link worker needs to get in touch."""

    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = forms.DateField(widget=DATE_INPUT, help_text="For example 27 3 1960.")
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=20,
        help_text="10 digits, on letters from the NHS or in the NHS App.",
    )
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(required=False, max_length=254)
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=ADDRESS_MAX_LENGTH
    )
    postcode = forms.CharField(max_length=10, required=False)
    preferred_contact_method = forms.ChoiceField(
        label="How should we contact you?", choices=Referral.ContactMethod.choices
    )
    practice = forms.ModelChoiceField(
        label="Your GP practice",
        queryset=Practice.objects.none(),
        empty_label="Choose your GP practice",
    )
    reasons = forms.ModelMultipleChoiceField(
        label="What would you like help with?",
        queryset=ReferralReason.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    what_matters = forms.CharField(
        label="Anything else you would like us to know (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=PUBLIC_TEXT_MAX_LENGTH,
    )
    consent_given = forms.BooleanField(
        label="I agree to a social prescribing link worker at my GP practice contacting me",
        error_messages={"required": "Tick the box to agree to a link worker contacting you."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Membership.objects.current().values("practice_id")
        self.fields["practice"].queryset = Practice.objects.filter(
            pk__in=current, status=Practice.Status.ACTIVE
        ).order_by("name")
        self.fields["reasons"].queryset = ReferralReason.objects.filter(is_active=True)

    def clean_nhs_number(self):
        number = normalise_nhs_number(self.cleaned_data["nhs_number"])
        if number:
            validate_nhs_number(number)
        return number

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate():
            raise forms.ValidationError("Your date of birth must be in the past.")
        return born

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("preferred_contact_method")
        if method in ("phone", "text") and not cleaned.get("phone"):
            self.add_error("phone", "Give a phone number so we can contact you as you asked.")
        if method == "email" and not cleaned.get("email"):
            self.add_error("email", "Give an email address so we can contact you as you asked.")
        if method == "letter" and not cleaned.get("address"):
            self.add_error("address", "Give your address so we can write to you as you asked.")
        return cleaned
