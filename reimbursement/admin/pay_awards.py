"""The admin's "Apply a national pay award": a form, a preview of every figure it would create
and every approved line it leaves under-paid, then the award itself, all through
reimbursement.services.pay_award_apply. National administrators (superusers) only; the Rate
list links here (roles cannot import reimbursement, so the page lives on this side)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from pcn_admin import access
from pcn_admin.form_errors import add_service_errors
from roles.models import Provenance, Rate

from .. import services

GROUPS = services.PAY_AWARD_GROUPS


class PayAwardForm(forms.Form):
    # Not required here: the service says what is wrong, per field, in its own words.
    percent = forms.DecimalField(
        label="Award (%)",
        required=False,
        max_digits=6,
        decimal_places=3,
        help_text="The national award, for example 3.6 for 3.6%.",
        error_messages={"invalid": "Give the award as a number, for example 3.6."},
    )
    effective_from = forms.DateField(
        label="From",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The 1st of the month the award starts, for example 01/04/2025. A date in "
        "the past drafts adjustment claims for the months already approved.",
        error_messages={"invalid": "Enter the date as day/month/year, for example 01/04/2025."},
    )
    group = forms.ChoiceField(
        label="Staff group",
        required=False,
        choices=[
            ("afc", f"{GROUPS['afc']}: every ARRS role but the GP"),
            ("gp", f"{GROUPS['gp']}: newly qualified GPs"),
        ],
    )


def _page(admin_site, request, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        "admin/reimbursement/pay_award.html",
        {
            **admin_site.each_context(request),
            "opts": Rate._meta,
            "title": "Apply a national pay award",
            **context,
        },
    )


def _award(form: PayAwardForm) -> dict:
    data = form.cleaned_data
    return {
        "percent": data["percent"] if data["percent"] is not None else "",
        "effective_from": data["effective_from"],
        "group": data["group"],
    }


def pay_award_view(admin_site, request):
    """GET: the form. POST "preview": the figures and lines, and a button to apply. POST
    "apply": the award, then back to the rates, with what was created and drafted."""
    access.require(request.user, access.Permission.EDIT_RATES)
    form = PayAwardForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _page(admin_site, request, form=form)
    applying = "apply" in request.POST
    try:
        result = services.pay_award_apply(**_award(form), by=request.user, dry_run=not applying)
    except ValidationError as error:
        add_service_errors(form, error)
        return _page(admin_site, request, form=form)
    if not applying:
        return _page(admin_site, request, form=form, result=result, preview=True)
    messages.success(
        request,
        f"The {result.award.label} is applied: {len(result.created)} derived maxima created, "
        f"{len(result.adjustments)} adjustment claim(s) drafted for the practices to submit.",
    )
    for problem in result.problems:
        messages.warning(request, problem)
    url = reverse("admin:roles_rate_changelist")
    return redirect(f"{url}?provenance__exact={Provenance.DERIVED_UPLIFT}")
