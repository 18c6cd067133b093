"""ARRS reference data: the roles, their maximum rates and reimbursement percentages, and the
ARR sum's rate per weighted patient.

Every figure here is a dated row that national administrators edit (commissioner staff read
them): nothing about money is a constant in code (docs/decisions/0002-rates-and-percentages.md).
Each figure says where it comes from (`Provenance`, arrs.md) so a user can tell a published
maximum from one we derived.
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


class Unit(models.TextChoices):
    HOURS = "hours", "Hours a week"
    SESSIONS = "sessions", "Sessions a week"


# What 1.0 WTE is in each unit (arrs.md: 37.5 hours; GPs 9 sessions).
FULL_TIME = {Unit.HOURS: Decimal("37.5"), Unit.SESSIONS: Decimal("9")}


class Region(models.TextChoices):
    NATIONAL = "national", "National"
    OUTER_LONDON = "outer_london", "Outer London"
    INNER_LONDON = "inner_london", "Inner London"
    # GPs have one London figure with no inner/outer split (arrs.md).
    LONDON = "london", "London (inner and outer)"


# Where a post's region finds its figure: an inner or outer London post takes a London-wide
# figure (GPs) when its own region has none. Never the national figure: that would under-pay a
# London post without a word (decision 0002); the gap shows on the coverage page instead.
REGION_FALLBACK = {
    Region.NATIONAL: (Region.NATIONAL,),
    Region.OUTER_LONDON: (Region.OUTER_LONDON, Region.LONDON),
    Region.INNER_LONDON: (Region.INNER_LONDON, Region.LONDON),
    Region.LONDON: (Region.LONDON,),
}


class Provenance(models.TextChoices):
    """arrs.md: how much each figure can be trusted."""

    PUBLISHED = "published", "Published"
    PUBLISHED_DATE_INFERRED = "published-date-inferred", "Published (start date inferred)"
    DERIVED_BAND = "derived-band", "Derived from the same band"
    DERIVED_UPLIFT = "derived-uplift", "Derived by a pay award"

    @classmethod
    def is_derived(cls, value: str) -> bool:
        return value in (cls.DERIVED_BAND, cls.DERIVED_UPLIFT)


class ProvenanceLabels:
    """How a figure's `provenance` reads, for a stored figure or one a calculation used."""

    provenance: str

    @property
    def is_derived(self) -> bool:
        return Provenance.is_derived(self.provenance)

    @property
    def provenance_label(self) -> str:
        return Provenance(self.provenance).label


class Sourced(ProvenanceLabels, models.Model):
    """A reference figure's provenance and basis, and who confirmed a derived one."""

    provenance = models.CharField(
        max_length=30,
        choices=Provenance.choices,
        default=Provenance.PUBLISHED,
        help_text="Published, or derived (from a role on the same band, or by a pay award).",
    )
    basis = models.TextField(
        blank=True, help_text="The source of the figure, or how it was derived and from what."
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="Who confirmed a derived figure against the published one.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


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
    def current(self):
        """Rows not superseded by a pay award of the same date."""
        return self.filter(superseded_by__isnull=True)

    def in_force(self, *, role_code: str, region: str, on: dt.date):
        return self.current().filter(role__code=role_code, region=region, effective_from__lte=on)


# The fields that decide what a line is paid: once a batched claim has used a rate, none of them
# may change (its provenance may still be confirmed, and a pay award may supersede it).
LOCKED_FIELDS = ("role_id", "region", "afc_band", "effective_from", "annual_max")


class Rate(Sourced):
    """Maximum reimbursable amount a year for 1.0 WTE, employer NI and pension included.

    It applies from `effective_from` until the next row for the same role, region and band.
    The band says which Agenda for Change band the figure is for; it chooses between rows only
    where a role has figures for more than one band on the same date. A row a batched claim has
    used is locked: correct it with a new row dated later.
    """

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="rates")
    region = models.CharField(max_length=20, choices=Region.choices, default=Region.NATIONAL)
    afc_band = models.CharField(
        "Agenda for Change band",
        max_length=10,
        blank=True,
        help_text=(
            "The band the figure is for (e.g. 7-8a). A post's band matters only where the role "
            "has figures for more than one band from the same date (e.g. 5 and 6)."
        ),
    )
    effective_from = models.DateField(help_text="Uplifts start on the 1st of a month.")
    annual_max = models.DecimalField(
        "annual maximum (£)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Per 1.0 WTE a year, employer NI and pension included.",
    )
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        editable=False,
        help_text="A pay award of the same date that replaced this figure; kept for the history.",
    )
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
                condition=Q(superseded_by__isnull=True),
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

    @property
    def summary(self) -> str:
        """The figure as claim pages name it: "Maximum £69,410 a year from 1 April 2025"."""
        amount = self.annual_max
        pounds = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
        where = "" if self.region == Region.NATIONAL else f" for {self.get_region_display()}"
        start = self.effective_from
        return f"Maximum £{pounds} a year{where} from {start.day} {start:%B %Y}"

    @property
    def provenance_text(self) -> str:
        """Where the figure comes from, to follow the summary: "derived by a pay award"."""
        label = self.get_provenance_display()
        return label[:1].lower() + label[1:]

    def lock(self) -> None:
        """Called by the claim batch service when a batched claim first uses this rate."""
        if self.locked_at is None:
            Rate.objects.filter(pk=self.pk, locked_at__isnull=True).update(locked_at=timezone.now())
            self.refresh_from_db(fields=["locked_at"])

    def _refuse_if_locked(self, action: str) -> None:
        if not self.pk:
            return
        stored = Rate.objects.filter(pk=self.pk, locked_at__isnull=False).values(*LOCKED_FIELDS)
        stored = stored.first()
        if stored is None:
            return
        if action == "changed" and all(stored[f] == getattr(self, f) for f in LOCKED_FIELDS):
            return
        raise LockedRateError(
            f"This rate has been used by a batched claim and cannot be {action}. "
            "Add a new rate with a later effective date instead."
        )


class ReimbursementPercentage(Sourced):
    """The share of actual cost a PCN may claim for a role, from a date (70%, 50% or 100%).

    Like a maximum, it may depend on the post's band (mental health practitioners); an empty band
    applies to any band without a row of its own."""

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="percentages")
    afc_band = models.CharField(
        "Agenda for Change band",
        max_length=10,
        blank=True,
        help_text="Only where the share depends on the post's band; empty for any band.",
    )
    effective_from = models.DateField()
    percentage = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="For example 70, 50 or 100.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["role__name", "afc_band", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "afc_band", "effective_from"],
                name="one_percentage_per_role_band_date",
                violation_error_message=(
                    "There is already a percentage for this role and band from this date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(percentage__gte=0) & Q(percentage__lte=100),
                name="percentage_between_0_and_100",
            ),
        ]

    def __str__(self):
        band = f" (band {self.afc_band})" if self.afc_band else ""
        return f"{self.role}{band}: {self.percentage}% from {self.effective_from}"


class EntitlementRate(Sourced):
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
