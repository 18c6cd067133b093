"""Pages of the referrals app: caseload, the new-referrals queue, referral detail, intake,
organisation inbox, overview and the public self-referral form. Thin: reads from selectors,
writes through services, access from pcn_admin/access.py, and every sight of an identifiable
record is audited."""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from networks.models import Membership
from pcn_admin import access, submissions
from pcn_admin.auth_views import client_ip_address
from pcn_admin.form_errors import add_service_errors

from . import selectors, services
from .forms import (
    CaseStudyForm,
    ContactForm,
    GPAppointmentsForm,
    OnwardReferralForm,
    OnwardResponseForm,
    OutcomeForm,
    ReferralForm,
    SelfReferralForm,
    StatusChangeForm,
)
from .models import (
    ENDED_STATUSES,
    SNOMED_LABELS,
    AuditEvent,
    OnwardReferral,
    Referral,
    ReferralSource,
    Status,
)

PAGE_SIZE = 25


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def link_worker_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not access.has(request.user, access.Permission.MANAGE_REFERRALS):
            raise PermissionDenied("Only link workers can do this.")
        return view(request, *args, **kwargs)

    return wrapped


def _referral_or_404(request, pk: int) -> Referral:
    """403 for a role that never sees referrals; 404 for a referral outside the user's PCN.
    Whether it shows who was referred is SEE_REFERRAL_IDENTITIES (decision 0010)."""
    if not access.has(request.user, access.Permission.VIEW_REFERRALS):
        raise PermissionDenied("Only the PCN's link workers and clinical director see referrals.")
    try:
        return selectors.referral_for_detail(
            referrals=access.visible_referrals(request.user), pk=pk
        )
    except Referral.DoesNotExist as missing:
        raise Http404("No such referral in your PCN.") from missing


# Link worker: caseload and intake ---------------------------------------------------------------


@link_worker_required
def caseload(request):
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    page = _page(request, selectors.caseload(link_worker=request.user, status=status or None))
    services.audit_records(user=request.user, action=AuditEvent.Action.LIST, instances=page)
    counts = selectors.caseload_counts_by_status(link_worker=request.user)
    return render(
        request,
        "referrals/caseload.html",
        {
            "page": page,
            "status": status,
            "status_counts": [(s, counts[s.value]) for s in Status],
            "people_last_year": selectors.people_in_last_twelve_months(link_worker=request.user),
            "guide_low": selectors.CASELOAD_GUIDE[0],
            "guide_high": selectors.CASELOAD_GUIDE[1],
            "overdue_days": selectors.OVERDUE_AFTER_DAYS,
            "queue": selectors.new_referral_counts(pcn_id=request.user.pcn_id),
        },
    )


@login_required
def queue(request):
    """The PCN's new referrals: those no link worker has taken yet, from any source, oldest
    first. Link workers see who and take one; the clinical director sees them without names."""
    access.require(request.user, access.Permission.VIEW_REFERRALS)
    today = timezone.localdate()
    page = _page(request, selectors.new_referrals(pcn_id=request.user.pcn_id))
    can_see_identities = access.has(request.user, access.Permission.SEE_REFERRAL_IDENTITIES)
    if can_see_identities:
        services.audit_records(
            user=request.user, action=AuditEvent.Action.LIST, instances=page, detail="queue"
        )
    cutoff = selectors.unassigned_cutoff(today=today)
    rows = [
        {
            "referral": referral,
            "working_days": selectors.working_days_waiting(referral, today=today),
            "too_long": referral.received_on < cutoff,
        }
        for referral in page
    ]
    return render(
        request,
        "referrals/queue.html",
        {
            "page": page,
            "rows": rows,
            "pcn": request.user.pcn,
            "counts": selectors.new_referral_counts(pcn_id=request.user.pcn_id, today=today),
            "can_take": access.has(request.user, access.Permission.MANAGE_REFERRALS),
            "can_see_identities": can_see_identities,
        },
    )


@require_POST
@login_required
def referral_take(request, pk):
    """Take a referral from the queue into one's caseload; safe to press twice, and when two
    link workers press at once one gets it and the other is told who did."""
    referral = _referral_or_404(request, pk)
    access.require(request.user, access.Permission.MANAGE_REFERRALS, referral)
    try:
        services.referral_take(referral=referral, by=request.user)
    except services.ReferralTaken as taken:
        messages.warning(request, taken.messages[0])
        return redirect("referrals:queue")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("referrals:queue")
    messages.success(
        request,
        f"You have taken the referral for {referral.full_name}: it is in "
        "your caseload now. Contact them soon, in the way they asked.",
    )
    return redirect("referrals:detail", pk=referral.pk)


@link_worker_required
@submissions.repeat_safe
def referral_create(request):
    pcn = request.user.pcn
    form = ReferralForm(
        request.POST or None,
        pcn=pcn,
        practices=access.visible_practices(request.user),
        initial={"link_worker": request.user},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "reasons"}
        warnings = selectors.referral_warnings(
            pcn_id=pcn.pk, nhs_number=data["nhs_number"], received_on=timezone.localdate()
        )
        if form.unseen_warnings(warnings):
            return render(request, "referrals/referral_form.html", {"form": form})

        def record() -> str:
            referral = services.referral_create(
                by=request.user, reasons=form.cleaned_data["reasons"], pcn=pcn, **data
            )
            messages.success(request, "Referral recorded.")
            return reverse("referrals:detail", args=[referral.pk])

        try:
            return submissions.once(request, record)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "referrals/referral_form.html", {"form": form})


# Referral detail and its actions ----------------------------------------------------------------


def _render_detail(request, referral, status=200, **forms):
    can_manage = access.can(request.user, access.Permission.MANAGE_REFERRALS, referral)
    context = {
        "referral": referral,
        "can_manage": can_manage,
        "can_see_identities": access.has(request.user, access.Permission.SEE_REFERRAL_IDENTITIES),
        "can_take": can_manage and referral.link_worker_id is None and referral.is_open,
        "is_ended": referral.status in ENDED_STATUSES,
        "gp_code_label": SNOMED_LABELS.get(referral.gp_code, ""),
    }
    if can_manage:
        context.update(
            status_form=forms.get("status_form") or StatusChangeForm(referral=referral),
            contact_form=forms.get("contact_form") or ContactForm(),
            onward_form=forms.get("onward_form") or OnwardReferralForm(),
            outcome_form=forms.get("outcome_form") or OutcomeForm(),
            gp_form=forms.get("gp_form") or GPAppointmentsForm(instance=referral),
            case_study_form=forms.get("case_study_form") or CaseStudyForm(),
        )
    return render(request, "referrals/referral_detail.html", context, status=status)


@login_required
def referral_detail(request, pk):
    referral = _referral_or_404(request, pk)
    services.audit_record(user=request.user, action=AuditEvent.Action.VIEW, instance=referral)
    return _render_detail(request, referral)


def _referral_action(form_name, form_class, handle, success_message, warnings=None):
    """A POST on the referral page: validate, call the service, or show the page again with
    the form as typed and its errors, or with `warnings(referral, form)` not yet shown."""

    @require_POST
    @login_required
    def view(request, pk):
        referral = _referral_or_404(request, pk)
        if not access.can(request.user, access.Permission.MANAGE_REFERRALS, referral):
            raise PermissionDenied("Only the PCN's link workers can change a referral.")
        return _act(request, referral)

    @submissions.repeat_safe  # after the access checks: a repeat is answered only to its sender
    def _act(request, referral):
        kwargs = {"referral": referral} if form_class is StatusChangeForm else {}
        if form_class is GPAppointmentsForm:
            kwargs["instance"] = Referral.objects.get(pk=referral.pk)
        form = form_class(request.POST, **kwargs)
        warned = form.is_valid() and warnings and form.unseen_warnings(warnings(referral, form))
        if form.is_valid() and not warned:

            def act() -> str:
                handle(request, referral, form)
                messages.success(request, success_message)
                return reverse("referrals:detail", args=[referral.pk])

            try:
                return submissions.once(request, act)
            except ValidationError as error:
                add_service_errors(form, error)
        services.audit_record(user=request.user, action=AuditEvent.Action.VIEW, instance=referral)
        status = 400 if form.errors else 200  # refused, or warned and free to carry on
        return _render_detail(request, referral, status=status, **{form_name: form})

    return view


referral_change_status = _referral_action(
    "status_form",
    StatusChangeForm,
    lambda request, referral, form: services.referral_change_status(
        referral=referral, by=request.user, **form.cleaned_data
    ),
    "Status changed.",
)
contact_add = _referral_action(
    "contact_form",
    ContactForm,
    lambda request, referral, form: services.contact_record(
        referral=referral, by=request.user, **form.cleaned_data
    ),
    "Contact recorded.",
)
onward_referral_add = _referral_action(
    "onward_form",
    OnwardReferralForm,
    lambda request, referral, form: services.onward_referral_create(
        referral=referral, by=request.user, **form.cleaned_data
    ),
    "Referral sent to the organisation.",
)
outcome_add = _referral_action(
    "outcome_form",
    OutcomeForm,
    lambda request, referral, form: services.outcome_record(
        referral=referral, by=request.user, **form.cleaned_data
    ),
    "Measurement recorded.",
)
gp_appointments_save = _referral_action(
    "gp_form",
    GPAppointmentsForm,
    lambda request, referral, form: services.referral_record_gp_appointments(
        referral=referral,
        before=form.cleaned_data["gp_appointments_before"],
        after=form.cleaned_data["gp_appointments_after"],
        by=request.user,
    ),
    "GP appointments recorded.",
    warnings=lambda referral, form: selectors.gp_appointments_warnings(
        referral=referral, after=form.cleaned_data["gp_appointments_after"]
    ),
)
case_study_add = _referral_action(
    "case_study_form",
    CaseStudyForm,
    lambda request, referral, form: services.case_study_create(
        by=request.user, pcn=referral.pcn, **form.cleaned_data
    ),
    "Case study saved. Check it names no one before sharing it.",
)


@login_required
def gp_message(request, pk):
    """The message back to the GP and referrer at the end of an episode, to print or download."""
    referral = _referral_or_404(request, pk)
    access.require(request.user, access.Permission.SEE_REFERRAL_IDENTITIES)  # it names them
    if referral.status not in ENDED_STATUSES:
        messages.warning(request, "The message to the GP is ready once the referral has ended.")
        return redirect("referrals:detail", pk=referral.pk)
    context = {
        "referral": referral,
        "gp_code_label": SNOMED_LABELS.get(referral.gp_code, ""),
        "accepted_onward": [
            o for o in referral.onward_referrals.all() if o.status == OnwardReferral.Status.ACCEPTED
        ],
    }
    services.audit_record(
        user=request.user, action=AuditEvent.Action.EXPORT, instance=referral, detail="gp message"
    )
    if request.GET.get("format") == "txt":
        response = HttpResponse(
            render_to_string("referrals/gp_message.txt", context),
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="social-prescribing-referral-{referral.pk}.txt"'
        )
        return response
    return render(request, "referrals/gp_message.html", context)


# Community organisations ------------------------------------------------------------------------


@login_required
def inbox(request):
    access.require(request.user, access.Permission.ANSWER_ONWARD_REFERRALS)
    onward = (
        access.visible_onward_referrals(request.user)
        .select_related("service", "referral")
        .prefetch_related("referral__reasons")
        .order_by("status", "-created_at", "-pk")
    )
    status = request.GET.get("status", "")
    if status in OnwardReferral.Status.values:
        onward = onward.filter(status=status)
    page = _page(request, onward)
    services.audit_records(
        user=request.user,
        action=AuditEvent.Action.LIST,
        instances=[o.referral for o in page if o.consent_to_share],
        detail="organisation inbox",
    )
    organisation = request.user.organisation
    referred_here = Referral.objects.filter(onward_referrals__service__organisation=organisation)
    summary = selectors.outcome_summaries_by(referred_here, by="organisation").get(
        organisation.pk, selectors.OutcomeSummary()
    )
    return render(
        request,
        "referrals/inbox.html",
        {
            "page": page,
            "organisation": organisation,
            "summary": summary,
            "status": status,
            "statuses": OnwardReferral.Status.choices,
            "response_form": OnwardResponseForm(),
        },
    )


@require_POST
@login_required
def inbox_respond(request, pk):
    access.require(request.user, access.Permission.ANSWER_ONWARD_REFERRALS)
    onward = get_object_or_404(access.visible_onward_referrals(request.user), pk=pk)
    form = OnwardResponseForm(request.POST)
    if form.is_valid():
        try:
            services.onward_referral_respond(
                onward_referral=onward,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["decline_reason"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"{onward.reference} answered: {onward.get_status_display().lower()}."
            )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("referrals:inbox")


# Overview: aggregates only ------------------------------------------------------------------------


@login_required
def overview(request):
    access.require(request.user, access.Permission.VIEW_REFERRAL_OVERVIEW)
    pcns = access.referral_overview_pcns(request.user)
    pcn_page = _page(request, pcns.order_by("code"))
    referrals = Referral.objects.filter(pcn__in=pcns)
    counts = selectors.status_counts_by_pcn([p.pk for p in pcn_page])
    summaries = selectors.outcome_summaries_by(
        referrals.filter(pcn__in=[p.pk for p in pcn_page]), by="pcn"
    )
    rows = [
        {
            "pcn": pcn,
            "counts": [counts[pcn.pk][s.value] for s in Status],
            "total": sum(counts[pcn.pk].values()),
            "summary": summaries.get(pcn.pk, selectors.OutcomeSummary()),
        }
        for pcn in pcn_page
    ]
    return render(
        request,
        "referrals/overview.html",
        {
            "page": pcn_page,
            "rows": rows,
            "statuses": list(Status),
            "overall": selectors.outcome_summary(referrals),
            "by_source": selectors.counts_by(referrals, "source__name"),
            "by_reason": selectors.counts_by(referrals, "reasons__name"),
        },
    )


# Public self-referral -----------------------------------------------------------------------------

# Every field of the form has a maximum; filled to the brim (in any script) they come to well
# under this. A bigger body is not a self-referral, and is refused before the form reads it.
SELF_REFERRAL_MAX_BYTES = 100_000


def _body_too_large(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > SELF_REFERRAL_MAX_BYTES
    except ValueError:
        return False  # Django itself reads a malformed length as no body


# How many requests the public form takes in an hour (django-ratelimit, counted in the shared
# cache, only for requests it stored). Per person and connection together: the same person's
# request sent again and again from one connection stops at the third, while a surgery or
# library computer helping several people is not locked out. Per connection alone, a much
# wider limit stops a flood of invented people.
SELF_REFERRAL_LIMITS = (
    ("person", "3/h"),  # the same name and date of birth, from the same connection
    ("connection", "20/h"),  # anyone, from the same connection
)


def _connection(request) -> str:
    return client_ip_address(request) or "unknown"


def _person_on_connection(group, request) -> str:
    """The person the request is about (name and date of birth, as typed but for case, spaces
    and leading zeros), hashed, with the connection it came from."""
    post = request.POST
    parts = [
        " ".join(post.get(name, "").split()).casefold() for name in ("given_name", "family_name")
    ] + [
        post.get(f"date_of_birth_{part}", "").strip().lstrip("0")
        for part in ("day", "month", "year")
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{_connection(request)}:{digest}"


_LIMIT_KEYS = {
    "person": _person_on_connection,
    "connection": lambda group, request: _connection(request),
}


def _self_referral_usage(request, *, count: bool) -> str | None:
    """Which limit, if any, this connection has reached for this person ("person") or for
    anyone ("connection"); with count=True, count one stored request against both."""
    for name, rate in SELF_REFERRAL_LIMITS:
        usage = get_usage(
            request,
            group=f"referrals.self_referral.{name}",
            key=_LIMIT_KEYS[name],
            rate=rate,
            method="POST",
            increment=count,
        )
        if not count and usage and usage["count"] >= usage["limit"]:
            return name
    return None


@submissions.repeat_safe
def self_referral(request):
    """No sign-in. Whatever is entered, the reply is the same: it never says whether the
    person is already known."""
    if request.method == "POST" and _body_too_large(request):
        return render(request, "referrals/self_referral_too_large.html", status=413)
    limited = _self_referral_usage(request, count=False) if request.method == "POST" else None
    if limited:
        return render(
            request, "referrals/self_referral_limited.html", {"limit": limited}, status=429
        )
    form = SelfReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        practice = data["practice"]
        membership = Membership.objects.current().select_related("pcn").get(practice=practice)

        def send() -> str:
            services.referral_create(
                by=None,
                reasons=data.pop("reasons"),
                pcn=membership.pcn,
                source=ReferralSource.objects.get(name=ReferralSource.SELF_REFERRAL),
                **data,
            )
            _self_referral_usage(request, count=True)  # only a stored request counts
            return reverse("referrals:self_referral_received")

        return submissions.once(request, send)
    return render(request, "referrals/self_referral_form.html", {"form": form})


def self_referral_received(request):
    return render(request, "referrals/self_referral_received.html")


def privacy_notice(request):
    """How the public self-referral form's answers are used: linked from the form."""
    return render(
        request,
        "referrals/privacy_notice.html",
        {"retention_years": settings.REFERRAL_RETENTION_YEARS},
    )
