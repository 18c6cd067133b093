"""`{% load nhsuk %}`: the NHS.UK design system's patterns for the site's pages.

- `{% status_tag obj %}` shows a record's status as an NHS.UK tag, in the colour the design
  system gives that kind of status (https://service-manual.nhs.uk/design-system/components/tag):
  grey for not started or ended, blue for in progress or with someone else, yellow for waiting
  on us, orange for needing action, green for done, red for refused. One table (TAG_COLOURS)
  for claims, claim lines, batches, batch runs, referrals and onward referrals, so a status
  looks the same wherever it shows.
- `{{ field|nhsuk_widget }}` renders a form field's input with the design system's classes
  (nhsuk-input, nhsuk-select, ...), and its error class when the field has an error.
"""

from django import template
from django.utils.html import format_html

register = template.Library()

# (model label, status value) -> the tag's colour. Models are named by label, not imported:
# this module sits below the apps (.importlinter).
TAG_COLOURS: dict[str, dict[str, str]] = {
    "reimbursement.claim": {
        "draft": "grey",
        "submitted": "blue",
        "returned": "orange",
        "partly_approved": "aqua-green",
        "approved": "green",
        "rejected": "red",
    },
    "reimbursement.claimline": {
        "pending": "yellow",
        "approved": "green",
        "rejected": "red",
    },
    "reimbursement.declaredpayment": {
        "entered": "yellow",
        "approved": "green",
        "rejected": "red",
    },
    "reimbursement.payrollupload": {
        "received": "yellow",
        "refused": "red",
        "confirmed": "green",
    },
    "reimbursement.batch": {
        "draft": "yellow",
        "finalised": "blue",
        "paid": "green",
    },
    "reimbursement.batchrun": {
        "queued": "grey",
        "running": "blue",
        "done": "green",
        "failed": "red",
    },
    "referrals.referral": {
        "received": "yellow",
        "contacted": "blue",
        "assessment": "blue",
        "plan_agreed": "purple",
        "connected": "green",
        "closed": "grey",
        "declined": "orange",
        "did_not_engage": "orange",
    },
    "referrals.onwardreferral": {
        "pending": "yellow",
        "accepted": "green",
        "declined": "red",
    },
    "development.backfillclaim": {
        "submitted": "yellow",
        "approved": "green",
        "rejected": "red",
    },
    "workforce.workforceplan": {
        "draft": "grey",
        "submitted": "blue",
        "signed_off": "green",
        "superseded": "white",
    },
}
DEFAULT_COLOUR = "grey"


def tag_colour_for(label: str, status: str) -> str:
    """The NHS.UK tag colour for a status of a model ("reimbursement.batch", "paid")."""
    return TAG_COLOURS.get(label, {}).get(status, DEFAULT_COLOUR)


@register.filter
def tag_colour(obj) -> str:
    """`nhsuk-tag--<colour>` for the record's status."""
    return f"nhsuk-tag--{tag_colour_for(obj._meta.label_lower, obj.status)}"


@register.simple_tag
def status_tag(obj, text=None, testid=None):
    """The record's status as an NHS.UK tag. The words are `text` if given, else the record's
    own account of where it is (`status_text`, as claims have), else its status's label."""
    if text is None:
        text = getattr(obj, "status_text", None) or obj.get_status_display()
    if testid:
        return format_html(
            '<strong class="nhsuk-tag {}" data-testid="{}" data-status="{}">{}</strong>',
            tag_colour(obj),
            testid,
            obj.status,
            text,
        )
    return format_html(
        '<strong class="nhsuk-tag {}" data-status="{}">{}</strong>',
        tag_colour(obj),
        obj.status,
        text,
    )


# The design system's class for each kind of input (https://service-manual.nhs.uk/design-system).
_WIDGET_CLASSES = {
    "select": "nhsuk-select",
    "selectmultiple": "nhsuk-select",
    "textarea": "nhsuk-textarea",
    "checkbox": "nhsuk-checkboxes__input",
    "radioselect": "",
    "checkboxselectmultiple": "",
}
_ERROR_CLASSES = {"nhsuk-select": "nhsuk-select--error", "nhsuk-textarea": "nhsuk-textarea--error"}


@register.filter
def nhsuk_widget(field):
    """The field's input with the NHS.UK classes added to any it already has."""
    kind = field.widget_type
    css = _WIDGET_CLASSES.get(kind, "nhsuk-input")
    if css and field.errors:
        css = f"{css} {_ERROR_CLASSES.get(css, 'nhsuk-input--error')}"
    existing = field.field.widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {css}".strip()} if css else {}
    return field.as_widget(attrs=attrs)
