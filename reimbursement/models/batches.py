"""Payment batches: a commissioner's approved claim lines for a month, with a subtotal per PCN
for its nominated payee, and the runs that build them (docs/decisions/0005-claim-batches.md)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .claims import MONEY, ClaimLine


class Batch(models.Model):
    """A commissioner's monthly payment batch: the approved claim lines not yet paid, with a
    subtotal per PCN for its nominated payee (docs/decisions/0005-claim-batches.md)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINALISED = "finalised", "Finalised"
        PAID = "paid", "Paid"

    commissioner = models.ForeignKey(
        "networks.Commissioner", on_delete=models.PROTECT, related_name="batches"
    )
    month = models.DateField(
        help_text="The 1st of the month paid for. Lines of earlier months approved since the "
        "last batch join it, marked as late."
    )
    reference = models.CharField(
        max_length=40, unique=True, help_text="The commissioner's code and the month."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(default=Decimal("0"), **MONEY)
    line_count = models.PositiveIntegerField(default=0, help_text="ARRS claim lines.")
    late_line_count = models.PositiveIntegerField(default=0)
    stream_payment_count = models.PositiveIntegerField(
        default=0, help_text="Network Contract DES stream amounts besides the ARRS lines."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(help_text="When its lines were last gathered.")
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=60, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "commissioner__code"]
        verbose_name_plural = "batches"
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "month"],
                name="one_batch_per_commissioner_month",
                violation_error_message="This commissioner already has a batch for this month.",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="batch_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(finalised_at__isnull=False),
                name="finalised_batch_has_finalised_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(payment_reference="")),
                name="paid_batch_has_date_and_reference",
            ),
        ]

    def __str__(self):
        return self.reference

    # What finalising fixes: from then on the batch only moves on to paid (decision 0005).
    FIXED_WHEN_FINALISED = (
        "commissioner_id",
        "month",
        "reference",
        "total",
        "line_count",
        "late_line_count",
        "stream_payment_count",
        "built_at",
        "finalised_at",
        "finalised_by_id",
    )

    def save(self, *args, **kwargs):
        if self.pk:
            self._refuse_going_back()
        super().save(*args, **kwargs)

    def _refuse_going_back(self):
        """Whatever the route (a service, the admin, a restored history version), a paid batch
        never changes and a finalised one never returns to draft or changes its figures."""
        stored = (
            Batch.objects.filter(pk=self.pk).values("status", *self.FIXED_WHEN_FINALISED).first()
        )
        if stored is None:
            return
        if stored["status"] == self.Status.PAID:
            # A paid batch is money that has left the bank: nothing about it changes again.
            raise ValidationError("This batch has been paid and cannot be changed or reopened.")
        if stored["status"] != self.Status.FINALISED:
            return
        if self.status == self.Status.DRAFT:
            raise ValidationError(
                "This batch has been finalised and cannot go back to draft. Lines approved "
                "since then join next month's batch."
            )
        changed = [
            name
            for name in self.FIXED_WHEN_FINALISED
            if self._meta.get_field(name).to_python(getattr(self, name)) != stored[name]
        ]
        if changed:
            raise ValidationError(
                "This batch has been finalised: its lines and figures cannot change. Only "
                "its payment can be recorded."
            )

    @staticmethod
    def reference_for(commissioner_code: str, month) -> str:
        return f"{commissioner_code}-{month:%Y-%m}"


class BatchPayee(models.Model):
    """One PCN's subtotal in a batch, payable to its nominated payee."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="payees")
    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="batch_payees", verbose_name="PCN"
    )
    payee_practice = models.ForeignKey(
        "networks.Practice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The nominated payee practice in force at the end of the batch's month.",
    )
    payee_name = models.CharField(
        max_length=200, blank=True, help_text="The payee practice's name, or the account's."
    )
    amount = models.DecimalField(help_text="Everything the batch pays for the PCN.", **MONEY)
    arrs_amount = models.DecimalField(
        "ARRS amount", default=Decimal("0"), help_text="Of which approved ARRS lines.", **MONEY
    )
    line_count = models.PositiveIntegerField()
    late_line_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["batch", "pcn__code"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "pcn"], name="one_subtotal_per_pcn_per_batch")
        ]

    def __str__(self):
        return f"{self.pcn.code} in {self.batch}"

    @property
    def has_payee(self) -> bool:
        return bool(self.payee_practice_id or self.payee_name)


class BatchLine(models.Model):
    """An approved claim line taken into a batch, with the amount it pays. An approved line
    never changes, so the amount is copied once, when the line joins the batch."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="batch_lines")
    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="+", verbose_name="PCN"
    )
    claim_month = models.DateField()
    amount = models.DecimalField(
        help_text="The line's reimbursable amount; for an adjustment, the difference from the "
        "line it corrects (which may be negative).",
        **MONEY,
    )
    late = models.BooleanField(
        default=False, help_text="The claim's month is earlier than the batch's month."
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "pcn__code", "claim_month", "pk"]
        indexes = [
            # The dashboards' paid-to-date per PCN and batch month, read from the index alone
            # (amount included): 81 ms to 14 ms for a commissioner over ten years of batches.
            models.Index(fields=["pcn", "batch", "amount"], name="batchline_pcn_batch_amount"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                name="claim_line_in_at_most_one_batch",
                violation_error_message="This claim line is already in a payment batch.",
            )
        ]

    def __str__(self):
        return f"Line {self.line_id} in {self.batch}"


class BatchRun(models.Model):
    """A request to build batches (from the admin's button or the schedule), so the person who
    asked can watch it until it is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    commissioner = models.ForeignKey(
        "networks.Commissioner", on_delete=models.CASCADE, related_name="batch_runs"
    )
    month = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Batch run for {self.commissioner.code} {self.month:%B %Y}: {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
