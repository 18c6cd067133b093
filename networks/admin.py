"""Admin for commissioner staff: the register of practices and PCNs, scoped to their area."""

import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedAdminMixin, ScopedInlineMixin

from . import selectors, services
from .forms import NationalFileForm
from .importers import FileNotRecognised, ImportFailed
from .models import (
    PCN,
    ClinicalDirector,
    Commissioner,
    ImportRecord,
    ListSize,
    Membership,
    NetworkAgreement,
    NominatedPayee,
    Practice,
)
from .resources import ListSizeResource, PCNResource, PracticeResource


class ScopedImportExportMixin:
    """Hand the importing user to the resource so rows outside their area are refused."""

    rollback_on_validation_errors = True

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return access.can_use_admin(request.user) and access.can_edit_register(request.user)

    def has_export_permission(self, request):
        return access.can_use_admin(request.user)


class OpenClosedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() in ("open", "closed"):
            return queryset.filter(close_date__isnull=self.value() == "open")
        return queryset


class ScopedCommissionerFilter(admin.RelatedFieldListFilter):
    """Offer only the commissioners the user can see."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in access.visible_commissioners(request.user)]


@admin.register(Commissioner)
class CommissionerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "icb_code", "clinical_director_must_be_gp"]
    search_fields = ["code", "name"]
    commissioner_path = ""

    def scoped_queryset(self, request):
        return access.visible_commissioners(request.user)

    def _commissioner_of(self, obj):
        return obj

    def has_add_permission(self, request, *args):
        return access.sees_everything(request.user)


class MembershipInline(ScopedInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["practice", "start_date", "end_date"]
    autocomplete_fields = ["practice"]
    verbose_name_plural = "membership history"
    ordering = ["-start_date", "practice__code"]


class PracticeMembershipInline(MembershipInline):
    fields = ["pcn", "start_date", "end_date"]
    autocomplete_fields = ["pcn"]


class NominatedPayeeInline(ScopedInlineMixin, admin.TabularInline):
    model = NominatedPayee
    extra = 0
    fields = ["practice", "account_name", "start_date", "end_date"]


class ClinicalDirectorInline(ScopedInlineMixin, admin.TabularInline):
    model = ClinicalDirector
    extra = 0
    fields = ["name", "professional_registration", "is_gp", "practice", "start_date", "end_date"]


class NetworkAgreementInline(ScopedInlineMixin, admin.StackedInline):
    model = NetworkAgreement
    extra = 0
    fields = ["signed_date", "core_members", "schedules_completed", "notes"]
    filter_horizontal = ["core_members"]


@admin.register(PCN)
class PCNAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportModelAdmin):
    resource_classes = [PCNResource]
    list_display = ["code", "name", "commissioner", "open_date", "close_date", "member_count"]
    list_filter = [OpenClosedFilter, ("commissioner", ScopedCommissionerFilter)]
    search_fields = ["code", "name"]
    readonly_fields = ["summary"]
    fieldsets = [
        (None, {"fields": ["summary"]}),
        (
            "Details",
            {
                "fields": [
                    "code",
                    "name",
                    "commissioner",
                    "open_date",
                    "close_date",
                    "address",
                    "postcode",
                ]
            },
        ),
        (
            "Population waiver",
            {
                "fields": ["population_waiver_date", "population_waiver_reason"],
                "description": "Record the commissioner's agreement when the "
                "registered population is below 30,000.",
            },
        ),
    ]
    inlines = [
        NetworkAgreementInline,
        NominatedPayeeInline,
        ClinicalDirectorInline,
        MembershipInline,
    ]

    def scoped_queryset(self, request):
        return access.visible_pcns(request.user)

    def get_queryset(self, request):
        current = Membership.objects.current()
        return (
            super()
            .get_queryset(request)
            .select_related("commissioner")
            .prefetch_related(Prefetch("memberships", current, to_attr="current_memberships"))
        )

    @admin.display(description="current members")
    def member_count(self, pcn):
        return len(pcn.current_memberships)

    @admin.display(description="Today")
    def summary(self, pcn):
        if not pcn.pk:
            return "Save the PCN to see its members and populations."
        population = selectors.populations_on([pcn.pk])[pcn.pk]
        pcn = selectors.with_current_relationships(PCN.objects.filter(pk=pcn.pk)).get()
        return render_to_string(
            "admin/networks/pcn_summary.html",
            {
                "pcn": pcn,
                "population": population,
                "warnings": selectors.population_warnings(pcn, population),
                "today": timezone.localdate(),
            },
        )


@admin.register(Practice)
class PracticeAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportModelAdmin):
    resource_classes = [PracticeResource]
    list_display = ["code", "name", "commissioner", "status", "current_pcn"]
    list_filter = ["status", ("commissioner", ScopedCommissionerFilter)]
    search_fields = ["code", "name", "postcode"]
    inlines = [PracticeMembershipInline]

    def scoped_queryset(self, request):
        return access.visible_practices(request.user)

    def get_queryset(self, request):
        current = Membership.objects.current().select_related("pcn")
        return (
            super()
            .get_queryset(request)
            .select_related("commissioner")
            .prefetch_related(Prefetch("memberships", current, to_attr="current_memberships"))
        )

    @admin.display(description="current PCN")
    def current_pcn(self, practice):
        current = getattr(practice, "current_memberships", None)
        return current[0].pcn.code if current else "—"


@admin.register(ListSize)
class ListSizeAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportModelAdmin):
    resource_classes = [ListSizeResource]
    list_display = ["practice", "date", "registered_patients", "weighted_patients"]
    list_filter = ["date"]
    search_fields = ["practice__code", "practice__name"]
    autocomplete_fields = ["practice"]
    commissioner_path = "practice__commissioner"

    def scoped_queryset(self, request):
        return ListSize.objects.filter(practice__in=access.visible_practices(request.user))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("practice")


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """The record of national-file imports, and (for superusers) a form to run one."""

    change_list_template = "admin/networks/importrecord/change_list.html"
    list_display = ["created_at", "kind", "file_name", "created_by"]
    list_filter = ["kind"]
    readonly_fields = [
        "kind",
        "file_name",
        "sha256",
        "created_at",
        "created_by",
        "counts",
        "warnings",
    ]

    def has_module_permission(self, request):
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_use_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        upload = path(
            "upload/", self.admin_site.admin_view(self.upload_view), name="networks_import_upload"
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        # National files touch every area in England, so only superusers load them.
        if not access.sees_everything(request.user):
            raise PermissionDenied
        form = NationalFileForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            errors = self._run_import(request, form)
            if not errors:
                return redirect("admin:networks_importrecord_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": "Import a national file",
            "opts": self.model._meta,
        }
        return render(request, "admin/networks/importrecord/upload.html", context)

    def _run_import(self, request, form) -> list[str]:
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / Path(upload.name).name
            with target.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                if suffix == ".xlsx":
                    outcome = services.epcn_import(path=target, by=request.user)
                else:
                    outcome = services.list_sizes_import(
                        path=target, date=form.cleaned_data["date"], by=request.user
                    )
            except ImportFailed as failure:
                return [str(error) for error in failure.errors]
            except FileNotRecognised as failure:
                return [str(failure)]
        counts = ", ".join(
            f"{key.replace('_', ' ')}: {value}" for key, value in outcome.counts.items()
        )
        messages.success(request, f"Imported {upload.name}. {counts}.")
        for warning in outcome.warnings[:20]:
            messages.warning(request, warning)
        return []
