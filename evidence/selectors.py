"""Reads for claim evidence: a line's files, oldest first, with who uploaded each."""

from django.db.models import QuerySet

from .models import Attachment


def attachments_of_line(line) -> QuerySet[Attachment]:
    return (
        Attachment.objects.filter(line=line)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
