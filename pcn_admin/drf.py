"""Shared API plumbing: how errors raised below the API become clear 4xx answers.

Services validate with Django's ValidationError and the database PROTECTs rows that others
depend on; neither may reach a client as a server error (HTTP 500).
"""

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .bounds import NOTES_MAX_LENGTH


def api_validation_error(error: DjangoValidationError) -> ValidationError:
    """A Django ValidationError as DRF's, keeping field names (or `non_field_errors`)."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


class BoundedTextMixin:
    """For a ModelSerializer: a model TextField (which has no maximum) takes at most
    NOTES_MAX_LENGTH characters, so a client cannot store megabytes in a note."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.TextField) and "max_length" not in kwargs:
            kwargs["max_length"] = NOTES_MAX_LENGTH
        return field_class, kwargs


def _referred_by(error: ProtectedError | RestrictedError) -> str:
    objects = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
    counts = Counter(obj._meta for obj in objects)
    parts = [
        f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}"
        for meta, n in sorted(counts.items(), key=lambda item: item[0].verbose_name)
    ]
    return ", ".join(parts) or "other records"


def deletion_blocked_response(error: ProtectedError | RestrictedError) -> Response:
    message = (
        f"This cannot be deleted while other records refer to it ({_referred_by(error)}). "
        "Close or end it instead, or remove what refers to it first."
    )
    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)


def exception_handler(exc, context):
    """DRF's handler, plus: Django ValidationError is a 400, a protected delete a 409."""
    if isinstance(exc, DjangoValidationError):
        exc = api_validation_error(exc)
    elif isinstance(exc, ProtectedError | RestrictedError):
        return deletion_blocked_response(exc)
    return drf_exception_handler(exc, context)
