"""The staff in post that PCNs claim for, and their contracted hours over time."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .reference import Region, Role, Unit

# Network Contract DES: staff in the original roles in post on 31 March 2019 are the baseline.
BASELINE_DATE = dt.date(2019, 3, 31)
# Network Contract DES 2024/25: a GP claimed under ARRS must not have been in post at the PCN
# before 1 October 2024.
GP_SCHEME_START = dt.date(2024, 10, 1)
# Agenda for Change pay bands (NHS Terms and Conditions of Service Handbook, Annex 1). A post is
# on one band; a role's band text may name a range ("7-8a"), a post's may not.
AFC_BANDS = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
AFC_BANDS_TEXT = f"{', '.join(AFC_BANDS[:-1])} or {AFC_BANDS[-1]}"


def normalise_afc_band(value: str) -> str:
    """One spelling of a band: " Band 8A " is "8a"."""
    text = "".join((value or "").split()).lower()
    return text.removeprefix("band")


def afc_band_error(value: str) -> str:
    """Why a post's band is not one band, or "" when it is (or is empty: GPs are not on AfC)."""
    if not value or value in AFC_BANDS:
        return ""
    if any(mark in value for mark in ("-", "/", "to")):
        return f"Enter the one band this post is on, not a range (“{value}”): {AFC_BANDS_TEXT}."
    return (
        f"“{value}” is not an Agenda for Change band. Enter one of {AFC_BANDS_TEXT}, or leave "
        "it empty for a post not on Agenda for Change (GPs)."
    )


class Post(models.Model):
    """One member of staff in an ARRS role at a PCN: what claims are made for."""

    # Identifying fields, scrubbed from copies of the database and kept out of logs.
    PERSONAL_DATA_FIELDS = ("person_name", "registration_number")

    pcn = models.ForeignKey("networks.PCN", on_delete=models.PROTECT, related_name="posts")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="posts")
    person_name = models.CharField("name", max_length=200)
    registration_number = models.CharField(
        "professional registration number",
        max_length=20,
        blank=True,
        help_text="GMC, NMC, HCPC or GPhC number, where the role needs one.",
    )
    employing_practice = models.ForeignKey(
        "networks.Practice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrs_posts",
        help_text="The member practice that employs them.",
    )
    subcontractor_name = models.CharField(
        "sub-contracted provider",
        max_length=200,
        blank=True,
        help_text="Or the organisation supplying them, e.g. a charity supplying link workers.",
    )
    afc_band = models.CharField("Agenda for Change band", max_length=10, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Their last day in post.")
    region = models.CharField(
        "rate region",
        max_length=20,
        choices=[(r.value, r.label) for r in Region if r != Region.LONDON],
        default=Region.NATIONAL,
        help_text="Which maximum rates apply: national, or inner or outer London.",
    )
    in_post_at_baseline = models.BooleanField(
        "in post on 31 March 2019 (baseline)",
        default=False,
        help_text="Baseline staff are not reimbursable.",
    )
    transferred_from_national_scheme = models.BooleanField(
        "transferred from a national pharmacist scheme",
        default=False,
        help_text="Clinical pharmacists only: reimbursable even if in the baseline.",
    )
    cct_date = models.DateField(
        "CCT date",
        null=True,
        blank=True,
        help_text="GPs only: Certificate of Completion of Training.",
    )
    earlier_post_at_pcn = models.BooleanField(
        "in post at the PCN before 1 October 2024",
        default=False,
        help_text="GPs only: a GP already in post at the PCN before then cannot be claimed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["pcn__code", "role__name", "person_name", "start_date"]
        indexes = [
            # The people-over-1.0-WTE check matches posts by registration number or name
            # across the country: 34 ms to 10 ms over ten years' posts (bench/decade.py).
            models.Index(fields=["registration_number"], name="post_registration"),
            models.Index(fields=["person_name"], name="post_person_name"),
            # A commissioner's posts in post in a month, with what that check and the WTE
            # chart read, from the index alone: 66 ms (a scan of every post ever) to 1 ms.
            models.Index(
                fields=[
                    "pcn",
                    "start_date",
                    "end_date",
                    "role",
                    "registration_number",
                    "person_name",
                ],
                name="post_pcn_in_post",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="post_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(employing_practice__isnull=False) & Q(subcontractor_name=""))
                | (Q(employing_practice__isnull=True) & ~Q(subcontractor_name="")),
                name="post_has_one_employer",
            ),
        ]

    def __str__(self):
        return f"{self.person_name}, {self.role} at {self.pcn.code}"

    def save(self, *args, **kwargs):
        # One spelling of a registration number, so one person's posts can be matched.
        self.registration_number = "".join(self.registration_number.split()).upper()
        super().save(*args, **kwargs)

    @property
    def employer(self) -> str:
        return (
            str(self.employing_practice) if self.employing_practice_id else self.subcontractor_name
        )

    @property
    def is_claimable(self) -> bool:
        """Additionality: baseline staff and GPs already at the PCN cannot be claimed."""
        if self.in_post_at_baseline and not self.transferred_from_national_scheme:
            return False
        return not self.earlier_post_at_pcn

    def is_in_post_on(self, date: dt.date) -> bool:
        return self.start_date <= date and (self.end_date is None or self.end_date >= date)

    def clean(self):
        super().clean()
        role = self.role if self.role_id else None
        errors = self._dates_and_employer_errors()
        if role is not None:
            # Checked in this order: a later check may replace an earlier one's message.
            errors.update(self._role_errors(role))
            errors.update(self._gp_errors(role))
            errors.update(self._membership_errors())
        if errors:
            raise ValidationError(errors)

    def _dates_and_employer_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        self.afc_band = normalise_afc_band(self.afc_band)
        band_error = afc_band_error(self.afc_band)
        if band_error:
            errors["afc_band"] = band_error
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date is before the start date. Check both dates."
        if bool(self.employing_practice_id) == bool(self.subcontractor_name.strip()):
            errors["subcontractor_name"] = (
                "Choose the employing member practice or give the sub-contracted provider's "
                "name, not both."
            )
        if self.in_post_at_baseline and self.start_date and self.start_date > BASELINE_DATE:
            errors["in_post_at_baseline"] = (
                "A post that started after 31 March 2019 cannot be in the baseline. "
                "Untick it or correct the start date."
            )
        return errors

    def _role_errors(self, role: Role) -> dict[str, str]:
        errors: dict[str, str] = {}
        exempt = self.in_post_at_baseline or self.transferred_from_national_scheme
        if self.start_date and self.start_date < role.first_reimbursable and not exempt:
            errors["start_date"] = (
                f"{role.name} posts could not be claimed before "
                f"{role.first_reimbursable.day} {role.first_reimbursable:%B %Y}. "
                "Check the start date or the role."
            )
        if role.needs_registration and not self.registration_number.strip():
            errors["registration_number"] = (
                f"A {role.name.lower()} needs a professional registration number. Enter it."
            )
        if self.transferred_from_national_scheme and role.code != "clinical_pharmacist":
            errors["transferred_from_national_scheme"] = (
                "Only clinical pharmacists can transfer from a national pharmacist scheme."
            )
        return errors

    def _gp_errors(self, role: Role) -> dict[str, str]:
        """The CCT date and the earlier-post rule belong to GP posts (counted in sessions)."""
        errors: dict[str, str] = {}
        if role.unit == Unit.SESSIONS:
            if not self.cct_date:
                errors["cct_date"] = "Enter the GP's CCT date."
            elif self.start_date and self.start_date > _add_years(self.cct_date, 2):
                errors["start_date"] = (
                    "A newly qualified GP must start within two years of their CCT date."
                )
        else:
            if self.cct_date:
                errors["cct_date"] = "Only GP posts have a CCT date. Leave it empty."
            if self.earlier_post_at_pcn:
                errors["earlier_post_at_pcn"] = "This applies to GPs only. Untick it."
        return errors

    def _membership_errors(self) -> dict[str, str]:
        if not (self.pcn_id and self.employing_practice_id and self.start_date):
            return {}
        from networks.models import Membership

        members = Membership.objects.filter(
            pcn_id=self.pcn_id, practice_id=self.employing_practice_id
        )
        if members.on(self.start_date).exists() or members.current().exists():
            return {}
        return {
            "employing_practice": (
                "This practice is not a member of the PCN. Choose a member practice."
            )
        }


def _add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


class PostHours(models.Model):
    """Contracted hours a week (sessions for GPs) from a date: a claim month uses the hours in
    force that month, even when the change was recorded later."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="hours")
    effective_from = models.DateField()
    hours = models.DecimalField(
        "hours (or sessions) a week",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["post", "-effective_from"]
        verbose_name = "contracted hours"
        verbose_name_plural = "contracted hours"
        constraints = [
            models.UniqueConstraint(
                fields=["post", "effective_from"],
                name="one_hours_change_per_post_date",
                violation_error_message="The hours already change on this date. Edit that change.",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="post_hours_positive"),
        ]

    def __str__(self):
        return f"{self.hours} from {self.effective_from}"

    def clean(self):
        post = self.post if self.post_id else None
        if post is None or self.hours is None:
            return
        errors = {}
        full_time = post.role.full_time
        if self.hours > full_time:
            unit = "sessions" if post.role.unit == Unit.SESSIONS else "hours"
            errors["hours"] = (
                f"{self.hours} {unit} a week is more than full time ({full_time} {unit}). "
                "Record one post per contract, at most full time."
            )
        if self.effective_from and post.start_date and self.effective_from < post.start_date:
            errors["effective_from"] = "The hours cannot change before the post starts."
        if errors:
            raise ValidationError(errors)
