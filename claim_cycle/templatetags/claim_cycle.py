"""`{% claim_deadline claim %}`: a monthly claim's deadline, on the pages where a practice
prepares it (one query: the commissioner's claim window)."""

from django import template
from django.utils import timezone

from claim_cycle import selectors

register = template.Library()


@register.inclusion_tag("claim_cycle/_claim_deadline.html")
def claim_deadline(claim):
    found = selectors.deadline_for_claim(claim) if claim.is_editable else None
    if found is None:
        return {"deadline": None}
    deadline, window = found
    return {
        "deadline": deadline,
        "rule": window.describe(),
        "passed": deadline < timezone.localdate(),
    }
