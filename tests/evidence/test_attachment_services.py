"""Attaching evidence to a claim line: a PDF, PNG or JPEG of at most 10 MB, judged by its content
and not only its name; refused with a clear message and nothing stored; fixed once sent."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from evidence import services
from evidence.models import Attachment, evidence_storage
from reimbursement import services as claims
from tests.evidence.factories import JPEG, PDF, PNG, upload
from tests.reimbursement.factories import filled_claim, submitted_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(world):
    claim = filled_claim(world)
    return claim.lines.get(post=world.pharmacist)


def _stored_files() -> set[str]:
    """Every file in the (temporary) evidence folder, which all the tests share."""
    root = Path(evidence_storage.location)
    return {str(path) for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("payslip.pdf", PDF, "application/pdf"),
        ("Scan 12 June.PNG", PNG, "image/png"),
        ("contract.jpeg", JPEG, "image/jpeg"),
        ("contract.jpg", JPEG, "image/jpeg"),
    ],
)
def test_a_pdf_png_or_jpeg_is_attached_with_its_size_type_and_checksum(
    world, line, name, content, content_type
):
    attachment = services.attachment_add(
        line=line, kind=Attachment.Kind.PAYSLIP, upload=upload(name, content), by=world.director
    )

    attachment.refresh_from_db()
    assert attachment.original_name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == world.director
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    # Kept under a random name: the person's name in the file's name stays out of storage.
    assert name not in attachment.file.name
    assert attachment.history.count() == 1


REFUSED = [
    ("notes.txt", b"Just some notes", "notes.txt is not a PDF, PNG or JPEG file"),
    ("payslip.docx", b"PK\x03\x04 word", "payslip.docx is not a PDF, PNG or JPEG file"),
    # Claiming to be a PDF while not being one: the content decides.
    ("payslip.pdf", b"<html>not a payslip</html>", "payslip.pdf is named as a PDF but its content"),
    ("payslip.pdf", b"PK\x03\x04" + b"\x00" * 40, "payslip.pdf is named as a PDF but its content"),
    ("payslip.pdf", PNG, "payslip.pdf is named as a PDF but is a PNG image. Rename it to end .png"),
    ("scan.png", JPEG, "scan.png is named as a PNG image but is a JPEG image"),
    ("empty.pdf", b"", "empty.pdf is empty"),
]


@pytest.mark.parametrize("name, content, message", REFUSED)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_stored(
    world, line, name, content, message
):
    files_before = _stored_files()

    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            line=line, kind=Attachment.Kind.PAYSLIP, upload=upload(name, content), by=world.director
        )

    assert message in refused.value.message_dict["file"][0]
    assert not Attachment.objects.exists()
    assert _stored_files() == files_before


def test_a_file_over_10_mb_is_refused_saying_its_size(world, line):
    too_big = PDF + b"\x00" * (services.MAX_BYTES + 1 - len(PDF))

    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            line=line, kind="payslip", upload=upload("scan.pdf", too_big), by=world.director
        )

    assert refused.value.message_dict["file"] == [
        "scan.pdf is 10.0 MB: a file can be at most 10 MB. Scan it at a lower resolution, or "
        "attach each page as a file of its own."
    ]
    assert not Attachment.objects.exists()


def test_a_file_of_exactly_10_mb_is_taken(world, line):
    exactly = PDF + b"\x00" * (services.MAX_BYTES - len(PDF))

    attachment = services.attachment_add(
        line=line, kind="payslip", upload=upload("scan.pdf", exactly), by=world.director
    )

    assert attachment.size == 10 * 1024 * 1024


def test_an_unknown_kind_of_evidence_is_refused(world, line):
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(line=line, kind="selfie", upload=upload(), by=world.director)

    assert "kind" in refused.value.message_dict
    assert not Attachment.objects.exists()


def test_nothing_can_be_attached_once_the_claim_is_submitted(world):
    claim = submitted_claim(world)
    line = claim.lines.first()

    with pytest.raises(ValidationError, match="can no longer change"):
        services.attachment_add(line=line, kind="payslip", upload=upload(), by=world.director)
    assert not Attachment.objects.exists()


def test_evidence_can_be_added_to_a_claim_returned_to_the_practice(world):
    claim = submitted_claim(world)
    claims.claim_return(claim=claim, query="Please send the payslips.", by=world.reviewer)

    attachment = services.attachment_add(
        line=claim.lines.first(), kind="payslip", upload=upload(), by=world.practice_manager
    )

    assert attachment.pk


def test_an_approved_line_takes_no_more_evidence(world):
    claim = submitted_claim(world)
    line = claim.lines.get(post=world.pharmacist)
    claims.claim_line_approve(line=line, reason="", by=world.reviewer)
    claims.claim_return(claim=claim, query="And the other line?", by=world.reviewer)

    with pytest.raises(ValidationError, match="has been approved"):
        services.attachment_add(line=line, kind="payslip", upload=upload(), by=world.director)


def test_a_file_attached_to_a_draft_can_be_removed_and_its_stored_copy_goes(
    world, line, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        line=line, kind="payslip", upload=upload(), by=world.director
    )
    name = attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=attachment, by=world.director)

    assert not Attachment.objects.exists()
    assert not evidence_storage.exists(name)
    assert attachment.history.filter(history_type="-").get().history_user == world.director


def test_a_file_sent_with_the_claim_stays_even_when_the_claim_is_returned(world):
    claim = filled_claim(world)
    line = claim.lines.get(post=world.pharmacist)
    sent = services.attachment_add(line=line, kind="payslip", upload=upload(), by=world.director)
    claims.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )
    claims.claim_return(claim=claim, query="Which month is this payslip for?", by=world.reviewer)
    added_since = services.attachment_add(
        line=line, kind="payslip", upload=upload("june.pdf"), by=world.director
    )

    with pytest.raises(ValidationError, match="was sent to your commissioner with the claim"):
        services.attachment_remove(attachment=sent, by=world.director)
    services.attachment_remove(attachment=added_since, by=world.director)

    assert list(Attachment.objects.all()) == [sent]
    assert evidence_storage.exists(sent.file.name)


def test_nothing_can_be_removed_once_the_claim_is_submitted(world, line):
    attachment = services.attachment_add(
        line=line, kind="payslip", upload=upload(), by=world.director
    )
    claims.claim_submit(
        claim=line.claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )

    with pytest.raises(ValidationError, match="can no longer change"):
        services.attachment_remove(attachment=attachment, by=world.director)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_line_dropped_from_a_draft_takes_its_evidence_with_it(
    world, line, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        line=line, kind="payslip", upload=upload(), by=world.director
    )
    name = attachment.file.name
    world.pharmacist.end_date = line.claim.month - dt.timedelta(days=1)
    world.pharmacist.save()

    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_refresh_lines(claim=line.claim, by=world.director)

    assert not Attachment.objects.exists()
    assert not evidence_storage.exists(name)
