"""A service's ValidationError shown on the form that asked for the change."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """By field where the form has that field, otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
