"""Evidence for claim lines (payslips, contracts, job descriptions, sub-contract invoices) and
each commissioner's rule on when evidence is required.

The files are kept in the private "evidence" storage (settings.STORAGES): local files, or an
S3-compatible bucket. They have no public URL: evidence/views.py serves them after checking
access, and records each view in the audit log.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from simple_history.models import HistoricalRecords

STORAGE_ALIAS = "evidence"


class _EvidenceStorage(LazyObject):
    """settings.STORAGES["evidence"], looked up when first used rather than when the model is
    loaded, so that a changed STORAGES (the tests' temporary folder) is the one used."""

    def _setup(self):
        self._wrapped = storages[STORAGE_ALIAS]


evidence_storage = _EvidenceStorage()


def select_storage():
    return evidence_storage


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        evidence_storage._wrapped = empty


def stored_name(attachment, filename: str) -> str:
    """Where the file is kept: by claim and line, under a random name. The name the person gave
    it (which may name the member of staff) stays in the database, not in the storage."""
    suffix = PurePath(filename).suffix.lower()
    return (
        f"claims/{attachment.line.claim_id}/lines/{attachment.line_id}/{uuid.uuid4().hex}{suffix}"
    )


class Attachment(models.Model):
    """One file attached to a claim line as evidence of what is claimed."""

    class Kind(models.TextChoices):
        PAYSLIP = "payslip", "Payslip"
        CONTRACT = "contract", "Contract"
        JOB_DESCRIPTION = "job_description", "Job description"
        SUBCONTRACT_INVOICE = "subcontract_invoice", "Sub-contract invoice"

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG image"
        JPEG = "image/jpeg", "JPEG image"

    # The name it was uploaded with may name the member of staff. The stored name is random,
    # and the file itself (their pay or contract) is in the evidence storage, not the database:
    # a scrubbed copy of the database points at files it does not hold.
    PERSONAL_DATA_FIELDS = ("original_name",)

    line = models.ForeignKey(
        "reimbursement.ClaimLine", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(
        "type of evidence", max_length=24, choices=Kind.choices, default=Kind.PAYSLIP
    )
    file = models.FileField(storage=select_storage, upload_to=stored_name, max_length=255)
    original_name = models.CharField(
        "file name", max_length=255, help_text="The name of the file as it was uploaded."
    )
    content_type = models.CharField(
        max_length=32,
        choices=ContentType.choices,
        help_text="Read from the file's content when it was uploaded, not from its name.",
    )
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["line", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="evidence_attachment_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    def sent_with(self, claim) -> bool:
        """Whether the commissioner was sent this file: attached before the claim was last
        submitted. Such a file stays as it was sent."""
        return bool(claim.submitted_at) and self.uploaded_at <= claim.submitted_at

    @property
    def format_label(self) -> str:
        return self.ContentType(self.content_type).label if self.content_type else ""


@receiver(post_delete, sender=Attachment)
def _delete_stored_file(sender, instance, **kwargs):
    """A removed attachment (or one whose line was removed from a draft) takes its file with
    it, once the deletion is committed: a rolled-back deletion keeps the file."""
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: evidence_storage.delete(name))


class EvidenceSetting(models.Model):
    """A commissioner's rule on when a claim line must carry evidence before the claim can be
    submitted. A commissioner without a setting requires none."""

    class Required(models.TextChoices):
        NONE = "none", "Not required"
        FIRST_CLAIM = "first_claim", "For a person's first claim"
        EVERY_LINE = "every_line", "For every line"

    commissioner = models.OneToOneField(
        "networks.Commissioner", on_delete=models.PROTECT, related_name="evidence_setting"
    )
    required = models.CharField(
        "evidence required",
        max_length=16,
        choices=Required.choices,
        default=Required.NONE,
        help_text=(
            "When a claim line must have evidence attached (a payslip, contract, job description "
            "or sub-contract invoice) before the claim can be submitted. A person's first claim "
            "is the first claim submitted with a line for their post."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["commissioner__name"]
        verbose_name = "evidence setting"

    def __str__(self):
        return f"Evidence for {self.commissioner}: {self.get_required_display().lower()}"
