"""What social prescribing achieved: wellbeing measurements and anonymised case studies."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .directory import Organisation
from .referrals import Referral


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
        from ..validators import contains_nhs_number

        errors = {}
        if not self.consent_given:
            errors["consent_given"] = "Share a story only when the person has agreed."
        if contains_nhs_number(self.story) or contains_nhs_number(self.title):
            errors["story"] = "Remove the NHS number: case studies must be anonymous."
        if errors:
            raise ValidationError(errors)
