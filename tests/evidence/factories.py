"""One factory per evidence model, and small real files to attach. Attachments made here skip
the services, for setting up states; tests of behaviour go through evidence/services.py."""

import hashlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence import models
from evidence.seed import minimal_pdf, minimal_png
from tests.networks.factories import CommissionerFactory
from tests.reimbursement.factories import ClaimLineFactory

PDF = minimal_pdf(["Payslip", "Employee: Priya Shah", "Pay period: June 2025"])
PNG = minimal_png()
# The start of a JPEG (JFIF) file: the magic bytes are what the type is read from.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def upload(name: str = "payslip.pdf", content: bytes = PDF, content_type: str = "") -> object:
    """A file as a browser sends it: the name and type the person's computer gave it."""
    return SimpleUploadedFile(name, content, content_type=content_type or "application/pdf")


class EvidenceSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EvidenceSetting

    commissioner = factory.SubFactory(CommissionerFactory)
    required = models.EvidenceSetting.Required.EVERY_LINE


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Attachment

    class Params:
        content = PDF

    line = factory.SubFactory(ClaimLineFactory)
    kind = models.Attachment.Kind.PAYSLIP
    file = factory.LazyAttribute(lambda o: SimpleUploadedFile(o.original_name, o.content))
    original_name = "payslip.pdf"
    content_type = models.Attachment.ContentType.PDF
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
