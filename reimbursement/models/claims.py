"""Monthly ARRS claims and their lines, each line keeping its calculation's breakdown."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 12, "decimal_places": 2}
# WTE and the part-month fraction keep more places than money: they are multiplied, not paid.
FRACTION = {"max_digits": 9, "decimal_places": 6}


class Claim(models.Model):
    class Kind(models.TextChoices):
        NORMAL = "normal", "Monthly claim"
        ADJUSTMENT = "adjustment", "Adjustment to a submitted claim"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned to the practice"
        PARTLY_APPROVED = "partly_approved", "Partly approved"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    # What the practice may still change; what the commissioner may still decide.
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    IN_REVIEW = (Status.SUBMITTED, Status.PARTLY_APPROVED)
    # The commissioner's question is free text that may name a member of staff.
    PERSONAL_DATA_FIELDS = ("query",)

    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="claims", verbose_name="PCN"
    )
    month = models.DateField(help_text="The 1st of the month claimed for.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NORMAL)
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
        help_text="Adjustments only: the submitted claim for the same month being corrected.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    declared_additional = models.BooleanField(
        "staff are additional to the baseline",
        default=False,
        help_text="The staff claimed for are additional to the PCN's baseline of 31 March 2019.",
    )
    declared_costs_paid = models.BooleanField(
        "costs were paid",
        default=False,
        help_text="The salary, employer NI and pension claimed were paid for this month.",
    )
    query = models.TextField(
        blank=True, help_text="The commissioner's question when the claim was last returned."
    )
    warnings = models.JSONField(
        default=list, blank=True, help_text="Warnings found when the claim was last submitted."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Empty when the system drafted the claim (a pay award's adjustment, by the command).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "pcn__code", "pk"]
        indexes = [
            # Lists newest month first (the admin's, the API's, the claims page): each month's
            # claims sorted by PCN as they are read, not every claim sorted for every page.
            models.Index(fields=["-month"], name="claim_newest_month_first"),
            # The dashboards' claims awaiting review per PCN: 11 ms to 2 ms over ten years.
            models.Index(fields=["pcn", "status"], name="claim_pcn_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pcn", "month"],
                condition=Q(kind="normal"),
                name="one_claim_per_pcn_month",
                violation_error_message=(
                    "This PCN already has a claim for this month. Open that claim, or make an "
                    "adjustment claim if it has been submitted."
                ),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="claim_month_is_first_day"),
            models.CheckConstraint(
                condition=(Q(kind="normal") & Q(original__isnull=True))
                | (Q(kind="adjustment") & Q(original__isnull=False)),
                name="adjustment_has_original",
                violation_error_message="An adjustment claim must name the claim it corrects.",
            ),
        ]

    def __str__(self):
        label = "Adjustment" if self.kind == self.Kind.ADJUSTMENT else "Claim"
        return f"{label} {self.pcn.code} {self.month:%B %Y}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def in_review(self) -> bool:
        return self.status in self.IN_REVIEW

    @property
    def resubmitted(self) -> bool:
        """Submitted again since the commissioner last returned it."""
        return bool(self.returned_at and self.submitted_at and self.submitted_at > self.returned_at)

    @property
    def has_undecided_lines(self) -> bool:
        """A line still waits for the commissioner's decision. Lists annotate
        `undecided_line_count` (reimbursement.selectors) so that this costs no query."""
        count = getattr(self, "undecided_line_count", None)
        if count is not None:
            return count > 0
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("lines")
        if prefetched is not None:
            return any(line.status == ClaimLine.Status.PENDING for line in prefetched)
        return self.lines.filter(status=ClaimLine.Status.PENDING).exists()

    @property
    def status_text(self) -> str:
        """The status as people read it: where the claim is and whose move it is, e.g.
        "Returned to the practice", "Resubmitted, awaiting review" (decision 0004)."""
        if self.status == self.Status.SUBMITTED:
            return f"{'Resubmitted' if self.resubmitted else 'Submitted'}, awaiting review"
        if self.status == self.Status.PARTLY_APPROVED and self.has_undecided_lines:
            again = "Resubmitted, partly" if self.resubmitted else "Partly"
            return f"{again} approved, the rest awaiting review"
        return self.get_status_display()

    def clean(self):
        errors = {}
        if self.month and self.month.day != 1:
            self.month = self.month.replace(day=1)
        if self.kind == self.Kind.ADJUSTMENT:
            original = self.original if self.original_id else None
            if original is None:
                errors["original"] = "Choose the submitted claim this adjustment corrects."
            elif original.kind != self.Kind.NORMAL:
                errors["original"] = "Adjust the month's claim itself, not another adjustment."
            elif original.pcn_id != self.pcn_id or original.month != self.month:
                errors["original"] = (
                    "An adjustment corrects the same PCN's claim for the same month."
                )
            elif original.status in self.EDITABLE:
                errors["original"] = (
                    "That claim has not been submitted yet: change the claim itself instead."
                )
        elif self.original_id:
            errors["original"] = "Only an adjustment claim names an original claim."
        if errors:
            raise ValidationError(errors)


# A cost over this many times the line's cap is shown to the reviewer as a warning.
OVER_CAP_WARNING = Decimal("1.5")


def over_cap_warning(cost: Decimal | None, cap: Decimal | None) -> str:
    """A cost well over the cap is not refused (the claim is capped) but may be a typo."""
    if cost is None or not cap or cost <= cap * OVER_CAP_WARNING:
        return ""
    return (
        f"The cost £{cost:,.2f} is more than one and a half times this line's cap "
        f"£{cap:,.2f}. Check the figures: only the cap can be reimbursed."
    )


def zero_salary_warning(salary, employer_ni, employer_pension) -> str:
    """On-costs with a salary of £0 are not refused (pension contributions can go on through
    unpaid leave) but are more often a salary typed in the wrong box, or not typed at all."""
    if salary is None or salary != 0:
        return ""
    on_costs = (employer_ni or 0) + (employer_pension or 0)
    if on_costs <= 0:
        return ""
    return (
        f"The salary is £0 but employer NI and pension come to £{on_costs:,.2f}. Check the "
        "salary: NI and pension are normally paid on a salary. If the figures are right, carry "
        "on."
    )


# The figures a line keeps so a reviewer can see how its total was reached.
BREAKDOWN_FIELDS = (
    "hours",
    "salary",
    "employer_ni",
    "employer_pension",
    "subcontract_fee",
    "cost",
    "wte",
    "days_in_post",
    "days_in_month",
    "fraction",
    "annual_max",
    "rate_effective_from",
    "rate",
    "cap",
    "fee_max",
    "fee",
    "reimbursable",
    "calculation_error",
)


class ClaimLineQuerySet(models.QuerySet):
    def approved(self):
        """Approved lines: the ones a payment batch takes (each in at most one batch)."""
        return self.filter(status=ClaimLine.Status.APPROVED)


class ClaimLine(models.Model):
    """One member of staff (an ARRS post) for the claim's month."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class CostsSource(models.TextChoices):
        """Where the costs came from: copied ones are shown as copied until someone edits them."""

        TYPED = "typed", "Typed in"
        COPIED = "copied", "Copied from the previous month"
        PAYROLL = "payroll", "From the payroll upload"

    # A named person's pay, and text that may name them (calculation errors do), scrubbed from
    # copies of the database and kept out of logs.
    PERSONAL_DATA_FIELDS = (
        "salary",
        "employer_ni",
        "employer_pension",
        "cost",
        "calculation_error",
        "decision_reason",
    )

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    post = models.ForeignKey("roles.Post", on_delete=models.PROTECT, related_name="claim_lines")
    original_line = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Adjustments: the same post's line on the original claim.",
    )
    hours = models.DecimalField(
        "hours (or sessions) a week",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Contracted hours in force in the month, from the post's record.",
    )
    salary = models.DecimalField(
        null=True, blank=True, help_text="Gross salary paid for the month.", **MONEY
    )
    employer_ni = models.DecimalField("employer NI", null=True, blank=True, **MONEY)
    employer_pension = models.DecimalField(null=True, blank=True, **MONEY)
    subcontract_fee = models.DecimalField(
        "sub-contract fee",
        default=Decimal("0"),
        help_text="Sub-contracted link workers only: the provider's fee for the month.",
        **MONEY,
    )
    costs_source = models.CharField(
        max_length=8,
        choices=CostsSource.choices,
        default=CostsSource.TYPED,
        help_text="Copied costs stay marked as copied until they are edited.",
    )
    # The calculation's breakdown (reimbursement.calculations.Breakdown), as last computed.
    cost = models.DecimalField(null=True, blank=True, **MONEY)
    wte = models.DecimalField("WTE", null=True, blank=True, **FRACTION)
    days_in_post = models.PositiveSmallIntegerField(null=True, blank=True)
    days_in_month = models.PositiveSmallIntegerField(null=True, blank=True)
    fraction = models.DecimalField("part of the month", null=True, blank=True, **FRACTION)
    annual_max = models.DecimalField("annual maximum", null=True, blank=True, **MONEY)
    rate_effective_from = models.DateField(null=True, blank=True)
    rate_used = models.ForeignKey(
        "roles.Rate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The maximum the line was priced on: its provenance is shown with the line.",
    )
    rate = models.DecimalField(
        "share of cost", max_digits=5, decimal_places=4, null=True, blank=True
    )
    cap = models.DecimalField("monthly cap", null=True, blank=True, **MONEY)
    fee_max = models.DecimalField("fee maximum", null=True, blank=True, **MONEY)
    fee = models.DecimalField("fee claimed", null=True, blank=True, **MONEY)
    reimbursable = models.DecimalField(null=True, blank=True, **MONEY)
    calculation_error = models.TextField(
        blank=True, help_text="Why the amount could not be worked out, when it could not."
    )
    calculated_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set with the approval and never cleared: payment batches take approved lines.
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ClaimLineQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "post__role__name", "post__person_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "post"],
                name="one_line_per_post_per_claim",
                violation_error_message="This member of staff already has a line on the claim.",
            ),
            models.CheckConstraint(
                condition=(Q(salary__isnull=True) | Q(salary__gte=0))
                & (Q(employer_ni__isnull=True) | Q(employer_ni__gte=0))
                & (Q(employer_pension__isnull=True) | Q(employer_pension__gte=0))
                & Q(subcontract_fee__gte=0),
                name="claim_line_costs_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="approved", approved_at__isnull=False)
                | (~Q(status="approved") & Q(approved_at__isnull=True)),
                name="approved_line_has_approved_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="rejected_line_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.post.person_name} ({self.post.role.name}), {self.claim}"

    def save(self, *args, **kwargs):
        # Approved lines are what the commissioner pays: once approved, nothing changes.
        # A payment batch points at the line from its own table (decision 0005), so even
        # batching leaves the line as it was approved.
        if self.pk and ClaimLine.objects.filter(pk=self.pk, approved_at__isnull=False).exists():
            raise ValidationError("This line has been approved and can no longer change.")
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.approved_at is not None

    @property
    def costs_copied(self) -> bool:
        """Costs copied from the previous month's claim and not edited since."""
        return self.costs_source == self.CostsSource.COPIED

    @property
    def costs_entered(self) -> bool:
        return None not in (self.salary, self.employer_ni, self.employer_pension)

    @property
    def over_cap_warning(self) -> str:
        return over_cap_warning(self.cost, self.cap)

    @property
    def warnings(self) -> list[str]:
        """What may be a mistake but is not refused: the practice may carry on."""
        found = [
            over_cap_warning(self.cost, self.cap),
            zero_salary_warning(self.salary, self.employer_ni, self.employer_pension),
        ]
        return [warning for warning in found if warning]

    def clean(self):
        errors = {}
        for name in ("salary", "employer_ni", "employer_pension", "subcontract_fee"):
            value = getattr(self, name)
            if value is not None and value < 0:
                label = self._meta.get_field(name).verbose_name
                errors[name] = (
                    f"The {label} cannot be negative. Enter what was paid; claim a correction "
                    "as an adjustment."
                )
        if errors:
            raise ValidationError(errors)
