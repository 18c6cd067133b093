"""Network Contract DES payment streams beyond ARRS (pcn-funding.md), what each pays in a
batch, and what NHS England reported as paid, for the reconciliation.

A stream is data: its code, who is paid and on what basis, with dated rates that national
administrators keep (docs/decisions/0014-payment-streams.md). Rate-based streams are worked
out each month from the rates and the 1 January list sizes (reimbursement.calculations and
reimbursement.streams); declared streams (IIF, care home premium, capacity and access,
enhanced access, backfill) are amounts commissioner staff enter and review.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from roles.models import Sourced

from .batches import Batch
from .claims import MONEY

# £ per patient a year keeps the published places (£2.916, £0.514).
PER_PATIENT = {"max_digits": 8, "decimal_places": 4}


class PaymentStream(models.Model):
    """One Network Contract DES payment stream, such as core PCN funding or the IIF."""

    class PaidTo(models.TextChoices):
        PAYEE = "payee", "The PCN's nominated payee"
        MEMBER_PRACTICE = "member_practice", "Each member practice"
        PRACTICE = "practice", "The practice named on the amount"

    class Basis(models.TextChoices):
        REGISTERED = "registered", "Per registered patient"
        WEIGHTED = "weighted", "Per weighted patient"
        DECLARED = "declared", "Declared amount"
        CLAIMS = "claims", "Approved ARRS claims"

    code = models.SlugField(
        max_length=40, unique=True, help_text="Stable code used in files, e.g. core."
    )
    name = models.CharField(max_length=120)
    paid_to = models.CharField(max_length=20, choices=PaidTo.choices, default=PaidTo.PAYEE)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    reported_columns = models.JSONField(
        default=list,
        blank=True,
        help_text="The NHS Payments to General Practice column(s) that report this stream.",
    )
    display_order = models.PositiveSmallIntegerField(default=100)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]

    def __str__(self):
        return self.name

    @property
    def is_rate_based(self) -> bool:
        return self.basis in (self.Basis.REGISTERED, self.Basis.WEIGHTED)

    @property
    def is_declared(self) -> bool:
        return self.basis == self.Basis.DECLARED


class StreamRateQuerySet(models.QuerySet):
    def in_force(self, day):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class StreamRate(Sourced):
    """£ per patient a year for a rate-based stream, in force from start_date to end_date."""

    stream = models.ForeignKey(PaymentStream, on_delete=models.PROTECT, related_name="rates")
    per_patient = models.DecimalField(
        "£ per patient a year",
        help_text="The annual rate per registered or weighted patient, as the stream says.",
        **PER_PATIENT,
    )
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="The last day the rate applies; empty while it runs on."
    )
    locked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set when a batch using it is finalised."
    )
    history = HistoricalRecords()

    objects = StreamRateQuerySet.as_manager()

    # What a finalised batch was paid on. The end date may still be set or moved, but not to
    # before a month already paid with the rate: that is how a rate that runs on is ended.
    LOCKED_FIELDS = ("stream_id", "per_patient", "start_date")

    class Meta:
        ordering = ["stream__display_order", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "start_date"],
                name="one_stream_rate_per_start",
                violation_error_message="This stream already has a rate from this date.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="stream_rate_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(per_patient__gte=0), name="stream_rate_not_negative"
            ),
        ]

    def __str__(self):
        end = f" to {self.end_date:%d/%m/%Y}" if self.end_date else ""
        return f"{self.stream.name}: £{self.per_patient} from {self.start_date:%d/%m/%Y}{end}"

    def clean(self):
        if self.stream_id and not self.stream.is_rate_based:
            raise ValidationError(
                {"stream": f"{self.stream.name} is paid as declared amounts, not by a rate."}
            )
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A rate cannot end before it starts."})
        overlapping = StreamRate.objects.filter(stream_id=self.stream_id).exclude(pk=self.pk)
        if self.end_date:
            overlapping = overlapping.filter(start_date__lte=self.end_date)
        overlapping = overlapping.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=self.start_date)
        )
        if self.stream_id and overlapping.exists():
            raise ValidationError(
                "Another rate of this stream covers some of these dates. End it first."
            )

    def save(self, *args, **kwargs):
        if self.pk and self.locked_at:
            stored = StreamRate.objects.filter(pk=self.pk).values(*self.LOCKED_FIELDS).first()
            if stored and any(
                self._meta.get_field(n).to_python(getattr(self, n)) != stored[n]
                for n in self.LOCKED_FIELDS
            ):
                raise ValidationError(
                    "A finalised batch was paid with this rate: it cannot change. End it and "
                    "add a new rate instead."
                )
            self._refuse_ending_before_paid_months()
        super().save(*args, **kwargs)

    def _refuse_ending_before_paid_months(self) -> None:
        if self.end_date is None:
            return
        last_paid = (
            self.payments.filter(batch__status__in=["finalised", "paid"])
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
        if last_paid and self.end_date < last_paid:
            raise ValidationError(
                {
                    "end_date": f"This rate paid {last_paid:%B %Y} in a finalised batch: it "
                    f"cannot end before {last_paid:%d %B %Y}."
                }
            )


class DeclaredPayment(models.Model):
    """An amount declared for a PCN and month in a declared stream (IIF achievement, care home
    premium...), entered by commissioner staff and reviewed like a claim before it is paid."""

    class Status(models.TextChoices):
        ENTERED = "entered", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    stream = models.ForeignKey(PaymentStream, on_delete=models.PROTECT, related_name="declared")
    pcn = models.ForeignKey(
        "networks.PCN",
        on_delete=models.PROTECT,
        related_name="declared_payments",
        verbose_name="PCN",
    )
    practice = models.ForeignKey(
        "networks.Practice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only for a stream paid to a named practice (such as backfill).",
    )
    month = models.DateField(help_text="The 1st of the month the amount is for.")
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENTERED)
    note = models.CharField(max_length=300, blank=True, help_text="Where the amount comes from.")
    source = models.CharField(
        max_length=100, blank=True, help_text="The record that produced it, e.g. a backfill claim."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "pcn__code", "stream__display_order"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="declared_month_is_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="declared_not_negative"),
            models.UniqueConstraint(
                fields=["stream", "pcn", "month"],
                condition=Q(practice__isnull=True) & ~Q(status="rejected"),
                name="one_declared_amount_per_stream_pcn_month",
                violation_error_message="This PCN already has an amount for this stream and month.",
            ),
        ]

    def __str__(self):
        return f"{self.stream.name} for {self.pcn.code}, {self.month:%B %Y}"


class StreamPayment(models.Model):
    """One stream's amount for a PCN (and payee) and month, paid in a batch. The key makes each
    amount payable once, however often or concurrently the batch is built."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="stream_payments")
    stream = models.ForeignKey(PaymentStream, on_delete=models.PROTECT, related_name="payments")
    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="+", verbose_name="PCN"
    )
    practice = models.ForeignKey(
        "networks.Practice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who is paid: the nominated payee practice, or the member practice.",
    )
    payee_name = models.CharField(max_length=200, blank=True)
    month = models.DateField(help_text="The month the amount is for.")
    amount = models.DecimalField(**MONEY)
    population = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Patients it was paid on."
    )
    rate = models.ForeignKey(
        StreamRate, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    declared = models.OneToOneField(
        DeclaredPayment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    late = models.BooleanField(default=False)
    key = models.CharField(max_length=80, unique=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "pcn__code", "stream__display_order", "practice__code"]
        indexes = [
            models.Index(fields=["pcn", "month"], name="streampay_pcn_month"),
            # The dashboards' stream income per PCN and batch month, from the index alone:
            # 20 ms to 3 ms for a commissioner over ten years of batches.
            models.Index(
                fields=["pcn", "batch", "stream", "amount"], name="streampay_pcn_batch_amount"
            ),
        ]

    def __str__(self):
        return f"{self.stream.code} for {self.pcn.code}, {self.month:%Y-%m}"

    @staticmethod
    def key_for(*, stream_code: str, pcn_id: int, practice_id, month, declared_id=None) -> str:
        if declared_id:
            return f"declared:{declared_id}"
        return f"{stream_code}:{pcn_id}:{practice_id or '-'}:{month:%Y-%m}"


class ReportedPaymentImport(models.Model):
    """One import of an NHS Payments to General Practice file for a financial year."""

    year = models.PositiveSmallIntegerField(help_text="The financial year's first calendar year.")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Reported payments {self.year}/{(self.year + 1) % 100:02d}: {self.file_name}"


class ReportedPayment(models.Model):
    """What NHS England reported as paid to one practice in one stream over a year. The file
    names the practice's PCN and commissioner for that year, which may differ from today's."""

    source = models.ForeignKey(
        ReportedPaymentImport, on_delete=models.CASCADE, related_name="payments"
    )
    year = models.PositiveSmallIntegerField()
    stream = models.ForeignKey(PaymentStream, on_delete=models.PROTECT, related_name="+")
    practice_code = models.CharField(max_length=10)
    practice = models.ForeignKey(
        "networks.Practice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pcn_code = models.CharField(max_length=10, blank=True)
    pcn_name = models.CharField(max_length=200, blank=True)
    pcn = models.ForeignKey(
        "networks.PCN", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commissioner_code = models.CharField(max_length=10, blank=True)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["year", "pcn_code", "practice_code"]
        indexes = [
            models.Index(fields=["year", "commissioner_code"], name="reported_year_commissioner"),
            models.Index(fields=["year", "pcn"], name="reported_year_pcn"),
        ]

    def __str__(self):
        return f"{self.practice_code} {self.stream_id} {self.year}: £{self.amount}"
