"""Bounds on what people type, shared by forms, serializers and services: dates the scheme
cannot hold, and the most free text a field takes. Past them, input is refused with a reason."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

# PCNs and the Additional Roles Reimbursement Scheme began on 1 July 2019 (Network Contract DES
# 2019/20): no claim month, and no claimable post, is earlier than 2019.
EARLIEST = dt.date(2019, 1, 1)
# The first month that can be claimed: PCNs themselves began on 1 July 2019.
PCNS_BEGAN = dt.date(2019, 7, 1)

# Free text: notes, reasons, descriptions. Five thousand characters is several pages.
NOTES_MAX_LENGTH = 5_000


def a_year_ahead(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def check_scheme_date(value: dt.date | None, *, field: str, label: str) -> None:
    """Refuse a date before 2019 or more than a year ahead, naming the field."""
    if value is None:
        return
    if value < EARLIEST:
        raise ValidationError(
            {field: f"{label} is before 2019, when PCNs and the ARRS began. Check the year."}
        )
    if value > a_year_ahead():
        raise ValidationError({field: f"{label} is more than a year ahead. Check the year."})


def bound_free_text(fields, max_length: int = NOTES_MAX_LENGTH) -> None:
    """Give each text field of a form that has no maximum (a model TextField's) one: the
    validator, and the browser's `maxlength` so nobody types past it unawares."""
    for field in fields.values():
        if isinstance(field, forms.CharField) and field.max_length is None:
            field.max_length = max_length
            field.validators.append(MaxLengthValidator(max_length))
            field.widget.attrs.setdefault("maxlength", str(max_length))
