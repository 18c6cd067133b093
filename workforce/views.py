"""Pages for workforce plans: the list, starting a plan (or its next version), a plan priced
against the PCN's entitlement with "Try this change" (re-priced in the response, nothing
saved) and "Save to plan", submitting, signing off, recruiting a planned post, and the
commissioner's view of an area's plans with its CSV. Thin: reads in selectors.py, writes in
services.py, who may do what in pcn_admin/access.py (403 without the permission, 404 outside
the scope)."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pcn_admin import access, submissions
from pcn_admin.dates import financial_year, year_label
from pcn_admin.form_errors import add_service_errors
from pcn_admin.spreadsheets import defused

from . import selectors, services
from .forms import PlannedPostForm, PlanStartForm, RecruitForm
from .models import FIRST_PLAN_YEAR, WorkforcePlan

PAGE_SIZE = 25
P = access.Permission


def _plans(user):
    return access.visible_workforce_plans(user).select_related(
        "pcn", "pcn__commissioner", "submitted_by", "signed_off_by"
    )


def _load_planned(request, pk: int, permission: P):
    """A planned post: 403 without the permission, 404 outside the plans the user sees, 403
    when the permission does not reach its plan."""
    access.require(request.user, permission)
    planned = get_object_or_404(
        access.visible_planned_posts(request.user).select_related(
            "plan", "plan__pcn", "role", "post"
        ),
        pk=pk,
    )
    access.require(request.user, permission, planned.plan)
    return planned


def _year(raw: str | None) -> int | None:
    """A year asked for in the query string, if it is one a plan can have."""
    try:
        year = int(raw or "")
    except ValueError:
        return None
    last = financial_year(timezone.localdate()) + 1
    return year if FIRST_PLAN_YEAR <= year <= last else None


def _detail(plan: WorkforcePlan) -> str:
    return reverse("workforce:plan_detail", args=[plan.pk])


# The list, and starting a plan ---------------------------------------------------------------


@login_required
def plan_list(request):
    return _list_page(request)


def _list_page(request, start_form=None):
    user = request.user
    access.require(user, P.VIEW_WORKFORCE_PLANS)
    plans = _plans(user)
    pcn = None
    if code := request.GET.get("pcn", "").strip().upper():
        pcn = get_object_or_404(access.workforce_plan_pcns(user), code=code)
        plans = plans.filter(pcn=pcn)
    year = _year(request.GET.get("year"))
    if year:
        plans = plans.filter(year=year)
    page = Paginator(plans.order_by("-year", "pcn__code", "-version"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    editable = access.editable_pcns_for_plans(user)
    if start_form is None and editable.exists():
        start_form = PlanStartForm(
            pcns=editable,
            years=selectors.plan_years(today),
            initial={"pcn": pcn, "year": year or financial_year(today)},
        )
    return render(
        request,
        "workforce/plan_list.html",
        {
            "page": page,
            "pcn": pcn,
            "year": year,
            "year_label": year_label(year) if year else "",
            "start_form": start_form,
            "can_sign_off": access.has(user, P.SIGN_OFF_WORKFORCE_PLANS),
            "filters": urlencode({"pcn": pcn.code if pcn else "", "year": year or ""}),
        },
    )


@login_required
@require_POST
@submissions.repeat_safe
def plan_start(request):
    """Start the PCN's plan for a year, or the next version of its submitted plan."""
    user = request.user
    access.require(user, P.EDIT_WORKFORCE_PLANS)
    pcns = access.editable_pcns_for_plans(user)
    form = PlanStartForm(request.POST, pcns=pcns, years=selectors.plan_years(timezone.localdate()))
    if form.is_valid():
        pcn, year = form.cleaned_data["pcn"], form.cleaned_data["year"]
        access.require(user, P.EDIT_WORKFORCE_PLANS, pcn)

        def start() -> str:
            plan = services.plan_start(pcn=pcn, year=year, by=user)
            messages.success(
                request,
                f"Version {plan.version} of {pcn.name}'s plan for {plan.label} started from "
                + ("the plan submitted before." if plan.version > 1 else "its staff in post."),
            )
            return _detail(plan)

        try:
            return submissions.once(request, start)
        except ValidationError as error:
            add_service_errors(form, error)
    return _list_page(request, start_form=form)


# One plan ------------------------------------------------------------------------------------


def _plan_context(request, plan: WorkforcePlan, posts, price) -> dict:
    user = request.user
    can_edit = access.can(user, P.EDIT_WORKFORCE_PLANS, plan)
    plan_versions = selectors.versions(plan)
    has_draft = any(version.is_draft for version in plan_versions)
    return {
        "plan": plan,
        "price": price,
        "rows": [(planned, price.by_post[planned.pk]) for planned in posts],
        "versions": plan_versions,
        "can_edit": can_edit and plan.is_draft,
        "can_submit": can_edit and plan.is_draft,
        "can_new_version": can_edit
        and plan.status in WorkforcePlan.LIVE
        and not has_draft
        and plan.year in selectors.plan_years(timezone.localdate()),
        "can_sign_off": plan.status == WorkforcePlan.Status.SUBMITTED
        and access.can(user, P.SIGN_OFF_WORKFORCE_PLANS, plan),
        "can_recruit": can_edit
        and plan.status != WorkforcePlan.Status.SUPERSEDED
        and access.can(user, P.EDIT_POSTS, plan.pcn),
        "area_url": reverse("workforce:area")
        + f"?year={plan.year}&commissioner={plan.pcn.commissioner.code}"
        if access.can(user, P.SIGN_OFF_WORKFORCE_PLANS, plan)
        else "",
    }


def _new_post_initial(plan: WorkforcePlan) -> dict:
    return {"region": selectors.usual_region(plan.pcn), "start_month": plan.first_month}


@login_required
@access.loads(P.VIEW_WORKFORCE_PLANS, _plans)
def plan_detail(request, plan):
    posts = selectors.planned_posts(plan)
    price = selectors.plan_price(plan, posts)
    context = _plan_context(request, plan, posts, price)
    if context["can_edit"]:
        context["form"] = PlannedPostForm(plan=plan, initial=_new_post_initial(plan))
    return render(request, "workforce/plan_detail.html", context)


@login_required
@submissions.repeat_safe
@access.loads(P.EDIT_WORKFORCE_PLANS, _plans)
def planned_post_add(request, plan):
    """Add a post: "Try this change" prices the plan with it, saving nothing; "Save to plan"
    saves it."""
    form = PlannedPostForm(request.POST or None, plan=plan, initial=_new_post_initial(plan))
    return _change_page(request, plan, form, planned=None)


@login_required
@submissions.repeat_safe
def planned_post_edit(request, pk: int):
    planned = _load_planned(request, pk, P.EDIT_WORKFORCE_PLANS)
    form = PlannedPostForm(request.POST or None, plan=planned.plan, instance=planned)
    return _change_page(request, planned.plan, form, planned=planned)


def _change_page(request, plan: WorkforcePlan, form: PlannedPostForm, *, planned):
    if not plan.is_draft:
        messages.error(
            request,
            f"Version {plan.version} of this plan is {plan.get_status_display().lower()}: "
            "start a new version to change it.",
        )
        return redirect(_detail(plan))
    posts = selectors.planned_posts(plan)
    trial = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":

            def save() -> str:
                if planned is None:
                    services.planned_post_add(plan=plan, by=request.user, **form.cleaned_data)
                else:
                    services.planned_post_update(
                        planned_post=planned, by=request.user, **form.cleaned_data
                    )
                messages.success(request, "Saved to the plan.")
                return _detail(plan)

            try:
                return submissions.once(request, save)
            except ValidationError as error:
                add_service_errors(form, error)
        else:
            # The form's instance now holds what was typed (checked by the model as saving
            # would check it): price the plan with it, save nothing.
            trial = selectors.what_if(plan, posts, form.instance)
    price = trial.before if trial else selectors.plan_price(plan, posts)
    return render(
        request,
        "workforce/planned_post_form.html",
        {"plan": plan, "planned": planned, "form": form, "price": price, "trial": trial},
    )


@login_required
@require_POST
def planned_post_remove(request, pk: int):
    planned = _load_planned(request, pk, P.EDIT_WORKFORCE_PLANS)
    try:
        services.planned_post_remove(planned_post=planned, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{selectors.describe(planned)} taken out of the plan.")
    return redirect(_detail(planned.plan))


@login_required
@require_POST
@access.loads(P.EDIT_WORKFORCE_PLANS, _plans)
def plan_submit(request, plan):
    try:
        services.plan_submit(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"The plan for {plan.label} has been submitted to your commissioner for sign-off.",
        )
    return redirect(_detail(plan))


@login_required
@require_POST
@access.loads(P.SIGN_OFF_WORKFORCE_PLANS, _plans)
def plan_sign_off(request, plan):
    try:
        services.plan_sign_off(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{plan.pcn.name}'s plan for {plan.label} is signed off.")
    return redirect(_detail(plan))


@login_required
@submissions.repeat_safe
def planned_post_recruit(request, pk: int):
    """The planned post is filled: record who, and it becomes a post in post."""
    planned = _load_planned(request, pk, P.EDIT_WORKFORCE_PLANS)
    access.require(request.user, P.EDIT_POSTS, planned.plan.pcn)
    if planned.post_id is not None:
        messages.info(request, f"This planned post is in post: {planned.post.person_name}.")
        return redirect(_detail(planned.plan))
    form = RecruitForm(request.POST or None, planned=planned)
    if request.method == "POST" and form.is_valid():

        def recruit() -> str:
            post = services.planned_post_recruit(
                planned_post=planned,
                by=request.user,
                **{name: form.cleaned_data.get(name) for name in form.fields},
            )
            messages.success(
                request,
                f"{post.person_name} is in post as {post.role.name} from "
                f"{post.start_date:%d %B %Y}: they are on the staff in post, ready to claim.",
            )
            return _detail(planned.plan)

        try:
            return submissions.once(request, recruit)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request, "workforce/planned_post_recruit.html", {"planned": planned, "form": form}
    )


# The commissioner's view of an area ---------------------------------------------------------


def _area(request):
    user = request.user
    access.require(user, P.SIGN_OFF_WORKFORCE_PLANS)
    commissioners = access.workforce_area_commissioners(user)
    if code := request.GET.get("commissioner", "").strip().upper():
        commissioner = get_object_or_404(commissioners, code=code)
    else:
        commissioner = commissioners.order_by("code").first()
        if commissioner is None:
            raise Http404("No commissioner is registered yet. Import the ePCN file first.")
    year = _year(request.GET.get("year")) or financial_year(timezone.localdate())
    # The PCNs open at some time in the year.
    pcns = (
        access.visible_pcns(user)
        .filter(commissioner=commissioner, open_date__lte=f"{year + 1}-03-31")
        .filter(Q(close_date__isnull=True) | Q(close_date__gte=f"{year}-04-01"))
    )
    return commissioner, year, selectors.area_plans(pcns=pcns, year=year)


@login_required
def area(request):
    commissioner, year, plans = _area(request)
    today = timezone.localdate()
    years = range(financial_year(today) + 1, FIRST_PLAN_YEAR - 1, -1)
    return render(
        request,
        "workforce/area.html",
        {
            "commissioner": commissioner,
            "year": year,
            "year_label": year_label(year),
            "years": [(y, year_label(y)) for y in years],
            "area": plans,
            "commissioners": commissioners_choice(request.user),
        },
    )


def commissioners_choice(user):
    if access.sees_everything(user):
        return access.workforce_area_commissioners(user).order_by("code")
    return None


AREA_CSV_HEADERS = [
    "PCN code",
    "PCN",
    "Plan version",
    "Status",
    "Planned cost (£)",
    "Entitlement (£)",
    "Headroom (£)",
    "Uses derived maxima",
]


@login_required
def area_csv(request):
    commissioner, year, plans = _area(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{commissioner.code}-{year}-{(year + 1) % 100:02d}-workforce-plans.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(AREA_CSV_HEADERS)

    def money(value):
        return "" if value is None else f"{value:.2f}"

    for row in plans.rows:
        writer.writerow(
            [
                defused(value)
                for value in (
                    row.pcn.code,
                    row.pcn.name,
                    row.plan.version if row.plan else "",
                    row.status_text,
                    money(row.planned),
                    money(row.price.arr_sum),
                    money(row.headroom),
                    "yes" if row.uses_derived else "no",
                )
            ]
        )
    writer.writerow(
        [
            "Total",
            f"{len(plans.rows)} PCNs",
            "",
            f"{plans.submitted} submitted, {plans.signed_off} signed off",
            money(plans.planned_total),
            money(plans.entitlement_total),
            money(plans.headroom_total),
            "",
        ]
    )
    return response
