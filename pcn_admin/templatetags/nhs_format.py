"""`{% load nhs_format %}`: identifiers shown the NHS's way. `{{ number|nhs_number }}` shows a
stored NHS number, ten digits, in groups of three, three and four ("999 765 4323"), as NHS
services print it: easier to read aloud and to check against a letter or the NHS App."""

from django import template

register = template.Library()


@register.filter
def nhs_number(value):
    """'9997654323' -> '999 765 4323'. Anything else (empty, or not ten digits) is left as it
    is, so `|default:"Not known"` still works after it."""
    if not value:
        return value
    digits = "".join(str(value).split())
    if len(digits) != 10 or not digits.isdigit():
        return value
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
