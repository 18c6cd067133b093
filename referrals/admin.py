"""Admin for the directory and reference lists (commissioner staff), and read-only views of
referrals and the audit log for superusers.

Referrals are hidden from commissioner staff in the admin altogether, and even superusers see
no identifying field there: identities belong to the PCN's link workers and clinical director,
who work on the referral pages, where every view is audited.
"""

from django.contrib import admin

from pcn_admin import access
from pcn_admin.admin import ScopedHistoryMixin

from . import models, services


class DirectoryAdminMixin(ScopedHistoryMixin):
    """Commissioner staff keep the directory and the reference lists."""

    def has_module_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_add_permission(self, request, *args):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.EDIT_DIRECTORY
        )

    def has_change_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.EDIT_DIRECTORY
        )

    def has_delete_permission(self, request, obj=None):
        # Referrals point at these rows: retire them (capacity closed, not active) instead.
        return access.sees_everything(request.user)


@admin.register(models.Organisation)
class OrganisationAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "email", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        services.organisation_save(organisation=obj, by=request.user)


@admin.register(models.Service)
class ServiceAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "capacity", "last_reviewed", "review_overdue"]
    list_filter = ["capacity", "is_active", "must_be_accompanied_by_carer"]
    search_fields = ["name", "organisation__name", "areas_served"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["taxonomy_terms"]

    @admin.display(boolean=True, description="review overdue")
    def review_overdue(self, obj):
        return obj.review_overdue


class TaxonomyTermInline(admin.TabularInline):
    model = models.TaxonomyTerm
    fk_name = "taxonomy"
    extra = 1

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_add_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.EDIT_DIRECTORY
        )

    has_change_permission = has_add_permission

    def has_delete_permission(self, request, obj=None):
        return access.sees_everything(request.user)


@admin.register(models.Taxonomy)
class TaxonomyAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "version"]
    inlines = [TaxonomyTermInline]


@admin.register(models.ReferralSource)
class ReferralSourceAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_editable = ["is_active"]


@admin.register(models.ReferralReason)
class ReferralReasonAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_editable = ["is_active"]


class SuperuserReadOnlyAdmin(ScopedHistoryMixin, admin.ModelAdmin):
    def has_module_permission(self, request):
        return access.sees_everything(request.user)

    def has_view_permission(self, request, obj=None):
        return access.sees_everything(request.user)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Referral)
class ReferralAdmin(SuperuserReadOnlyAdmin):
    """Operational support only: status and dates, never who the person is."""

    fields = ["pcn", "source", "status", "received_on", "closed_on", "outcome", "gp_code"]
    readonly_fields = fields
    list_display = ["__str__", "pcn", "source", "status", "received_on"]
    list_filter = ["status", "source"]
    list_select_related = ["pcn", "source"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(SuperuserReadOnlyAdmin):
    list_display = ["at", "username", "role", "action", "model", "record_id", "detail"]
    list_filter = ["action", "model", "role"]
    search_fields = ["username", "record_id"]
    readonly_fields = ["user", "username", "role", "action", "model", "record_id", "at", "detail"]


@admin.register(models.CaseStudy)
class CaseStudyAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ["title", "pcn", "organisation", "created_at"]
    list_select_related = ["pcn", "organisation"]
    readonly_fields = ["created_by"]
    raw_id_fields = ["pcn"]

    def has_add_permission(self, request, *args):
        # Stories are written by link workers on the referral pages, with the person's consent.
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pcn__in=access.referral_overview_pcns(request.user))
