"""ARRS reference data (roles, maximum rates, reimbursement percentages, ARR sum rates) and
the staff in post that PCNs claim for.

Every figure here is a dated row that commissioner staff edit in the admin: nothing about money
is a constant in code (docs/decisions/0002-rates-and-percentages.md).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

# Network Contract DES: staff in the original roles in post on 31 March 2019 are the baseline.
BASELINE_DATE = dt.date(2019, 3, 31)
# Network Contract DES 2024/25: a GP claimed under ARRS must not have been in post at the PCN
# before 1 October 2024.
GP_SCHEME_START = dt.date(2024, 10, 1)


class Unit(models.TextChoices):
    HOURS = "hours", "Hours a week"
    SESSIONS = "sessions", "Sessions a week"


# What 1.0 WTE is in each unit (arrs.md: 37.5 hours; GPs 9 sessions).
FULL_TIME = {Unit.HOURS: Decimal("37.5"), Unit.SESSIONS: Decimal("9")}


class Region(models.TextChoices):
    NATIONAL = "national", "National"
    OUTER_LONDON = "outer_london", "Outer London"
    INNER_LONDON = "inner_london", "Inner London"


class Role(models.Model):
    """An ARRS job role (not what a user may do: that is pcn_admin.access)."""

    code = models.SlugField(max_length=64, unique=True, help_text="Stable code, e.g. gp.")
    name = models.CharField(max_length=200)
    first_reimbursable = models.DateField(help_text="The first day the role could be claimed.")
    afc_band = models.CharField(
        "Agenda for Change band", max_length=40, blank=True, help_text="For example 7-8a."
    )
    unit = models.CharField(
        max_length=10,
        choices=Unit.choices,
        default=Unit.HOURS,
        help_text="How contracted time is recorded: hours (37.5 = 1 WTE) or sessions (9 = 1 WTE).",
    )
    needs_registration = models.BooleanField(
        "needs a professional registration number",
        default=False,
        help_text="GMC, NMC, HCPC or GPhC number required on every post in this role.",
    )
    subcontract_fee_monthly_max = models.DecimalField(
        "sub-contract fee maximum (£ per WTE per month)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Leave empty when a provider's fee cannot be claimed for this role.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_reimbursable", "name"]
        verbose_name = "ARRS role"

    def __str__(self):
        return self.name

    @property
    def full_time(self) -> Decimal:
        return FULL_TIME[Unit(self.unit)]


class LockedRateError(ValidationError):
    pass


class RateQuerySet(models.QuerySet):
    def in_force(self, *, role_code: str, region: str, on: dt.date):
        return self.filter(role__code=role_code, region=region, effective_from__lte=on)


class Rate(models.Model):
    """Maximum reimbursable amount a year for 1.0 WTE, employer NI and pension included.

    It applies from `effective_from` until the next row for the same role, region and band.
    A row a batched claim has used is locked: correct it with a new row dated later.
    """

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="rates")
    region = models.CharField(max_length=20, choices=Region.choices, default=Region.NATIONAL)
    afc_band = models.CharField(
        "Agenda for Change band",
        max_length=10,
        blank=True,
        help_text="Only where the maximum depends on the band (e.g. 5 or 6); empty for any band.",
    )
    effective_from = models.DateField(help_text="Uplifts start on the 1st of a month.")
    annual_max = models.DecimalField(
        "annual maximum (£)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Per 1.0 WTE a year, employer NI and pension included.",
    )
    verified = models.BooleanField(
        default=False, help_text="Checked against the Network Contract DES specification."
    )
    source = models.TextField(blank=True, help_text="Where the figure comes from.")
    locked_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when a batched claim first uses this rate; it cannot change after that.",
    )
    history = HistoricalRecords()

    objects = RateQuerySet.as_manager()

    class Meta:
        ordering = ["role__name", "region", "afc_band", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "region", "afc_band", "effective_from"],
                name="one_rate_per_role_region_band_date",
                violation_error_message=(
                    "There is already a rate for this role, region and band from this date."
                ),
            ),
            models.CheckConstraint(condition=Q(annual_max__gt=0), name="rate_annual_max_positive"),
        ]

    def __str__(self):
        band = f" band {self.afc_band}" if self.afc_band else ""
        return (
            f"{self.role} ({self.get_region_display()}{band}) from {self.effective_from}: "
            f"£{self.annual_max:,}"
        )

    def save(self, *args, **kwargs):
        self._refuse_if_locked("changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_locked("deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def lock(self) -> None:
        """Called by the claim batch service when a batched claim first uses this rate."""
        if self.locked_at is None:
            Rate.objects.filter(pk=self.pk, locked_at__isnull=True).update(locked_at=timezone.now())
            self.refresh_from_db(fields=["locked_at"])

    def _refuse_if_locked(self, action: str) -> None:
        if self.pk and Rate.objects.filter(pk=self.pk, locked_at__isnull=False).exists():
            raise LockedRateError(
                f"This rate has been used by a batched claim and cannot be {action}. "
                "Add a new rate with a later effective date instead."
            )


class ReimbursementPercentage(models.Model):
    """The share of actual cost a PCN may claim for a role, from a date (70%, 50% or 100%)."""

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="percentages")
    effective_from = models.DateField()
    percentage = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="For example 70, 50 or 100.",
    )
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role__name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "effective_from"],
                name="one_percentage_per_role_date",
                violation_error_message=(
                    "There is already a percentage for this role from this date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(percentage__gte=0) & Q(percentage__lte=100),
                name="percentage_between_0_and_100",
            ),
        ]

    def __str__(self):
        return f"{self.role}: {self.percentage}% from {self.effective_from}"


class EntitlementRate(models.Model):
    """£ per weighted patient for a financial year's Additional Roles Reimbursement Sum."""

    year = models.PositiveSmallIntegerField(
        "financial year",
        unique=True,
        validators=[MinValueValidator(2019), MaxValueValidator(2100)],
        help_text="The year it starts: 2024 for 2024/25.",
    )
    per_weighted_patient = models.DecimalField(
        "£ per weighted patient", max_digits=8, decimal_places=3
    )
    gp_per_weighted_patient = models.DecimalField(
        "GP pot: £ per weighted patient",
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="A separate pot for newly qualified GPs (2024/25 only).",
    )
    gp_pot_from = models.DateField(null=True, blank=True)
    gp_pot_to = models.DateField(null=True, blank=True)
    verified = models.BooleanField(default=False)
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gp_per_weighted_patient__isnull=True)
                | (Q(gp_pot_from__isnull=False) & Q(gp_pot_to__gte=F("gp_pot_from"))),
                name="gp_pot_has_its_period",
            ),
        ]

    def __str__(self):
        return f"{self.label}: £{self.per_weighted_patient} per weighted patient"

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    def clean(self):
        if self.gp_per_weighted_patient is not None and not (self.gp_pot_from and self.gp_pot_to):
            raise ValidationError("Give the GP pot's start and end dates, or leave its rate empty.")


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
        choices=Region.choices,
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
        errors: dict[str, str] = {}
        role = self.role if self.role_id else None
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
        if role is None:
            if errors:
                raise ValidationError(errors)
            return
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
        if self.pcn_id and self.employing_practice_id and self.start_date:
            from networks.models import Membership

            members = Membership.objects.filter(
                pcn_id=self.pcn_id, practice_id=self.employing_practice_id
            )
            if not (members.on(self.start_date).exists() or members.current().exists()):
                errors["employing_practice"] = (
                    "This practice is not a member of the PCN. Choose a member practice."
                )
        if errors:
            raise ValidationError(errors)


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
