"""NHS number checks: ten digits whose last is a modulus 11 check digit (social-prescribing.md)."""

import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """People type `943 476 5919` or `943-476-5919`; store the ten digits alone."""
    return _SEPARATORS.sub("", value or "")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when the remainder makes the number invalid.

    Multiply the digits by 10 down to 2, sum, take the remainder by 11 and subtract it from 11;
    11 becomes 0 and 10 means no valid number has these first nine digits.
    """
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    number = normalise_nhs_number(value)
    if len(number) != 10 or not number.isdigit():
        return False
    return nhs_number_check_digit(number[:9]) == int(number[9])


def validate_nhs_number(value: str) -> None:
    number = normalise_nhs_number(value)
    if len(number) != 10 or not number.isdigit():
        raise ValidationError(
            "An NHS number is 10 digits, for example 943 476 5919. Check the number and try again.",
            code="nhs_number_format",
        )
    if not is_valid_nhs_number(number):
        raise ValidationError(
            "This is not a valid NHS number: its last digit does not match. "
            "Check each digit against the person's NHS letter or NHS App.",
            code="nhs_number_check_digit",
        )


_TEN_DIGITS = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")


def contains_nhs_number(text: str) -> bool:
    """Free text meant to be anonymous must not carry a valid NHS number."""
    return any(is_valid_nhs_number(match) for match in _TEN_DIGITS.findall(text or ""))
