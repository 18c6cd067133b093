"""Demo evidence: the demo commissioner asks for evidence on a person's first claim, and the
demo PCN's draft and returned claims carry a few invented payslips, an invoice and a scanned
contract, made here as small but real PDF and PNG files. Safe to run again: a file already
attached to a line (same name) is left alone, and a commissioner's rule once set is kept."""

import struct
import zlib

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from networks.models import Commissioner
from pcn_admin.models import User
from reimbursement.models import Claim

from . import services
from .models import Attachment, EvidenceSetting

# The demo claims reimbursement/seed.py makes that the practice may still change.
DEMO_CLAIM_STATUSES = (Claim.Status.DRAFT, Claim.Status.RETURNED)
# How many lines of each claim get evidence: the rest show a line without any.
LINES_WITH_EVIDENCE = 2


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF showing `lines` of plain ASCII text in Helvetica: a real PDF (header,
    objects, cross-reference table, trailer) that any reader opens, in a few hundred bytes."""
    text = " ".join(
        f"({_pdf_text(line.encode('ascii', 'replace').decode())}) Tj 0 -22 Td" for line in lines
    )
    stream = f"BT /F1 14 Tf 72 770 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body


def minimal_png(width: int = 120, height: int = 80, shade: int = 230) -> bytes:
    """A plain grey PNG picture (as a scanned page might be), built with zlib alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def payslip_pdf(person: str, month_label: str) -> bytes:
    return minimal_pdf(
        [
            "Payslip - demonstration only",
            f"Employee: {person}",
            f"Pay period: {month_label}",
            "Invented figures for PCN Admin's demo: not a real payslip.",
        ]
    )


def _evidence_for(line) -> tuple[str, str, bytes, str]:
    """(kind, file name, content, content type) a practice might attach to this line."""
    person = line.post.person_name
    month = f"{line.claim.month:%B %Y}"
    slug = person.lower().replace(" ", "-")
    if line.post.subcontractor_name:
        content = minimal_pdf(
            [
                f"Invoice - {line.post.subcontractor_name}",
                f"Link worker service: {person}, {month}",
                "Invented for PCN Admin's demo: not a real invoice.",
            ]
        )
        return (
            Attachment.Kind.SUBCONTRACT_INVOICE,
            f"invoice-{slug}.pdf",
            content,
            "application/pdf",
        )
    if line.claim.status == Claim.Status.RETURNED:
        # The commissioner asked about pensions: the practice sends a scan of the contract.
        return Attachment.Kind.CONTRACT, f"contract-{slug}.png", minimal_png(), "image/png"
    name = f"payslip-{slug}-{line.claim.month:%Y-%m}.pdf"
    return Attachment.Kind.PAYSLIP, name, payslip_pdf(person, month), "application/pdf"


def seed_demo(*, stdout) -> None:
    director = User.objects.filter(username="demo-director").select_related("pcn").first()
    preparer = User.objects.filter(username="demo-practice").first() or director
    reviewer = User.objects.filter(username="demo-commissioner").first()
    if director is None or reviewer is None:
        stdout.write("Evidence: demo users not found; load the register first. Skipped.")
        return
    commissioner = Commissioner.objects.get(pk=director.pcn.commissioner_id)
    if not EvidenceSetting.objects.filter(commissioner=commissioner).exists():
        services.evidence_setting_set(
            commissioner=commissioner,
            required=EvidenceSetting.Required.FIRST_CLAIM,
            by=reviewer,
        )
    added = 0
    claims = Claim.objects.filter(
        pcn=director.pcn, kind=Claim.Kind.NORMAL, status__in=DEMO_CLAIM_STATUSES
    ).order_by("month")
    for claim in claims:
        lines = claim.lines.select_related("post", "claim").order_by("pk")[:LINES_WITH_EVIDENCE]
        for line in lines:
            kind, name, content, content_type = _evidence_for(line)
            if Attachment.objects.filter(line=line, original_name=name).exists():
                continue
            try:
                services.attachment_add(
                    line=line,
                    kind=kind,
                    upload=SimpleUploadedFile(name, content, content_type=content_type),
                    by=preparer,
                )
            except ValidationError as error:
                stdout.write(f"Evidence: {name} not attached: {' '.join(error.messages)}")
                continue
            added += 1
    stdout.write(
        f"Evidence: {added} demo file(s) attached; {commissioner.code} asks for evidence "
        f"{EvidenceSetting.objects.get(commissioner=commissioner).get_required_display().lower()}."
    )
