"""E-mails about claims: the practice hears of every change; commissioner staff of a submission.

Sent after the transaction commits, so a change that is rolled back sends nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse

from networks.models import NominatedPayee
from pcn_admin.models import Role, User

from .models import Claim

_muted: ContextVar[bool] = ContextVar("claim_emails_muted", default=False)


@contextmanager
def muted():
    """For loading demo data: the demo's people have nobody to hear from."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def practice_recipients(claim: Claim) -> list[str]:
    """The PCN's clinical director and the payee practice's practice managers on the month."""
    payee = NominatedPayee.objects.filter(
        pcn_id=claim.pcn_id, practice_id=OuterRef("practice_id"), start_date__lte=claim.month
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=claim.month))
    users = User.objects.filter(is_active=True).exclude(email="")
    users = users.filter(
        Q(role=Role.CLINICAL_DIRECTOR, pcn_id=claim.pcn_id)
        | Q(Exists(payee), role=Role.PRACTICE_MANAGER)
    )
    return sorted(set(users.values_list("email", flat=True)))


def reviewer_recipients(claim: Claim) -> list[str]:
    users = User.objects.filter(
        is_active=True, role=Role.COMMISSIONER_STAFF, commissioner_id=claim.pcn.commissioner_id
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _send(claim: Claim, recipients: list[str], subject: str, message: str) -> None:
    if not recipients or _muted.get():
        return
    body = render_to_string(
        "reimbursement/email/claim_changed.txt",
        {
            "claim": claim,
            "message": message,
            "path": reverse("reimbursement:claim_detail", args=[claim.pk]),
        },
    )
    # One message per recipient, so nobody sees the others' addresses.
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def notify_practice(claim: Claim, subject: str, message: str) -> None:
    _send(claim, practice_recipients(claim), f"{claim}: {subject}", message)


def notify_reviewers(claim: Claim, subject: str, message: str) -> None:
    _send(claim, reviewer_recipients(claim), f"{claim}: {subject}", message)
