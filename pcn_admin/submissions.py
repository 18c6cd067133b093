"""Form posts that are safe to repeat: a double click or a page sent again makes no duplicate.

A form that makes something carries a one-off token (`{% submission_token %}`, from
pcn_admin/templatetags/submissions.py). `once()` makes the change at most once per token, in
one transaction with the token's record; a second post of the same form is sent where the first
was, with a message saying so. On PostgreSQL the second post waits on the token's unique index
until the first commits; on SQLite it waits at BEGIN IMMEDIATE (settings.py). A change refused
with a ValidationError leaves no record, so the corrected form can be sent again.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from .models import FormSubmission

FIELD = "submission_token"
ALREADY_DONE = "This form was sent more than once: the change was made once, and here it is."
# A repeat comes within seconds of the first post; a day covers a page sent again much later.
KEEP_FOR = timedelta(days=1)


def token_of(request) -> uuid.UUID | None:
    """The token the posted form carried, or None (a form without one, or not a post)."""
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _user(request):
    return request.user if request.user.is_authenticated else None


def _earlier_answer(token: uuid.UUID, user) -> str | None:
    return (
        FormSubmission.objects.filter(token=token, user=user)
        .exclude(answer_url="")
        .values_list("answer_url", flat=True)
        .first()
    )


def _repeated(request, url: str):
    messages.info(request, ALREADY_DONE)
    return redirect(url)


def repeat_safe(view):
    """A view whose posts carry a token: a post whose token already made its change is sent
    where the first post was, before the form is even read (it may no longer be valid: a
    referral already moved on cannot move the same way again)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = token_of(request)
        if token is not None:
            earlier = _earlier_answer(token, _user(request))
            if earlier:
                return _repeated(request, earlier)
        return view(request, *args, **kwargs)

    return wrapped


def once(request, make: Callable[[], str]):
    """Call `make` (which makes the change and returns the URL to send the person on to) once
    for the posted token, and return the redirect: to that URL, or, for a repeat, to the first
    post's with a message. Without a token `make` is simply called."""
    token = token_of(request)
    if token is None:
        return redirect(make())
    user = _user(request)
    with transaction.atomic():
        try:
            # Claim the token first: a post racing this one stops here until this commits.
            with transaction.atomic():
                record = FormSubmission.objects.create(token=token, user=user)
        except IntegrityError:
            record = None
        if record is not None:
            url = make()
            record.answer_url = url
            record.save(update_fields=["answer_url"])
            FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
            return redirect(url)
    earlier = _earlier_answer(token, user)
    if earlier is None:
        # Only another person's session could hold the same random token.
        raise ValidationError("This form could not be sent. Open the page again and resend it.")
    return _repeated(request, earlier)
