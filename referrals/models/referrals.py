"""A person's social prescribing episode: the referral, its status path, the link worker's
contacts and onward referrals to services in the directory."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..validators import validate_nhs_number
from .directory import Service
from .fields import NHSNumberField

# SNOMED CT concepts for the message back to the GP record (social-prescribing.md).
SNOMED_REFERRAL_ACCEPTED = "871731000000106"
SNOMED_REFERRAL_DECLINED = "871711000000103"
SNOMED_LABELS = {
    SNOMED_REFERRAL_ACCEPTED: "Referral to social prescribing service",
    SNOMED_REFERRAL_DECLINED: "Social prescribing declined",
}


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
            # The dashboards count a PCN's referrals in a year: 18 ms to 6 ms at national scale;
            # with the id in the index the count needs no table reads: 57 ms to under 5 ms for
            # a commissioner's PCNs among ten years' 5 million referrals (bench/decade.py).
            models.Index(fields=["pcn", "received_on", "id"], name="referral_pcn_received"),
            # The superusers' admin list, newest first, whole and by each of its filters: a page
            # read from an index, not 5 million referrals sorted or walked through for a status
            # few have (bench/bench_lists.py).
            models.Index(fields=["-received_on", "-id"], name="referral_newest_first"),
            models.Index(fields=["status", "-received_on", "-id"], name="referral_status_newest"),
            models.Index(fields=["source", "-received_on", "-id"], name="referral_source_newest"),
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
        return f"Onward referral {self.reference} to {self.service.name}"

    @property
    def reference(self) -> str:
        """What the organisation, the link worker and the person quote: SP-23."""
        return f"SP-{self.pk}"
