"""Admin for ARRS reference data and a read-only view of posts.

The figures (roles, maxima, percentages, ARR sum rates) are national: commissioner staff read
them; only national administrators (superusers) add, change, delete, import them or confirm a
derived figure as published (pcn_admin.access, EDIT_RATES). Rates a batched claim has used are
read-only and cannot be deleted: correct them with a new row dated later. Posts are kept by PCNs
through the /roles/ pages; here commissioners see their area's posts with a flag on anyone over
1.0 WTE this month.
"""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from networks.importers import FileNotRecognised, check_size
from pcn_admin import access
from pcn_admin.admin import ScopedHistoryMixin

from . import selectors, services
from .models import EntitlementRate, Post, PostHours, Rate, ReimbursementPercentage, Role
from .resources import EntitlementRateResource, RateResource, ReimbursementPercentageResource


class ReferenceDataAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Anyone allowed into the admin reads; only national administrators change."""

    def has_module_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_add_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.EDIT_RATES
        )

    def has_change_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.EDIT_RATES
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.reference_save(instance=obj, by=request.user)


class FigureImportForm(ImportForm):
    """The import form, refusing a file too big once unzipped before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload, upload.name)
        except FileNotRecognised as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload


class FiguresAdmin(ImportExportModelAdmin, ReferenceDataAdmin):
    """A national figure table: imported (preview, then confirm) by national administrators,
    exported by anyone who reads it; derived figures confirmed as published by an action."""

    import_form_class = FigureImportForm
    rollback_on_validation_errors = True
    actions = ["confirm_as_published"]
    readonly_fields = ["confirmed_by", "confirmed_at"]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description="Confirm as published", permissions=["change"])
    def confirm_as_published(self, request, queryset):
        confirmed = sum(services.figure_confirm(figure=row, by=request.user) for row in queryset)
        already = len(queryset) - confirmed
        if confirmed:
            messages.success(
                request,
                f"{confirmed} figure{'s' if confirmed != 1 else ''} confirmed as published, "
                "with your name and today's date in their history.",
            )
        if already:
            messages.warning(
                request,
                f"{already} figure{'s were' if already != 1 else ' was'} already published: "
                "left as they were.",
            )


@admin.register(Role)
class RoleAdmin(ReferenceDataAdmin):
    list_display = ["name", "code", "first_reimbursable", "afc_band", "unit", "needs_registration"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # roles are referenced by rates and posts; PROTECT would refuse anyway


@admin.register(Rate)
class RateAdmin(FiguresAdmin):
    resource_classes = [RateResource]
    list_display = [
        "role",
        "region",
        "afc_band",
        "effective_from",
        "annual_max",
        "provenance",
        "is_superseded",
        "is_locked",
    ]
    list_filter = ["provenance", "region", "role"]
    search_fields = ["role__name", "basis"]
    date_hierarchy = "effective_from"
    readonly_fields = ["locked_at", "superseded_by", "confirmed_by", "confirmed_at"]
    # Adds "Apply a national pay award" (reimbursement's admin page) for superusers; named here
    # so import-export's list template builds on it rather than on the admin's own.
    change_list_template = "admin/roles/rate/change_list.html"

    @admin.display(boolean=True, description="superseded by a pay award")
    def is_superseded(self, obj):
        return obj.superseded_by_id is not None

    @admin.display(boolean=True, description="used by a batched claim")
    def is_locked(self, obj):
        return obj.is_locked

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return [f.name for f in Rate._meta.fields]
        return super().get_readonly_fields(request, obj)  # the version page's, too

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.rate_save(rate=obj, by=request.user)


@admin.register(ReimbursementPercentage)
class ReimbursementPercentageAdmin(FiguresAdmin):
    resource_classes = [ReimbursementPercentageResource]
    list_display = ["role", "afc_band", "effective_from", "percentage", "provenance"]
    list_filter = ["role", "provenance"]


@admin.register(EntitlementRate)
class EntitlementRateAdmin(FiguresAdmin):
    resource_classes = [EntitlementRateResource]
    list_display = ["label", "per_weighted_patient", "gp_per_weighted_patient", "provenance"]


class PostHoursInline(admin.TabularInline):
    model = PostHours
    fields = ["effective_from", "hours", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Read-only: PCNs keep their posts through the /roles/ pages (roles.services)."""

    list_display = [
        "person_name",
        "role",
        "pcn",
        "employer",
        "start_date",
        "end_date",
        "is_claimable",
    ]
    list_filter = ["role", "region", "in_post_at_baseline"]
    search_fields = ["person_name", "registration_number", "pcn__code", "pcn__name"]
    list_select_related = ["role", "pcn", "employing_practice"]
    show_full_result_count = False  # one count, of the filtered list, not two
    history_related = ("role", "pcn")
    inlines = [PostHoursInline]

    def get_queryset(self, request):
        return access.visible_posts(request.user).select_related(
            "role", "pcn", "employing_practice"
        )

    def get_list_display(self, request):
        # Who is over 1.0 WTE is worked out once per request (Django asks for the columns more
        # than once; not per row, and not stored on the shared admin instance), from plain rows
        # in two queries, then looked up by each row.
        over = getattr(request, "_people_over_one_wte", None)
        if over is None:
            commissioner = (
                None if access.sees_everything(request.user) else request.user.commissioner
            )
            over = request._people_over_one_wte = {
                person.key
                for person in selectors.people_over_one_wte_totals(
                    commissioner, timezone.localdate()
                )
            }

        @admin.display(boolean=True, description="over 1.0 WTE this month (all posts)")
        def over_one_wte(obj):
            return selectors.person_key(obj) in over

        return [*self.list_display, over_one_wte]

    @admin.display(boolean=True, description="claimable")
    def is_claimable(self, obj):
        return obj.is_claimable

    def has_module_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.VIEW_POSTS
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
