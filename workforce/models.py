"""Annual workforce plans: each PCN's planned ARRS posts for a financial year, priced with the
money rule against its entitlement (reimbursement.entitlement.plan_prices), submitted by its
clinical director and signed off by its commissioner's staff.

A plan is versioned: one draft at a time per PCN and year, and one submitted (or signed-off)
plan; submitting a new version supersedes the one before, which stays, with its history, for
the record. A planned post, once recruited, points at the post in post it became.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pcn_admin.dates import year_label
from roles.models import FULL_TIME, Region, Role, Unit, afc_band_error, normalise_afc_band

# Plans start with the Additional Roles Reimbursement Sum (2020/21): 2019/20 had none.
FIRST_PLAN_YEAR = 2020


class WorkforcePlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SIGNED_OFF = "signed_off", "Signed off"
        SUPERSEDED = "superseded", "Superseded"

    # The plan the commissioner holds the PCN to: at most one per PCN and year.
    LIVE = (Status.SUBMITTED, Status.SIGNED_OFF)

    pcn = models.ForeignKey(
        "networks.PCN",
        on_delete=models.PROTECT,
        related_name="workforce_plans",
        verbose_name="PCN",
    )
    year = models.PositiveSmallIntegerField(
        "financial year", help_text="The year the financial year starts in: 2025 is 2025/26."
    )
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["pcn__code", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["pcn", "year", "version"],
                name="one_plan_per_pcn_year_version",
                violation_error_message="This version of the PCN's plan for the year exists.",
            ),
            models.UniqueConstraint(
                fields=["pcn", "year"],
                condition=Q(status="draft"),
                name="one_draft_plan_per_pcn_year",
                violation_error_message=(
                    "The PCN already has a draft plan for this year. Open it and change it."
                ),
            ),
            models.UniqueConstraint(
                fields=["pcn", "year"],
                condition=Q(status__in=["submitted", "signed_off"]),
                name="one_submitted_plan_per_pcn_year",
                violation_error_message="The PCN has already submitted a plan for this year.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_PLAN_YEAR), name="plan_year_has_an_arr_sum"
            ),
        ]

    def __str__(self):
        return f"{self.pcn.code} workforce plan {self.label}, version {self.version}"

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def first_month(self) -> dt.date:
        return dt.date(self.year, 4, 1)

    @property
    def last_month(self) -> dt.date:
        return dt.date(self.year + 1, 3, 1)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class PlannedPost(models.Model):
    """One post the PCN plans to have in the year: a post in post carried into the plan, or
    one to recruit. Priced for each month from its start month to 31 March (or its last month)
    at its monthly maximum."""

    # Free text that may name someone ("replacing J. Smith, leaving in June").
    PERSONAL_DATA_FIELDS = ("note",)

    plan = models.ForeignKey(WorkforcePlan, on_delete=models.CASCADE, related_name="posts")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(
        "hours a week",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="37.5 hours is full time (1.0 WTE). For GPs give sessions a week: 9 is full "
        "time.",
    )
    afc_band = models.CharField("Agenda for Change band", max_length=10, blank=True)
    region = models.CharField(
        "rate region",
        max_length=20,
        choices=[(r.value, r.label) for r in Region if r != Region.LONDON],
        default=Region.NATIONAL,
        help_text="Which maximum rates apply: national, or inner or outer London, as for the "
        "PCN's posts.",
    )
    start_month = models.DateField(help_text="The 1st of the first month in post.")
    end_month = models.DateField(
        "last month",
        null=True,
        blank=True,
        help_text="Only for a post planned to end before 31 March: its last month in post.",
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional: what the post is for, for example a second pharmacist for care homes.",
    )
    # The post in post: carried in from the staff in post, or recruited from the plan.
    post = models.ForeignKey(
        "roles.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="planned_as",
        verbose_name="post in post",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "start_month", "role__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="planned_post_hours_positive"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")),
                name="planned_post_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.role} from {self.start_month:%B %Y}"

    @property
    def unit(self) -> str:
        return "sessions" if self.role.unit == Unit.SESSIONS else "hours"

    @property
    def wte(self):
        """Whole-time equivalent, at most 1 (the money rule's step 2)."""
        return min(self.hours / FULL_TIME[Unit(self.role.unit)], 1)

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        self.afc_band = normalise_afc_band(self.afc_band)
        if band_error := afc_band_error(self.afc_band):
            errors["afc_band"] = band_error
        for name in ("start_month", "end_month"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value.replace(day=1))
        errors.update(self._month_errors())
        if self.role_id and self.hours is not None:
            full_time = FULL_TIME[Unit(self.role.unit)]
            if self.hours > full_time:
                errors["hours"] = (
                    f"{self.hours} {self.unit} a week is more than full time ({full_time} "
                    f"{self.unit}). Plan one post per contract, at most full time."
                )
        if errors:
            raise ValidationError(errors)

    def _month_errors(self) -> dict[str, str]:
        plan = self.plan if self.plan_id else None
        errors: dict[str, str] = {}
        if plan is not None and self.start_month is not None:
            if not plan.first_month <= self.start_month <= plan.last_month:
                errors["start_month"] = (
                    f"The start month must be in {plan.label}: April {plan.year} to March "
                    f"{plan.year + 1}. A post in post before April starts in April {plan.year}."
                )
        if plan is not None and self.end_month is not None:
            if not plan.first_month <= self.end_month <= plan.last_month:
                errors["end_month"] = (
                    f"The last month must be in {plan.label}, or left empty for a post "
                    "continuing past 31 March."
                )
        if self.start_month and self.end_month and self.end_month < self.start_month:
            errors["end_month"] = "The last month is before the start month. Check both."
        if self.role_id and self.start_month and self.role.first_reimbursable > self.start_month:
            # Not refused by the money rule until priced: say so where it is typed.
            errors.setdefault(
                "start_month",
                f"{self.role.name} posts are reimbursable from "
                f"{self.role.first_reimbursable:%B %Y}. Choose a later start month.",
            )
        return errors
