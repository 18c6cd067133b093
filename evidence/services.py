"""Writes for claim evidence: attach a file to a line, remove it, set a commissioner's rule; and
the rule's check when a claim is submitted (reimbursement.services.claim_submit calls
`claim_evidence_errors`).

Keyword-only and transactional. A file is checked by its content (its first bytes), not only by
its name: a PDF, PNG or JPEG of at most 10 MB. Evidence is added while the practice may still
change the claim (a draft, or returned by the commissioner); once a claim has been submitted
with a file, that file stays. Who may call these is decided at the edge by pcn_admin.access.
Viewing a file is recorded in the audit log by the download view, not here: the money layers
stay clear of social prescribing, where the audit log lives.
"""

import hashlib
from collections.abc import Callable
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from reimbursement.models import Claim, ClaimLine

from .models import Attachment, EvidenceSetting

# "At most 10 MB each" (the limit), counted in binary megabytes as file managers do.
MAX_BYTES = 10 * 1024 * 1024
# The name's ending each content type may have; the content decides, the name must agree.
EXTENSIONS = {
    Attachment.ContentType.PDF: (".pdf",),
    Attachment.ContentType.PNG: (".png",),
    Attachment.ContentType.JPEG: (".jpg", ".jpeg"),
}
ALLOWED = "a PDF, PNG or JPEG file"
# How many bytes are read to tell the type (filetype reads no more than this).
HEAD_BYTES = 8192


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _save(instance, by) -> None:
    instance._history_user = by  # simple_history reads this outside a request
    instance.save()


def file_problem(name: str, head: bytes, size: int) -> str:
    """Why this file cannot be evidence, or "" when it can: its size, then its name's ending,
    then what its content is (read from its first bytes, whatever its name says)."""
    if size == 0:
        return f"{name} is empty. Choose the file again: {ALLOWED} of at most 10 MB."
    if size > MAX_BYTES:
        return (
            f"{name} is {_megabytes(size)}: a file can be at most 10 MB. Scan it at a lower "
            "resolution, or attach each page as a file of its own."
        )
    suffix = PurePath(name).suffix.lower()
    named_as = next((kind for kind, endings in EXTENSIONS.items() if suffix in endings), None)
    if named_as is None:
        return (
            f"{name} is not {ALLOWED}. Save or scan it as a PDF (or a PNG or JPEG picture) "
            "and attach that."
        )
    found = filetype.guess(head)
    content = found.mime if found is not None else None
    if content not in EXTENSIONS:
        return (
            f"{name} is named as a {named_as.label} but its content is not one: it may be "
            "damaged, or another kind of file renamed. Save or scan it again as a PDF and "
            "attach that."
        )
    if content != named_as:
        actual = Attachment.ContentType(content)
        return (
            f"{name} is named as a {named_as.label} but is a {actual.label}. Rename it to end "
            f"{EXTENSIONS[actual][0]}, then attach it again."
        )
    return ""


def _require_editable(claim: Claim) -> None:
    if not claim.is_editable:
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()}: its evidence can no longer "
            "change. If it needs correcting, ask your commissioner to return the claim."
        )


def _lock(line: ClaimLine) -> tuple[Claim, ClaimLine]:
    """The claim, then its line, locked in the order claim_submit and the review lock them."""
    claim = Claim.objects.select_for_update().get(pk=line.claim_id)
    line = ClaimLine.objects.select_related("post").get(pk=line.pk)
    line.claim = claim
    return claim, line


@transaction.atomic
def attachment_add(*, line: ClaimLine, kind: str, upload: UploadedFile, by) -> Attachment:
    """Attach a file to a line of a draft or returned claim. Refused, with nothing stored, when
    the file is empty, over 10 MB, or not a PDF, PNG or JPEG by its content."""
    claim, line = _lock(line)
    _require_editable(claim)
    if line.is_locked:
        raise ValidationError(
            f"{line.post.person_name}'s line has been approved: its evidence can no longer change."
        )
    name = PurePath(upload.name or "").name
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    problem = file_problem(name, head, upload.size or 0)
    if problem:
        raise ValidationError({"file": problem})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    found = filetype.guess(head)
    attachment = Attachment(
        line=line,
        kind=kind,
        original_name=name[:255],
        content_type=found.mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    attachment.full_clean(exclude=["file"])
    # The file is stored last: if the row cannot be saved, the stored file goes again.
    attachment.file.save(name, upload, save=False)
    try:
        _save(attachment, by)
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by) -> None:
    """Remove a file attached since the claim was last submitted. What the commissioner has
    been sent stays: the reviewer's record of what was claimed does not change under them."""
    claim, line = _lock(attachment.line)
    _require_editable(claim)
    attachment = Attachment.objects.get(pk=attachment.pk)
    if attachment.sent_with(claim):
        raise ValidationError(
            f"{attachment.original_name} was sent to your commissioner with the claim on "
            f"{claim.submitted_at:%d %B %Y}, so it stays. Attach a corrected file as well."
        )
    attachment._history_user = by
    attachment.delete()


@transaction.atomic
def evidence_setting_set(*, commissioner, required: str, by) -> EvidenceSetting:
    """Set when a commissioner's claims need evidence on their lines."""
    setting = EvidenceSetting.objects.select_for_update().filter(
        commissioner=commissioner
    ).first() or EvidenceSetting(commissioner=commissioner)
    setting.required = required
    setting.updated_by = by
    setting.full_clean()
    _save(setting, by)
    return setting


def required_for(commissioner_id: int) -> str:
    setting = EvidenceSetting.objects.filter(commissioner_id=commissioner_id).first()
    return setting.required if setting else EvidenceSetting.Required.NONE


def lines_missing_evidence(
    *, claim: Claim, lines: list[ClaimLine], rule: str | None = None
) -> list[ClaimLine]:
    """The lines the commissioner's rule requires evidence on that have none. Approved lines
    are settled and not asked again. Three queries whatever the number of lines."""
    if rule is None:
        rule = required_for(claim.pcn.commissioner_id)
    open_lines = [line for line in lines if not line.is_locked]
    if rule == EvidenceSetting.Required.NONE or not open_lines:
        return []
    with_evidence = set(
        Attachment.objects.filter(line__in=open_lines).values_list("line_id", flat=True)
    )
    missing = [line for line in open_lines if line.pk not in with_evidence]
    if rule == EvidenceSetting.Required.FIRST_CLAIM and missing:
        # Claimed before: the post has a line on another claim that has been submitted.
        claimed_before = set(
            ClaimLine.objects.filter(
                post_id__in=[line.post_id for line in missing], claim__submitted_at__isnull=False
            )
            .exclude(claim=claim)
            .values_list("post_id", flat=True)
        )
        missing = [line for line in missing if line.post_id not in claimed_before]
    return missing


def claim_evidence_errors(
    *, claim: Claim, lines: list[ClaimLine], key: Callable[[ClaimLine], str]
) -> dict[str, list[str]]:
    """What stops a claim being submitted for want of evidence, as claim_submit reports its
    problems: each line's own message under `key(line)`, and one for the whole claim naming
    every line concerned."""
    rule = required_for(claim.pcn.commissioner_id)
    missing = lines_missing_evidence(claim=claim, lines=lines, rule=rule)
    if not missing:
        return {}
    why = (
        "for a person's first claim"
        if rule == EvidenceSetting.Required.FIRST_CLAIM
        else "for every line"
    )
    errors = {
        key(line): [
            f"Attach evidence for {line.post.person_name} (a payslip, contract, job "
            "description or sub-contract invoice): your commissioner requires it " + why + "."
        ]
        for line in missing
    }
    names = ", ".join(f"{line.post.person_name} ({line.post.role.name})" for line in missing)
    errors["__all__"] = [
        f"Your commissioner requires evidence {why}. Attach evidence to these lines before "
        f"submitting: {names}."
    ]
    return errors
