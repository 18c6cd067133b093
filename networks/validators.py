"""Checks on organisation names (practices, PCNs, commissioners) on every way in: the API, the
admin's forms and imports, and the national-file importers.

Names go out again in CSV and XLSX downloads, so one that a spreadsheet would run as a
formula is refused where it comes in, as well as defused where it goes out.
"""

import re

from django.core.exceptions import ValidationError

from pcn_admin.spreadsheets import FORMULA_STARTS

# Letters (any alphabet), digits, spaces and the punctuation real ODS names use: "ST. JOHN'S
# (ALNWICK) & DISTRICT", "HEALTH@WORK", "BLYTH-SEATON / CRAMLINGTON", "LIVING WELL +".
ALLOWED_PUNCTUATION = "&'’(),./+@_:;!?\"#-"
NAME_PATTERN = re.compile(r"[^\W_]| |[" + re.escape(ALLOWED_PUNCTUATION) + "]")
# The whole name at once: the importers check some 26,000 names in an ePCN file.
WHOLE_NAME = re.compile(r"(?:[^\W_]| |[" + re.escape(ALLOWED_PUNCTUATION) + "])*")
_SHOWN = {"\t": "a tab", "\r": "a line break", "\n": "a line break"}


def organisation_name_problem(value: str) -> str:
    """Why the name cannot be used, in words for the person who typed it; "" when it can."""
    if not isinstance(value, str):
        return "Enter the name as text."
    start = value.lstrip(" ")[:1]
    if start and start in FORMULA_STARTS:
        shown = _SHOWN.get(start, f"“{start}”")
        return (
            f"A name cannot start with {shown}: a spreadsheet would run it as a formula. "
            "Start the name with a letter or a digit."
        )
    if WHOLE_NAME.fullmatch(value):
        return ""
    refused = sorted({char for char in value if not NAME_PATTERN.fullmatch(char)})
    if refused:
        shown = ", ".join(_SHOWN.get(char, repr(char)) for char in refused)
        return (
            f"A name can hold letters, digits, spaces and ordinary punctuation "
            f"({' '.join(ALLOWED_PUNCTUATION)}); remove {shown}."
        )
    return ""


def validate_organisation_name(value: str) -> None:
    """The model fields' validator: a practice, PCN or commissioner name safe to show and export."""
    problem = organisation_name_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_name")
