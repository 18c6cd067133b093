"""Forms of the referrals pages; writes still go through services.py."""

import datetime as dt

from django import forms
from django.utils import timezone

from networks.models import Membership, Practice
from pcn_admin.bounds import NOTES_MAX_LENGTH, bound_free_text
from pcn_admin.form_warnings import WarningsForm
from pcn_admin.models import Role, User
from pcn_admin.plain_errors import PlainErrorsForm
from pcn_admin.widgets import DateInput

from .models import (
    ALLOWED_TRANSITIONS,
    ONS4_FIELDS,
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

DATE_INPUT = DateInput()  # ISO values, so saved dates show and round-trip
# The public form's free text: enough for what a person wants the link worker to know.
PUBLIC_TEXT_MAX_LENGTH = 2_000
ADDRESS_MAX_LENGTH = 500


class FreeTextBounded:
    """Model forms: a TextField's form field takes at most NOTES_MAX_LENGTH characters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_free_text(self.fields)


class OwnIds:
    """A form that shares the referral page with others names its fields' ids after itself
    (id_contact-date), where two forms with a `date` would both give id="id_date" and the
    second label would name the first form's box (WCAG 2.2, 1.3.1 and 4.1.2). Only the ids
    change: the names posted stay as they are."""

    id_scope = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_scope}-%s")
        super().__init__(*args, **kwargs)


class ReferralForm(WarningsForm, PlainErrorsForm, FreeTextBounded, forms.ModelForm):
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
        # Today's member practices only (a practice that left is another PCN's now), by name.
        self.fields["practice"].queryset = practices.order_by("name")
        self.fields["practice"].label_from_instance = (
            lambda practice: f"{practice.display_name} ({practice.code})"
        )
        self.fields["source"].queryset = ReferralSource.objects.filter(is_active=True)
        self.fields["reasons"].queryset = ReferralReason.objects.filter(is_active=True)
        self.fields["link_worker"].queryset = User.objects.filter(
            role=Role.LINK_WORKER, pcn=pcn, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["link_worker"].label_from_instance = (
            lambda worker: worker.get_full_name() or worker.username
        )
        self.fields["link_worker"].empty_label = "Not yet: leave it for the new-referrals queue"
        self.fields["consent_given"].required = True
        self.fields["consent_given"].error_messages["required"] = (
            "Confirm the person agrees to be referred; without consent, do not refer."
        )

    def clean_nhs_number(self):
        return normalise_nhs_number(self.cleaned_data["nhs_number"])


class StatusChangeForm(OwnIds, PlainErrorsForm, forms.Form):
    id_scope = "status"

    error_overrides = {
        "to": {
            "required": "Choose the status to move the referral to.",
            "invalid_choice": "Choose a status from the list: the referral cannot move to "
            "that one from where it is.",
        }
    }

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


class ContactForm(OwnIds, PlainErrorsForm, FreeTextBounded, forms.ModelForm):
    id_scope = "contact"

    error_overrides = {
        "duration_minutes": {
            "required": "Enter how long the contact took, in minutes.",
            "invalid": "Enter how long the contact took in whole minutes, for example 30.",
            "min_value": "Enter how long the contact took: 0 minutes or more.",
            "max_value": "Enter %(limit_value)s minutes or fewer. Check the minutes.",
        }
    }

    class Meta:
        model = Contact
        fields = ["date", "kind", "duration_minutes", "notes"]
        widgets = {"date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}


class OnwardReferralForm(OwnIds, PlainErrorsForm, FreeTextBounded, forms.ModelForm):
    id_scope = "onward"

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


ONS4_SCORE_MESSAGES = {
    "invalid": "Enter the score as a whole number from 0 to 10, for example 7.",
    "min_value": "Enter a score from 0 to 10.",
    "max_value": "Enter a score from 0 to 10.",
}


class OutcomeForm(OwnIds, PlainErrorsForm, forms.ModelForm):
    id_scope = "outcome"

    error_overrides = {
        **{name: ONS4_SCORE_MESSAGES for name in ONS4_FIELDS},
        "total": {
            "invalid": "Enter the total as a number, for example 45.",
            "max_digits": "The total must be less than 10,000. Check the score.",
            "max_whole_digits": "The total must be less than 10,000. Check the score.",
        },
    }

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


GP_APPOINTMENT_MESSAGES = {
    "invalid": "Enter the number of GP appointments as a whole number, for example 4.",
    "min_value": "Enter the number of GP appointments: 0 or more.",
    "max_value": "Enter %(limit_value)s GP appointments or fewer. Check the number.",
}


class GPAppointmentsForm(OwnIds, WarningsForm, PlainErrorsForm, forms.ModelForm):
    id_scope = "gp"

    error_overrides = {
        "gp_appointments_before": GP_APPOINTMENT_MESSAGES,
        "gp_appointments_after": GP_APPOINTMENT_MESSAGES,
    }

    class Meta:
        model = Referral
        fields = ["gp_appointments_before", "gp_appointments_after"]


class CaseStudyForm(OwnIds, PlainErrorsForm, FreeTextBounded, forms.ModelForm):
    id_scope = "case_study"

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


class OnwardResponseForm(PlainErrorsForm, forms.Form):
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


# The public form's date of birth: three boxes, day, month and year, in the NHS design
# system's date input pattern (service-manual.nhs.uk/design-system/components/date-input),
# which works for people who know their birthday but not a date picker.
# The page draws the three boxes itself (templates/referrals/_date_of_birth.html).
class DateOfBirthWidget(forms.MultiWidget):
    PARTS = ("day", "month", "year")

    def __init__(self, attrs=None):
        numeric = {"inputmode": "numeric"}
        super().__init__(
            widgets={
                "day": forms.TextInput({**numeric, "autocomplete": "bday-day", "maxlength": 2}),
                "month": forms.TextInput({**numeric, "autocomplete": "bday-month", "maxlength": 2}),
                "year": forms.TextInput({**numeric, "autocomplete": "bday-year", "maxlength": 4}),
            },
            attrs=attrs,
        )

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else id_  # the error summary links to the first box


class DateOfBirthField(forms.Field):
    """Day, month and year typed as numbers, checked with the NHS pattern's messages."""

    widget = DateOfBirthWidget

    def to_python(self, value):
        parts = [str(part or "").strip() for part in (value or ("", "", ""))]
        if not any(parts):
            return None
        missing = [
            name for name, part in zip(DateOfBirthWidget.PARTS, parts, strict=True) if not part
        ]
        if missing:
            raise forms.ValidationError(
                f"Your date of birth must include a {' and a '.join(missing)}.", code="incomplete"
            )
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(
                "Enter your date of birth in numbers, for example 27 3 1960.", code="invalid"
            )
        day, month, year = (int(part) for part in parts)
        if len(parts[2]) != 4:
            raise forms.ValidationError(
                "The year must have 4 numbers, for example 1960.", code="invalid"
            )
        try:
            born = dt.date(year, month, day)
        except ValueError as error:
            raise forms.ValidationError(
                "Your date of birth must be a real date, for example 27 3 1960.", code="invalid"
            ) from error
        if born >= timezone.localdate():
            raise forms.ValidationError("Your date of birth must be in the past.", code="future")
        if born.year < 1900:
            raise forms.ValidationError(
                "Your date of birth must be after 1900. Check the year.", code="invalid"
            )
        return born


class SelfReferralForm(PlainErrorsForm, forms.Form):
    """The public form: asks only what a link worker needs to get in touch."""

    # Spoken to the person filling it in (NHS.UK's error message pattern: "Enter your ...").
    error_overrides = {
        "given_name": {
            "required": "Enter your first name.",
            "max_length": "Your first name must be %(limit_value)d characters or fewer.",
        },
        "family_name": {
            "required": "Enter your last name.",
            "max_length": "Your last name must be %(limit_value)d characters or fewer.",
        },
        "nhs_number": {
            "max_length": "Your NHS number is 10 digits, for example 943 476 5919. Check it.",
        },
        "phone": {"max_length": "Your phone number must be %(limit_value)d characters or fewer."},
        "address": {"max_length": "Your address must be %(limit_value)d characters or fewer."},
        "postcode": {
            "max_length": "Your postcode must be %(limit_value)d characters or fewer, for "
            "example NE61 2DF."
        },
        "preferred_contact_method": {
            "required": "Choose how we should contact you.",
            "invalid_choice": "Choose how we should contact you from the list.",
        },
        "practice": {"invalid_choice": "Choose your GP practice from the list."},
        "reasons": {
            "required": "Choose at least one thing you would like help with.",
            "invalid_choice": "Choose what you would like help with from the list.",
            "invalid_pk_value": "Choose what you would like help with from the list.",
            "invalid_list": "Choose what you would like help with from the list.",
        },
        "what_matters": {
            "max_length": "What you would like us to know must be %(limit_value)d characters "
            "or fewer: it has %(show_value)d."
        },
    }

    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = DateOfBirthField(
        label="Date of birth",
        help_text="For example, 27 3 1960",
        error_messages={"required": "Enter your date of birth."},
    )
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
        # The name as people know it: no ODS code, no register capitals.
        self.fields["practice"].label_from_instance = lambda practice: practice.display_name
        self.fields["reasons"].queryset = ReferralReason.objects.filter(is_active=True)

    def clean_nhs_number(self):
        number = normalise_nhs_number(self.cleaned_data["nhs_number"])
        if number:
            validate_nhs_number(number)
        return number

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
