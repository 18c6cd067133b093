"""Admin for payment batches: staff build them (queued, with a page that shows progress),
finalise them, record their payment and download the files, each through
reimbursement.batches."""

import logging

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedAdminMixin
from pcn_admin.form_errors import add_service_errors

from .. import batches, exports, tasks
from ..forms import BuildBatchesForm, MarkPaidForm
from ..models import Batch, BatchRun

logger = logging.getLogger(__name__)

# The change page lists late lines up to this many; the line detail file has them all.
LATE_LINES_SHOWN = 200


class BatchMonthFilter(admin.SimpleListFilter):
    title = "month"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = model_admin.get_queryset(request).dates("month", "month", order="DESC")
        return [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in months]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            return queryset.filter(month=batches.parse_month(self.value()))
        except ValidationError:
            return queryset.none()


@admin.register(Batch)
class BatchAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: a batch changes only through the buttons, which call the services."""

    list_display = [
        "reference",
        "commissioner_code",
        "month_display",
        "status",
        "line_count",
        "late_line_count",
        "total_display",
    ]
    list_filter = ["status", BatchMonthFilter]
    search_fields = [
        "reference",
        "commissioner__code",
        "commissioner__name",
        "payees__pcn__code",
        "payees__pcn__name",
    ]
    list_select_related = ["commissioner"]
    show_full_result_count = False  # one count, of the filtered list, not two
    fieldsets = [
        (None, {"fields": ["reference", "commissioner", "month_display", "status"]}),
        (
            "Figures",
            {
                "fields": [
                    "total_display",
                    "line_count",
                    "late_line_count",
                    "stream_payment_count",
                    "built_at",
                ]
            },
        ),
        (
            "Finalised and paid",
            {
                "fields": [
                    "finalised_at",
                    "finalised_by",
                    "paid_on",
                    "payment_reference",
                    "paid_recorded_by",
                ]
            },
        ),
    ]
    readonly_fields = [
        "reference",
        "commissioner",
        "month_display",
        "status",
        "total_display",
        "line_count",
        "late_line_count",
        "stream_payment_count",
        "built_at",
        "finalised_at",
        "finalised_by",
        "paid_on",
        "payment_reference",
        "paid_recorded_by",
    ]

    def scoped_queryset(self, request):
        return access.visible_batches(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commissioner")

    def has_add_permission(self, request, *args):
        return False  # batches are built by the button or the schedule

    def has_change_permission(self, request, obj=None):
        return False  # every field is read-only: the status moves through the buttons

    def has_delete_permission(self, request, obj=None):
        return False  # money history: never deleted

    @admin.display(description="commissioner", ordering="commissioner__code")
    def commissioner_code(self, batch):
        return batch.commissioner.code

    @admin.display(description="batch month", ordering="month")
    def month_display(self, batch):
        return f"{batch.month:%B %Y}"

    @admin.display(description="total", ordering="total")
    def total_display(self, batch):
        return exports.money_text(batch.total)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("build/", view(self.build_view), name="reimbursement_batch_build"),
            path(
                "<path:object_id>/finalise/",
                view(self.finalise_view),
                name="reimbursement_batch_finalise",
            ),
            path(
                "<path:object_id>/mark-paid/",
                view(self.mark_paid_view),
                name="reimbursement_batch_mark_paid",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_build": access.has(request.user, access.Permission.MANAGE_BATCHES)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, unquote(object_id))
        extra = {}
        if batch is not None:
            can_manage = access.can(
                request.user, access.Permission.MANAGE_BATCHES, batch.commissioner
            )
            late_lines = exports.batch_lines(batch).filter(late=True)[:LATE_LINES_SHOWN]
            months = exports.claim_months_by_pcn(batch)
            payees = list(exports.payees_of(batch))
            for payee in payees:
                payee.claim_months = months.get(payee.pcn_id, [])
            extra = {
                "payees": payees,
                "late_lines": late_lines,
                "late_lines_cut": batch.late_line_count > LATE_LINES_SHOWN,
                "stream_totals": exports.batch_stream_totals(
                    batch, exports.batch_streams(), payees
                ),
                "can_finalise": can_manage and batch.status == Batch.Status.DRAFT,
                "can_mark_paid": can_manage and batch.status == Batch.Status.FINALISED,
                "can_download": can_manage,
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _batch_to_manage(self, request, object_id) -> Batch:
        """Outside the user's scope is a 404; a batch they see but may not manage is a 403."""
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            raise Http404("No batch found.")
        if not (
            access.has(request.user, access.Permission.USE_ADMIN)
            and access.can(request.user, access.Permission.MANAGE_BATCHES, batch.commissioner)
        ):
            raise PermissionDenied("Only the commissioner's staff can finalise or pay a batch.")
        return batch

    def _page(self, request, template: str, title: str, **context) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/reimbursement/batch/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                **context,
            },
        )

    def _change_page(self, batch: Batch):
        return redirect("admin:reimbursement_batch_change", batch.pk)

    def finalise_view(self, request, object_id):
        batch = self._batch_to_manage(request, object_id)
        if request.method == "POST":
            try:
                batches.batch_finalise(batch=batch, by=request.user)
            except ValidationError as error:
                for text in error.messages:
                    self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{batch.reference} finalised: its lines are in it for good. Download the "
                    "payment file for finance, then record the payment.",
                    messages.SUCCESS,
                )
            return self._change_page(batch)
        if batch.status != Batch.Status.DRAFT:
            self.message_user(
                request,
                f"{batch.reference} is already {batch.get_status_display().lower()}: only a "
                "draft batch can be finalised.",
                messages.ERROR,
            )
            return self._change_page(batch)
        return self._page(
            request,
            "finalise.html",
            f"Finalise {batch.reference}",
            batch=batch,
            original=batch,
            payee_count=batch.payees.count(),
        )

    def mark_paid_view(self, request, object_id):
        batch = self._batch_to_manage(request, object_id)
        if request.method != "POST" and batch.status != Batch.Status.FINALISED:
            self.message_user(
                request,
                f"{batch.reference} is {batch.get_status_display().lower()}: only a finalised "
                "batch can be marked as paid.",
                messages.ERROR,
            )
            return self._change_page(batch)
        form = MarkPaidForm(request.POST or None, initial={"paid_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                batches.batch_mark_paid(
                    batch=batch,
                    paid_on=form.cleaned_data["paid_on"],
                    payment_reference=form.cleaned_data["payment_reference"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                self.message_user(request, f"{batch.reference} recorded as paid.", messages.SUCCESS)
                return self._change_page(batch)
        return self._page(
            request,
            "mark_paid.html",
            f"Record the payment of {batch.reference}",
            batch=batch,
            original=batch,
            form=form,
        )

    def build_view(self, request):
        user = request.user
        if not (
            access.has(user, access.Permission.USE_ADMIN)
            and access.has(user, access.Permission.MANAGE_BATCHES)
        ):
            raise PermissionDenied("Only commissioner staff build payment batches.")
        form = BuildBatchesForm(
            request.POST or None, user=user, initial={"month": batches.default_month()}
        )
        if request.method == "POST" and form.is_valid():
            commissioner = form.cleaned_data["commissioner"]
            if not access.can(user, access.Permission.MANAGE_BATCHES, commissioner):
                raise PermissionDenied("You can only build your own area's batch.")
            run = None
            try:
                with transaction.atomic():
                    run = tasks.batch_run_request(
                        commissioner=commissioner, month=form.cleaned_data["month"], by=user
                    )
            except Exception:
                # Without a broker the task runs here, at commit, and re-raises a failure it
                # has already recorded on the run: show that on the progress page, not a 500.
                if run is None:
                    raise
                logger.exception("Batch run %s failed", run.pk)
            return redirect("admin:reimbursement_batchrun_progress", run.pk)
        default = batches.default_month()
        waiting = batches.waiting_by_claim_month(
            commissioner_ids=access.visible_commissioners(user).values("pk")
        )
        for row in waiting:
            month = row["claim__month"]
            row["joins"] = (
                "on time" if month == default else "late" if month < default else "a later batch"
            )
        return self._page(
            request,
            "build.html",
            "Build a payment batch",
            form=form,
            default_month=default,
            default_month_reason=batches.default_month_reason(),
            waiting=waiting,
            show_commissioner=access.sees_everything(user),
        )


@admin.register(BatchRun)
class BatchRunAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Requests to build batches, from the button or the schedule: read-only."""

    list_display = [
        "requested_at",
        "commissioner",
        "month_display",
        "status",
        "batch",
        "requested_by",
        "finished_at",
        "progress_link",
    ]
    list_filter = ["status"]
    list_select_related = ["commissioner", "batch", "requested_by"]
    readonly_fields = [
        "commissioner",
        "month",
        "status",
        "message",
        "batch",
        "requested_at",
        "requested_by",
        "started_at",
        "finished_at",
    ]
    fields = readonly_fields

    def scoped_queryset(self, request):
        return access.visible_batch_runs(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commissioner", "batch")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="month", ordering="month")
    def month_display(self, run):
        return f"{run.month:%B %Y}"

    @admin.display(description="progress")
    def progress_link(self, run):
        url = reverse("admin:reimbursement_batchrun_progress", args=[run.pk])
        return format_html('<a href="{}">Follow progress</a>', url)

    def get_urls(self):
        progress = path(
            "<path:object_id>/progress/",
            self.admin_site.admin_view(self.progress_view),
            name="reimbursement_batchrun_progress",
        )
        return [progress, *super().get_urls()]

    def progress_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = self.get_object(request, unquote(object_id))
        if run is None:
            raise Http404("No batch run found.")
        return TemplateResponse(
            request,
            "admin/reimbursement/batchrun/progress.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Batch for {run.commissioner.code}, {run.month:%B %Y}",
                "run": run,
                "original": run,
                "can_build": access.can(
                    request.user, access.Permission.MANAGE_BATCHES, run.commissioner
                ),
            },
        )
