"""Social prescribing: the community directory, referrals, contacts, outcomes and the audit log.

Models holding personal data list their identifying fields in PERSONAL_DATA_FIELDS so they can
be scrubbed from copies of the database and kept out of logs and commissioner-facing pages.
"""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .validators import normalise_nhs_number, validate_nhs_number

# SNOMED CT concepts for the message back to the GP record (social-prescribing.md).
SNOMED_REFERRAL_ACCEPTED = "871731000000106"
SNOMED_REFERRAL_DECLINED = "871711000000103"
SNOMED_LABELS = {
    SNOMED_REFERRAL_ACCEPTED: "Referral to social prescribing service",
    SNOMED_REFERRAL_DECLINED: "Social prescribing declined",
}

# A directory entry not checked for six months may be out of date.
REVIEW_INTERVAL_DAYS = 183


class NHSNumberField(models.CharField):
    """Stores the ten digits alone, whatever spaces or hyphens were typed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_nhs_number(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        # People type the number with spaces: let the form take them and normalise, rather
        # than refuse "943 476 5919" as too long.
        return super().formfield(**{"form_class": NHSNumberFormField, "max_length": None, **kwargs})


class NHSNumberFormField(forms.CharField):
    def to_python(self, value):
        return normalise_nhs_number(super().to_python(value))


class Organisation(models.Model):
    """A charity, community group or statutory service in the social prescribing directory."""

    class Kind(models.TextChoices):
        CHARITY = "charity", "Charity"
        COMMUNITY_GROUP = "community_group", "Community group"
        STATUTORY = "statutory", "Statutory service"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CHARITY)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    charity_number = models.CharField(
        max_length=20, blank=True, help_text="Registered charity number, if any."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Taxonomy(models.Model):
    """A vocabulary of service categories, served as-is by the Open Referral UK feed."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "name"], name="taxonomy_term_unique_name")
        ]

    def __str__(self):
        return self.name


class Service(models.Model):
    """What an organisation offers, who it can take and how to refer to it."""

    class Capacity(models.TextChoices):
        OPEN = "open", "Open to referrals"
        WAITING_LIST = "waiting_list", "Waiting list"
        CLOSED = "closed", "Closed to referrals"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField("what we offer")
    not_offered = models.TextField(
        "what we do not offer", blank=True, help_text="Say plainly what people should not expect."
    )
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    conditions = models.TextField(
        "who we can take",
        blank=True,
        help_text="Conditions or needs you can support, and any you cannot.",
    )
    areas_served = models.CharField(
        max_length=300, blank=True, help_text="Towns or areas, for example Blyth, Cramlington."
    )
    must_be_accompanied_by_carer = models.BooleanField(
        "must be accompanied by a carer", default=False
    )
    how_to_refer = models.TextField(blank=True)
    surgery_attendance = models.CharField(
        "when we attend a surgery",
        max_length=300,
        blank=True,
        help_text="For example: Seaton Park Medical Group, first Tuesday of the month, 10am-12pm.",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    venue_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    capacity = models.CharField(max_length=20, choices=Capacity.choices, default=Capacity.OPEN)
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    last_reviewed = models.DateField(
        default=dt.date.today, help_text="When the organisation last checked these details."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(maximum_age__gte=F("minimum_age")),
                name="service_age_range_in_order",
                violation_error_message="The maximum age must not be below the minimum age.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation.name})"

    @property
    def review_overdue(self) -> bool:
        return (timezone.localdate() - self.last_reviewed).days > REVIEW_INTERVAL_DAYS

    def clean(self):
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.maximum_age < self.minimum_age
        ):
            raise ValidationError(
                {"maximum_age": "The maximum age must not be below the minimum age."}
            )


class ReferenceItem(models.Model):
    """Editable reference lists: retire an entry rather than delete it (referrals use it)."""

    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReferralSource(ReferenceItem):
    SELF_REFERRAL = "Self referral"


class ReferralReason(ReferenceItem):
    pass


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    CONTACTED = "contacted", "Contacted"
    ASSESSMENT = "assessment", "Assessment"
    PLAN_AGREED = "plan_agreed", "Plan agreed"
    CONNECTED = "connected", "Connected"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    DID_NOT_ENGAGE = "did_not_engage", "Did not engage"


OPEN_STATUSES = (
    Status.RECEIVED,
    Status.CONTACTED,
    Status.ASSESSMENT,
    Status.PLAN_AGREED,
    Status.CONNECTED,
)
ENDED_STATUSES = (Status.CLOSED, Status.DECLINED, Status.DID_NOT_ENGAGE)

# The episode moves forward one step at a time; the person may decline or stop engaging at
# any point before they are connected.
ALLOWED_TRANSITIONS = {
    Status.RECEIVED: {Status.CONTACTED, Status.DECLINED, Status.DID_NOT_ENGAGE},
    Status.CONTACTED: {Status.ASSESSMENT, Status.DECLINED, Status.DID_NOT_ENGAGE},
    Status.ASSESSMENT: {Status.PLAN_AGREED, Status.DECLINED, Status.DID_NOT_ENGAGE},
    Status.PLAN_AGREED: {
        Status.CONNECTED,
        Status.CLOSED,
        Status.DECLINED,
        Status.DID_NOT_ENGAGE,
    },
    Status.CONNECTED: {Status.CLOSED, Status.DID_NOT_ENGAGE},
    Status.CLOSED: set(),
    Status.DECLINED: set(),
    Status.DID_NOT_ENGAGE: set(),
}


class Referral(models.Model):
    """One person's episode with a link worker, from referral to closure."""

    PERSONAL_DATA_FIELDS = (
        "given_name",
        "family_name",
        "nhs_number",
        "date_of_birth",
        "email",
        "phone",
        "address",
        "postcode",
        "what_matters",
        "closure_notes",
        "referrer_name",
    )

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    class Outcome(models.TextChoices):
        NEEDS_MET = "needs_met", "What mattered was addressed"
        PARTLY_MET = "partly_met", "Partly addressed"
        CONNECTED_ONGOING = "connected_ongoing", "Connected to ongoing support"
        REFERRED_ELSEWHERE = "referred_elsewhere", "Referred to another service"
        MOVED_AWAY = "moved_away", "Moved away or changed practice"
        DIED = "died", "Died"
        OTHER = "other", "Other"

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    nhs_number = NHSNumberField("NHS number", blank=True, validators=[validate_nhs_number])
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    preferred_contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    practice = models.ForeignKey(
        "networks.Practice",
        on_delete=models.PROTECT,
        related_name="social_prescribing_referrals",
        verbose_name="registered practice",
    )
    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="referrals", verbose_name="PCN"
    )
    source = models.ForeignKey(ReferralSource, on_delete=models.PROTECT, related_name="referrals")
    referrer_name = models.CharField(
        max_length=200, blank=True, help_text="Who referred, for example Dr A Patel, Blyth MC."
    )
    reasons = models.ManyToManyField(ReferralReason, related_name="referrals")
    what_matters = models.TextField("what matters to the person", blank=True)
    consent_given = models.BooleanField(
        "the person consents to this referral",
        default=False,
        help_text="A referral is made only with the person's agreement.",
    )
    link_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
        limit_choices_to={"role": "link_worker"},
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField(default=dt.date.today)
    gp_code = models.CharField(
        "SNOMED CT code for the GP record",
        max_length=20,
        blank=True,
        choices=[(code, label) for code, label in SNOMED_LABELS.items()],
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    closure_notes = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    gp_appointments_before = models.PositiveSmallIntegerField(
        "GP appointments in the six months before referral", null=True, blank=True
    )
    gp_appointments_after = models.PositiveSmallIntegerField(
        "GP appointments in the six months after referral", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for self-referrals.",
    )
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the identifying details were removed at the end of the retention period.",
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(consent_given=True), name="referral_has_consent"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""),
                name="closed_referral_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["pcn", "status"]),
            # The dashboards count a PCN's referrals in a year: 18 ms to 6 ms at national scale.
            models.Index(fields=["pcn", "received_on"]),
        ]

    def __str__(self):
        # Deliberately no name: str() ends up in logs, admin history and error reports.
        return f"Referral {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def clean(self):
        errors = {}
        if not self.consent_given:
            errors["consent_given"] = (
                "Confirm the person agrees to be referred; without consent, do not refer."
            )
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = "The date of birth must be in the past."
        if self.link_worker_id:
            worker = self.link_worker
            if worker.role != "link_worker" or worker.pcn_id != self.pcn_id:
                errors["link_worker"] = "Choose a link worker of this referral's PCN."
        if self.status == Status.CLOSED and not self.outcome:
            errors["outcome"] = "Record the outcome before closing the referral."
        if errors:
            raise ValidationError(errors)


class ReferralStatusChange(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    PERSONAL_DATA_FIELDS = ("note",)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.from_status or 'new'} to {self.to_status}"


class Contact(models.Model):
    """One contact between the link worker and the person."""

    class Kind(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        HOME_VISIT = "home_visit", "Home visit"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video call"
        MESSAGE = "message", "Text or email"
        ATTEMPTED = "attempted", "Attempted, no answer"

    PERSONAL_DATA_FIELDS = ("notes",)

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField(default=dt.date.today)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", validators=[MaxValueValidator(600)]
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.date}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "A contact cannot be in the future."})


class OnwardReferral(models.Model):
    """The link worker refers the person on to a service in the directory."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting reply"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    PERSONAL_DATA_FIELDS = ("message", "decline_reason")

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="onward_referrals"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    consent_to_share = models.BooleanField(
        "the person agrees to share their details with this organisation",
        default=False,
        help_text=(
            "Without consent the organisation sees only a reference and the person contacts "
            "them directly."
        ),
    )
    message = models.TextField(
        blank=True, help_text="What the organisation needs to know (shared only with consent)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decline_reason = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="declined_onward_referral_has_reason",
            ),
            models.UniqueConstraint(
                fields=["referral", "service"],
                condition=Q(status="pending"),
                name="one_pending_onward_referral_per_service",
                violation_error_message="This person already has a referral waiting with "
                "this service.",
            ),
        ]

    def __str__(self):
        return f"Onward referral {self.pk} to {self.service.name}"


class Instrument(models.TextChoices):
    ONS4 = "ons4", "ONS4 personal wellbeing"
    WEMWBS = "wemwbs", "WEMWBS (licensed)"
    SWEMWBS = "swemwbs", "SWEMWBS (licensed)"
    MYCAW = "mycaw", "MYCaW (licensed)"
    PAM = "pam", "PAM (proprietary)"


ONS4_FIELDS = ("life_satisfaction", "worthwhile", "happy", "anxious")


def _score_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )


class OutcomeMeasurement(models.Model):
    """A wellbeing measurement. ONS4's four answers stay separate, never summed; licensed
    instruments keep only the total a licensed user entered, as their scoring is not ours."""

    class TimePoint(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        FOLLOW_UP = "follow_up", "Follow-up"
        DISCHARGE = "discharge", "Discharge"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="outcomes")
    instrument = models.CharField(max_length=10, choices=Instrument.choices, default="ons4")
    time_point = models.CharField(max_length=10, choices=TimePoint.choices)
    date = models.DateField(default=dt.date.today)
    self_completed = models.BooleanField(
        default=True, help_text="Untick if the link worker helped complete it."
    )
    life_satisfaction = _score_field("satisfied with life nowadays (0-10)")
    worthwhile = _score_field("things done in life are worthwhile (0-10)")
    happy = _score_field("happy yesterday (0-10)")
    anxious = _score_field("anxious yesterday (0-10)")
    total = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For licensed instruments: the total as scored by a licensed user.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        instrument="ons4",
                        total__isnull=True,
                        life_satisfaction__isnull=False,
                        worthwhile__isnull=False,
                        happy__isnull=False,
                        anxious__isnull=False,
                    )
                    | (
                        ~Q(instrument="ons4")
                        & Q(
                            total__isnull=False,
                            life_satisfaction__isnull=True,
                            worthwhile__isnull=True,
                            happy__isnull=True,
                            anxious__isnull=True,
                        )
                    )
                ),
                name="outcome_scores_match_instrument",
            ),
            models.CheckConstraint(
                condition=Q(life_satisfaction__lte=10, worthwhile__lte=10, happy__lte=10)
                & Q(anxious__lte=10)
                | Q(instrument__in=["wemwbs", "swemwbs", "mycaw", "pam"]),
                name="ons4_scores_at_most_ten",
            ),
        ]

    def __str__(self):
        return f"{self.get_instrument_display()} {self.get_time_point_display()} {self.date}"

    def clean(self):
        errors = {}
        if self.instrument == Instrument.ONS4:
            for field in ONS4_FIELDS:
                if getattr(self, field) is None:
                    errors[field] = "Enter a score from 0 to 10."
            if self.total is not None:
                errors["total"] = "Leave the total empty for ONS4: its four scores stay separate."
        else:
            if self.total is None:
                errors["total"] = "Enter the total as scored by a licensed user."
            for field in ONS4_FIELDS:
                if getattr(self, field) is not None:
                    errors[field] = "Leave the ONS4 scores empty for this instrument."
        if errors:
            raise ValidationError(errors)


class CaseStudy(models.Model):
    """An anonymised story of what social prescribing did for someone, shared with consent."""

    pcn = models.ForeignKey("networks.PCN", on_delete=models.PROTECT, related_name="case_studies")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_studies",
        help_text="The organisation the story is about, if any.",
    )
    title = models.CharField(max_length=200)
    story = models.TextField(
        help_text="Leave out names, addresses, dates of birth and anything that identifies them."
    )
    consent_given = models.BooleanField(
        "the person agreed to their anonymised story being shared", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "case studies"
        constraints = [
            models.CheckConstraint(condition=Q(consent_given=True), name="case_study_has_consent")
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from .validators import contains_nhs_number

        errors = {}
        if not self.consent_given:
            errors["consent_given"] = "Share a story only when the person has agreed."
        if contains_nhs_number(self.story) or contains_nhs_number(self.title):
            errors["story"] = "Remove the NHS number: case studies must be anonymous."
        if errors:
            raise ValidationError(errors)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Append-only: who viewed or changed an identifiable record, and when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Shown in a list"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Downloaded or printed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=100)
    record_id = models.CharField(max_length=50)
    at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=200, blank=True, help_text="Never personal data.")

    # The user's name at the time, which a scrubbed copy must not keep either.
    PERSONAL_DATA_FIELDS = ("username",)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "record_id"])]

    def __str__(self):
        return f"{self.username or 'anonymous'} {self.action} {self.model} {self.record_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")
