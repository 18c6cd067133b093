"""The NHS number check: ten digits, modulus 11 check digit."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from referrals.validators import (
    contains_nhs_number,
    is_valid_nhs_number,
    nhs_number_check_digit,
    normalise_nhs_number,
    validate_nhs_number,
)


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919"])
def test_the_documented_example_is_valid_however_it_is_typed(typed):
    validate_nhs_number(typed)
    assert normalise_nhs_number(typed) == "9434765919"


def test_a_wrong_check_digit_is_rejected_with_advice():
    with pytest.raises(ValidationError, match="last digit does not match"):
        validate_nhs_number("943 476 5918")


@pytest.mark.parametrize("last", range(10))
def test_when_the_remainder_gives_ten_no_check_digit_makes_it_valid(last):
    # 9,9,9,0,0,0,0,0,0 weighted 10..2 sums to 243; 243 mod 11 = 1; 11 - 1 = 10: invalid.
    assert nhs_number_check_digit("999000000") is None
    assert not is_valid_nhs_number(f"999000000{last}")


@pytest.mark.parametrize("typed", ["", "94347659", "94347659190", "94347659AB"])
def test_anything_but_ten_digits_is_a_format_error(typed):
    with pytest.raises(ValidationError) as error:
        validate_nhs_number(typed)
    assert error.value.code == "nhs_number_format"


def test_a_remainder_of_zero_gives_check_digit_zero():
    first_nine = next(
        f"{n:09d}"
        for n in range(999_000_000, 999_001_000)
        if sum(int(d) * w for d, w in zip(f"{n:09d}", range(10, 1, -1), strict=True)) % 11 == 0
    )
    assert nhs_number_check_digit(first_nine) == 0
    assert is_valid_nhs_number(first_nine + "0")


@given(st.integers(min_value=0, max_value=999_999_999))
def test_exactly_one_last_digit_is_valid_unless_the_remainder_is_ten(n):
    first_nine = f"{n:09d}"
    valid = [d for d in range(10) if is_valid_nhs_number(f"{first_nine}{d}")]
    assert len(valid) == (0 if nhs_number_check_digit(first_nine) is None else 1)


def test_free_text_with_a_valid_nhs_number_is_caught_but_other_numbers_are_not():
    assert contains_nhs_number("Seen by the team, NHS no 943 476 5919, in May")
    assert not contains_nhs_number("Call 01670 123 456 on Tuesdays")
