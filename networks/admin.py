"""Admin for commissioner staff: the register of practices and PCNs, scoped to their area.

Every save and delete here, inlines included, goes through networks.services, and each
register page's "History" lists who changed what.
"""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedAdminMixin, ScopedHistoryMixin, ScopedInlineMixin

from . import selectors, services
from .forms import NationalFileForm
from .importers import FileNotRecognised, ImportFailed, check_size
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


class BoundedImportForm(ImportForm):
    """The admin's import form, refusing a file too big once unzipped before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload, upload.name)
        except FileNotRecognised as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload


class ScopedImportExportMixin:
    """Hand the importing user to the resource so rows outside their area are refused."""

    rollback_on_validation_errors = True
    import_form_class = BoundedImportForm

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.EDIT_REGISTER
        )

    def has_export_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def get_export_queryset(self, request):
        # The list page shrugs off a filter it cannot apply (an empty ?commissioner__id__exact=,
        # or one this list does not have); the export does the same. Filters left blank are
        # dropped; if the rest still cannot apply, the whole list (still scoped) is exported.
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters:
            pass
        request.GET = request.GET.copy()
        for key in [key for key, values in request.GET.lists() if not any(values)]:
            del request.GET[key]
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters:
            return self.get_queryset(request)


# For each register model: its create and update services, and the keyword they take the row by.
_SERVICES = {
    Commissioner: (services.commissioner_create, services.commissioner_update, "commissioner"),
    Practice: (services.practice_create, services.practice_update, "practice"),
    PCN: (services.pcn_create, services.pcn_update, "pcn"),
    Membership: (services.membership_create, services.membership_update, "membership"),
    ListSize: (services.list_size_create, services.list_size_update, "list_size"),
    ClinicalDirector: (
        services.clinical_director_create,
        services.clinical_director_update,
        "director",
    ),
    NominatedPayee: (services.nominated_payee_create, services.nominated_payee_update, "payee"),
}


def _save_row(row, *, by, form=None):
    """Send a row the admin's form has filled in (not saved) to its service."""
    if isinstance(row, NetworkAgreement):
        members = form.cleaned_data.get("core_members") if form is not None else None
        write = services.agreement_create if row._state.adding else services.agreement_update
        return write(agreement=row, by=by, core_members=members)
    create, update, keyword = _SERVICES[type(row)]
    return (create if row._state.adding else update)(**{keyword: row, "by": by})


class RegisterWritesMixin:
    """Saves and deletes, of the page's row and of its inlines, through networks.services."""

    def save_model(self, request, obj, form, change):
        _save_row(obj, by=request.user)

    def delete_model(self, request, obj):
        services.register_row_delete(row=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.register_row_delete(row=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        rows = formset.save(commit=False)  # fills the rows in from the forms; writes nothing
        for row in formset.deleted_objects:
            services.register_row_delete(row=row, by=request.user)
        form_of = {id(inline_form.instance): inline_form for inline_form in formset.forms}
        # The agreement's core members go to its service with it, so save_m2m() is not called.
        for row in rows:
            _save_row(row, by=request.user, form=form_of.get(id(row)))


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
class CommissionerAdmin(RegisterWritesMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "area_name", "icb_code", "clinical_director_must_be_gp"]
    search_fields = ["code", "name", "area_name"]
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


class NominatedPayeeForm(forms.ModelForm):
    """A new payee with no end date takes over from the current one, which the service ends
    the day before; every row's dates are checked against the PCN's other payees."""

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance._state.adding and not self.cleaned_data.get("end_date"):
            # "One current payee per PCN" holds once the service has ended the current one.
            exclude.add("pcn")
        return exclude

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.nominated_payee_check(payee=self.instance)
        except ValidationError as error:
            self.add_error(None, error)


class NominatedPayeeFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        new = [
            form
            for form in self.extra_forms
            if form.has_changed() and not self._should_delete_form(form)
        ]
        if len(new) > 1:
            raise ValidationError(
                "Add one new nominated payee at a time: save this one, then add the next."
            )


class NominatedPayeeInline(ScopedInlineMixin, admin.TabularInline):
    model = NominatedPayee
    form = NominatedPayeeForm
    formset = NominatedPayeeFormSet
    extra = 0
    fields = ["practice", "account_name", "start_date", "end_date"]
    show_change_link = True  # each payee's own page has its History: who changed it, and when


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
class PCNAdmin(
    RegisterWritesMixin,
    ScopedAdminMixin,
    ScopedImportExportMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
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
class PracticeAdmin(
    RegisterWritesMixin,
    ScopedAdminMixin,
    ScopedImportExportMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
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
class ListSizeAdmin(
    RegisterWritesMixin,
    ScopedAdminMixin,
    ScopedImportExportMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
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


@admin.register(NominatedPayee)
class NominatedPayeeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Who each PCN's payments go to, read-only, for each payee's History page: payees change
    on the PCN's page, through its inline and the same service as the API."""

    list_display = ["pcn", "__str__", "start_date", "end_date"]
    list_select_related = ["pcn", "practice"]
    search_fields = ["pcn__code", "pcn__name", "practice__code", "account_name"]
    commissioner_path = "pcn__commissioner"

    def scoped_queryset(self, request):
        return NominatedPayee.objects.filter(pcn__in=access.visible_pcns(request.user))

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(ScopedHistoryMixin, admin.ModelAdmin):
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
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

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
                return failure.lines()
            except FileNotRecognised as failure:
                return [str(failure)]
            except ValidationError as refused:  # a value the register refuses: say which
                reasons = "; ".join(refused.messages)
                return [f"Nothing was imported: the register refused a value ({reasons})."]
        counts = ", ".join(
            f"{key.replace('_', ' ')}: {value}" for key, value in outcome.counts.items()
        )
        messages.success(request, f"Imported {upload.name}. {counts}.")
        for warning in outcome.warnings[:20]:
            messages.warning(request, warning)
        return []
