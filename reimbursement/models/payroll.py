"""A payroll file uploaded to fill a draft claim's lines: its rows kept as text, so a file with
problems can be shown again for correction, and the choices made when it was confirmed."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class PayrollUpload(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Waiting for you to check and confirm"
        REFUSED = "refused", "Has problems: correct the file and upload it again"
        CONFIRMED = "confirmed", "Confirmed: the claim's lines were filled"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel workbook (.xlsx)"

    # The rows hold named people's pay; the file's name may name one too.
    PERSONAL_DATA_FIELDS = ("file_name", "rows", "problems", "choices")

    claim = models.ForeignKey(
        "reimbursement.Claim", on_delete=models.PROTECT, related_name="payroll_uploads"
    )
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    rows = models.JSONField(
        default=list,
        blank=True,
        help_text="The file's rows as text by column (reimbursement.payroll.read_payroll).",
    )
    problems = models.JSONField(
        default=list, blank=True, help_text="What is wrong with the file, row by row."
    )
    choices = models.JSONField(
        default=dict,
        blank=True,
        help_text="When confirmed: each row's member of staff (post id), or 'skip' if left out.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    lines_filled = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(confirmed_at__isnull=False),
                name="confirmed_payroll_has_confirmed_at",
            ),
        ]

    def __str__(self):
        return f"Payroll {self.file_name} ({self.claim})"

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.RECEIVED
