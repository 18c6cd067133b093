"""Shared API plumbing: how errors raised below the API become clear 4xx answers.

Services validate with Django's ValidationError and the database PROTECTs rows that others
depend on; neither may reach a client as a server error (HTTP 500).
"""

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import ProtectedError, RestrictedError
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from . import access
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


class Allowed(permissions.BasePermission):
    """The access table for a viewset, so the API answers as the pages do.

    A viewset sets `access_permissions`: an action name ("create", "destroy", "submit"), or
    "read" (GET, HEAD, OPTIONS) or "write" (the rest), to a Permission; an action with none
    needs only a signed-in user. Objects outside the viewset's queryset (a visible_* scope) are
    404 before this runs; `access_object` says which object a permission's reach is checked
    against (the row itself by default).
    """

    def _permission(self, request, view):
        table = getattr(view, "access_permissions", {})
        action = getattr(view, "action", None)
        if action in table:
            return table[action]
        return table.get("read" if request.method in permissions.SAFE_METHODS else "write")

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        permission = self._permission(request, view)
        if permission is None or access.has(request.user, permission):
            return True
        self.message = access.REFUSALS[permission]
        return False

    def has_object_permission(self, request, view, obj):
        permission = self._permission(request, view)
        if permission is None:
            return True
        target = getattr(view, "access_object", lambda obj: obj)(obj)
        if access.can(request.user, permission, target):
            return True
        self.message = access.REFUSALS[permission]
        return False
