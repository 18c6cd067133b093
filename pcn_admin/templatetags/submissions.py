"""`{% submission_token %}`: the hidden one-off token that makes a form's post safe to repeat
(pcn_admin/submissions.py). A form shown again with its errors keeps the token it was sent
with, so the corrected form, sent twice, still makes its change once."""

import uuid

from django import template
from django.utils.html import format_html

from pcn_admin.submissions import FIELD, token_of

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context) -> str:
    request = context.get("request")
    token = token_of(request) if request is not None else None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token or uuid.uuid4())
