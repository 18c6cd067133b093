"""PCN development funding (seed paper 003, ../shared/domain/pcn-funding.md): allocations made to
a commissioner (through the ICS), earmarks within them, commitments to PCNs or programmes tagged
with the prospectus's domains, and spend against them; practices' backfill claims, paid through
the monthly batch as the `backfill` payment stream; and the baseline posts a commissioner keeps
funding outside ARRS. Every model keeps its history (simple-history).

What remains to commit or spend is checked by development.services under a row lock, so two
people committing at once cannot overspend; the arithmetic is in development.calculations.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pcn_admin.dates import year_label
from roles.models import BASELINE_DATE

from . import calculations

MONEY = {"max_digits": 12, "decimal_places": 2}


class Domain(models.TextChoices):
    """The prospectus's domains of spending (National PCN Development Support, Aug 2019)."""

    ORGANISATIONAL = "organisational", "Organisational development and change"
    COLLABORATIVE = "collaborative", "Supporting collaborative working"
    LEADERSHIP = "leadership", "Leadership development"
    BACKFILL = "backfill", "Backfill for practices"


class Allocation(models.Model):
    """Development funding allocated to a commissioner for a financial year."""

    commissioner = models.ForeignKey(
        "networks.Commissioner",
        on_delete=models.PROTECT,
        related_name="development_allocations",
        verbose_name="recipient commissioner",
    )
    name = models.CharField(
        max_length=200, help_text="For example: National PCN development support 2025/26."
    )
    source = models.CharField(
        max_length=200, help_text="Who allocated it, for example the ICS or NHS England."
    )
    year = models.PositiveSmallIntegerField(
        "financial year",
        validators=[MinValueValidator(2019), MaxValueValidator(2100)],
        help_text="The year the financial year starts in: 2025 for 2025/26.",
    )
    amount = models.DecimalField(
        "amount allocated (£)", help_text="In pounds and pence, for example 129300.00.", **MONEY
    )
    clinical_director_percent = models.DecimalField(
        "clinical director development: at least (%)",
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="The share of the allocation for clinical director development. The national "
        "PCN development support (2019) asked for at least 10%.",
    )
    note = models.TextField(blank=True, help_text="Where the figure comes from.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "development funding allocation"
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "year", "name"],
                name="one_development_allocation_per_name_year",
                violation_error_message="This commissioner already has an allocation of this "
                "name for the year. Give it another name.",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
            models.CheckConstraint(
                condition=Q(clinical_director_percent__gte=0)
                & Q(clinical_director_percent__lte=100),
                name="allocation_cd_percent_in_range",
            ),
        ]

    def __str__(self):
        return self.name if self.year_label in self.name else f"{self.name} ({self.year_label})"

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": "Enter an amount of more than £0."})


class Earmark(models.Model):
    """Part of an allocation set aside for a purpose, such as population health management
    analysts and clinical backfill. The earmarks cannot add up to more than the allocation."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="earmarks")
    name = models.CharField(max_length=200)
    amount = models.DecimalField("amount earmarked (£)", **MONEY)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["allocation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "name"],
                name="one_earmark_name_per_allocation",
                violation_error_message="This allocation already has an earmark of this name.",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="earmark_positive"),
        ]

    def __str__(self):
        return self.name


class Commitment(models.Model):
    """Money committed from an allocation to a PCN or a programme, in one prospectus domain."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="commitments")
    pcn = models.ForeignKey(
        "networks.PCN",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_commitments",
        verbose_name="PCN",
        help_text="The PCN the money is for; or leave empty and name a programme.",
    )
    programme = models.CharField(
        max_length=200,
        blank=True,
        help_text="A programme across PCNs, for example a clinical directors' leadership course.",
    )
    description = models.CharField(max_length=300, help_text="What the money is for.")
    domain = models.CharField("prospectus domain", max_length=20, choices=Domain.choices)
    clinical_director_development = models.BooleanField(
        "clinical director development",
        default=False,
        help_text="Counts towards the share of the allocation for clinical director development.",
    )
    earmark = models.ForeignKey(
        Earmark,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        help_text="Optional: the earmark it is drawn from.",
    )
    amount = models.DecimalField("amount committed (£)", **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["allocation", "domain", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_positive"),
            models.CheckConstraint(
                condition=(Q(pcn__isnull=False) & Q(programme=""))
                | (Q(pcn__isnull=True) & ~Q(programme="")),
                name="commitment_to_a_pcn_or_a_programme",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.description}"

    @property
    def recipient(self) -> str:
        return self.pcn.name if self.pcn_id else self.programme

    def clean(self):
        errors = {}
        if bool(self.pcn_id) == bool(self.programme.strip()):
            errors["programme"] = "Choose the PCN or name the programme, not both."
        if (
            self.allocation_id
            and self.earmark_id
            and self.earmark.allocation_id != self.allocation_id
        ):
            errors["earmark"] = "Choose an earmark of this allocation."
        if (
            self.allocation_id
            and self.pcn_id
            and self.pcn.commissioner_id != self.allocation.commissioner_id
        ):
            errors["pcn"] = "Choose one of the allocation's commissioner's PCNs."
        if errors:
            raise ValidationError(errors)


class BackfillClaim(models.Model):
    """A member practice's claim for backfill: cover for a member of staff taking part in PCN
    development, paid from a backfill commitment through the monthly batch once approved."""

    # Identifying fields, scrubbed from copies of the database and kept out of logs.
    PERSONAL_DATA_FIELDS = ("person_name",)

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="backfill_claims",
        verbose_name="backfill funding",
        help_text="The backfill funding committed to your PCN that this claim draws on.",
    )
    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="backfill_claims", verbose_name="PCN"
    )
    practice = models.ForeignKey(
        "networks.Practice", on_delete=models.PROTECT, related_name="backfill_claims"
    )
    person_name = models.CharField(
        "who took part",
        max_length=200,
        help_text="The member of staff whose time was backfilled, for example Dr Sam Patel (GP).",
    )
    activity = models.CharField(
        max_length=200, help_text="What they took part in, for example a maturity matrix workshop."
    )
    date = models.DateField(help_text="The day of the activity.")
    hours = models.DecimalField(
        "hours backfilled", max_digits=4, decimal_places=2, help_text="For example 3.5."
    )
    hourly_rate = models.DecimalField(
        "hourly rate (£)", max_digits=8, decimal_places=2, help_text="For example 85.00."
    )
    amount = models.DecimalField(
        "amount (£)", editable=False, help_text="Hours x hourly rate, to the penny.", **MONEY
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    declared_payment = models.OneToOneField(
        "reimbursement.DeclaredPayment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backfill_claim",
        editable=False,
        help_text="The approved amount the monthly batch pays, in the backfill stream.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=calculations.MAX_HOURS_A_DAY),
                name="backfill_hours_within_a_day",
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gt=0), name="backfill_rate_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="backfill_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(declared_payment__isnull=False),
                name="approved_backfill_is_paid",
            ),
        ]

    def __str__(self):
        return f"Backfill claim {self.pk}"

    @property
    def reference(self) -> str:
        return f"Backfill claim {self.pk}"


class Spend(models.Model):
    """Money spent against a commitment: entered by commissioner staff, or an approved backfill
    claim."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="spend")
    amount = models.DecimalField("amount spent (£)", **MONEY)
    date = models.DateField()
    note = models.CharField(max_length=300, blank=True, help_text="What it paid for.")
    backfill_claim = models.OneToOneField(
        BackfillClaim,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spend",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "date", "pk"]
        verbose_name_plural = "spend"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spend_positive")]

    def __str__(self):
        return f"£{self.amount} on {self.date:%d/%m/%Y}"


class BaselinePost(models.Model):
    """A post the commissioner funded on 31 March 2019 and keeps funding outside ARRS for a number
    of years, 2019/20 being year 1 (seed paper 003: Oxfordshire's 4 WTE paramedics and 11.2 WTE
    link workers, for five years). Such staff are the PCN's ARRS baseline: a post linked here
    must be marked as in post on 31 March 2019 on the PCN's ARRS staff list, which is what keeps
    them out of ARRS claims (roles.models.Post.is_claimable)."""

    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="baseline_posts", verbose_name="PCN"
    )
    role = models.ForeignKey("roles.Role", on_delete=models.PROTECT, related_name="+")
    wte = models.DecimalField(
        "WTE",
        max_digits=5,
        decimal_places=2,
        help_text="Whole-time equivalent, for example 4 or 11.2.",
    )
    start_date = models.DateField(help_text="When the post started: on or before 31 March 2019.")
    funded_years = models.PositiveSmallIntegerField(
        "years funded",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many financial years the commissioner funds it, 2019/20 being year 1.",
    )
    funding_end = models.DateField(
        editable=False, help_text="The last day of the last year funded, worked out."
    )
    end_date = models.DateField(
        null=True, blank=True, help_text="Only if the post ended before its funding did."
    )
    post = models.ForeignKey(
        "roles.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="member of staff",
        help_text="Optional: the person on the PCN's ARRS staff list, marked as in post on "
        "31 March 2019.",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["pcn__code", "role__name", "start_date", "pk"]
        verbose_name = "commissioner-funded baseline post"
        constraints = [
            models.CheckConstraint(condition=Q(wte__gt=0), name="baseline_post_wte_positive"),
            models.CheckConstraint(
                condition=Q(start_date__lte=BASELINE_DATE), name="baseline_post_in_baseline"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="baseline_post_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.wte} WTE {self.role.name} at {self.pcn.code}"

    def save(self, *args, **kwargs):
        self.funding_end = calculations.baseline_funding_end(self.funded_years)
        super().save(*args, **kwargs)

    @property
    def funded_to(self):
        """The last day funded: the end of funding, or the post's end if earlier."""
        if self.end_date and self.end_date < self.funding_end:
            return self.end_date
        return self.funding_end

    def clean(self):
        self.funding_end = calculations.baseline_funding_end(self.funded_years or 1)
        errors = {}
        if self.start_date and self.start_date > BASELINE_DATE:
            errors["start_date"] = (
                "A baseline post was in place on 31 March 2019. A post that started later can "
                "be claimed under ARRS instead."
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date is before the start date. Check both dates."
        if self.wte is not None and self.wte <= 0:
            errors["wte"] = "Enter the WTE as a number more than 0, for example 1 or 11.2."
        errors.update(self._post_errors())
        if errors:
            raise ValidationError(errors)

    def _post_errors(self) -> dict[str, str]:
        if not self.post_id:
            return {}
        post = self.post
        if self.pcn_id and post.pcn_id != self.pcn_id:
            return {"post": "Choose a member of this PCN's staff."}
        if self.role_id and post.role_id != self.role_id:
            return {
                "post": f"{post.person_name} is a {post.role.name.lower()}: choose the same role."
            }
        if not post.in_post_at_baseline or post.transferred_from_national_scheme:
            return {
                "post": f"{post.person_name} can be claimed under ARRS, so cannot also be funded "
                "by the commissioner as a baseline post. Mark them as in post on 31 March 2019 "
                "on the ARRS staff list first (and not as transferred from a national scheme)."
            }
        return {}
