"""Pages for staff in post: PCNs list, add, change and end their posts; commissioners read.
And the coverage of the national ARRS figures, for commissioner staff (roles.coverage)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pcn_admin import access, submissions
from pcn_admin.form_errors import add_service_errors
from pcn_admin.spreadsheets import defused

from . import coverage, selectors, services
from .forms import PostEndForm, PostForm

PAGE_SIZE = 25


def _post_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("pcn", None)
    data.pop("hours", None)
    data.pop("hours_from", None)
    return data


@login_required
def post_list(request):
    access.require(request.user, access.Permission.VIEW_POSTS)
    page = Paginator(
        selectors.posts_for_list(access.visible_posts(request.user)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    editable = set(access.editable_pcns_for_posts(request.user).values_list("pk", flat=True))
    rows = [
        {"post": post, "hours": selectors.current_hours(post), "can_edit": post.pcn_id in editable}
        for post in page
    ]
    return render(
        request,
        "roles/post_list.html",
        {"page": page, "rows": rows, "can_add": bool(editable)},
    )


@login_required
@submissions.repeat_safe
def post_create(request):
    pcns = access.editable_pcns_for_posts(request.user)
    access.require(request.user, access.Permission.EDIT_POSTS)
    if not pcns.exists():
        raise PermissionDenied("Your PCN is not recorded, so no posts can be added for it yet.")
    form = PostForm(request.POST or None, pcns=pcns)
    if request.method == "POST" and form.is_valid():

        def add() -> str:
            post = services.post_create(
                pcn=form.cleaned_data["pcn"],
                hours=form.cleaned_data["hours"],
                by=request.user,
                **_post_fields(form),
            )
            messages.success(request, f"{post.person_name} added as {post.role.name}.")
            return reverse("roles:post_list")

        try:
            return submissions.once(request, add)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "roles/post_form.html", {"form": form, "post": None})


def _posts(user):
    return access.visible_posts(user).select_related("pcn", "role")


@login_required
@access.loads(access.Permission.EDIT_POSTS, _posts)
def post_edit(request, post):
    pcns = access.editable_pcns_for_posts(request.user)
    initial = {"hours": selectors.current_hours(post)}
    form = PostForm(request.POST or None, instance=post, pcns=pcns, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_update(
                post=post,
                by=request.user,
                hours=form.cleaned_data["hours"],
                hours_from=form.cleaned_data.get("hours_from"),
                **_post_fields(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Changes to {post.person_name}'s post saved.")
            return redirect("roles:post_list")
    return render(request, "roles/post_form.html", {"form": form, "post": post})


@login_required
@access.loads(access.Permission.EDIT_POSTS, _posts)
def post_end(request, post):
    form = PostEndForm(request.POST or None, initial={"end_date": post.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_end(post=post, end_date=form.cleaned_data["end_date"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{post.person_name}'s post ends on {form.cleaned_data['end_date']:%d %B %Y}.",
            )
            return redirect("roles:post_list")
    return render(request, "roles/post_end.html", {"form": form, "post": post})


@login_required
def figures_coverage(request):
    """Every role, region and month of the previous and current financial years: whether a
    maximum and a percentage are in force, where the maximum comes from, and the gaps."""
    access.require(request.user, access.Permission.VIEW_FIGURES_COVERAGE)
    report = coverage.figures_coverage()
    show_admin = access.has(request.user, access.Permission.USE_ADMIN)
    return render(
        request,
        "roles/figures_coverage.html",
        {
            "coverage": report,
            "rates_url": reverse("admin:roles_rate_changelist") if show_admin else "",
        },
    )


@login_required
def figures_coverage_csv(request):
    access.require(request.user, access.Permission.VIEW_FIGURES_COVERAGE)
    report = coverage.figures_coverage()
    years = "-".join(label.replace("/", "-") for label in report.year_labels)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"arrs-figures-coverage-{years}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in coverage.coverage_csv_rows(report):
        # Role names are typed in the admin: defuse would-be formulas.
        writer.writerow([defused(value) for value in row])
    return response
