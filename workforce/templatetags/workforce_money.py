"""`{% load workforce_money %}`: a plan's figures as the dashboards write money: "£1,234.56",
"Not known" for a figure that cannot be worked out (a year with no ARR sum rate)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
PENNY = Decimal("0.01")


@register.filter
def pounds(value) -> str:
    """£ to the penny, with a minus sign before the £ when negative; "Not known" for None."""
    if value is None or value == "":
        return "Not known"
    amount = Decimal(value).quantize(PENNY, ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.filter
def pounds_apart(value) -> str:
    """How far apart, without a sign: "£1,234.56" (the words around it say which way)."""
    if value is None or value == "":
        return "Not known"
    return pounds(abs(Decimal(value)))


@register.filter
def signed_pounds(value) -> str:
    """A change: "+£1,234.56", "-£1,234.56" or "£0.00"."""
    amount = Decimal(value).quantize(PENNY, ROUND_HALF_UP)
    return f"+{pounds(amount)}" if amount > 0 else pounds(amount)
