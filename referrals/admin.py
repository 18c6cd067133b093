"""Admin for the directory and reference lists (commissioner staff), and read-only views of
referrals and the audit log for superusers.

Referrals are hidden from commissioner staff in the admin altogether, and even superusers see
no identifying field there: identities belong to the PCN's link workers and clinical director,
who work on the referral pages, where every view is audited.
"""

from django.contrib import admin
from django.db import connection

from pcn_admin import access
from pcn_admin.admin import LargeListMixin, ScopedHistoryMixin
from pcn_admin.models import Role

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
class ReferralAdmin(LargeListMixin, SuperuserReadOnlyAdmin):
    """Operational support only: status and dates, never who the person is."""

    fields = ["pcn", "source", "status", "received_on", "closed_on", "outcome", "gp_code"]
    readonly_fields = fields
    list_display = ["__str__", "pcn", "source", "status", "received_on"]
    list_filter = ["status", "source"]
    list_select_related = ["pcn", "source"]


class AuditedModelFilter(admin.SimpleListFilter):
    """The models that have audit events. Django's own filter would ask the database for the
    distinct values of the whole log (millions of rows, read in full); this steps through the
    (model, record_id) index instead, one look-up per model found."""

    title = "model"
    parameter_name = "model"

    def lookups(self, request, model_admin):
        table = connection.ops.quote_name(models.AuditEvent._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE found(model) AS (SELECT min(model) FROM {table} UNION ALL "
                f"SELECT (SELECT min(e.model) FROM {table} e WHERE e.model > found.model) "
                "FROM found WHERE found.model IS NOT NULL) "
                "SELECT model FROM found WHERE model IS NOT NULL"
            )
            return [(label, label) for (label,) in cursor.fetchall()]

    def queryset(self, request, queryset):
        return queryset.filter(model=self.value()) if self.value() else queryset


class AuditedRoleFilter(admin.SimpleListFilter):
    """The role of whoever acted: one of the roles, or none (a superuser, or the public form).
    From the list of roles, not from the log, which would be read in full to find them."""

    title = "role"
    parameter_name = "role"
    NONE = "none"

    def lookups(self, request, model_admin):
        return [*Role.choices, (self.NONE, "No role (a superuser, or the public)")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(role="" if self.value() == self.NONE else self.value())


@admin.register(models.AuditEvent)
class AuditEventAdmin(LargeListMixin, SuperuserReadOnlyAdmin):
    list_display = ["at", "username", "role", "action", "model", "record_id", "detail"]
    list_filter = ["action", AuditedModelFilter, AuditedRoleFilter]
    # Whole values (any case), each found through its own index; a search for part of a value
    # would read the whole log.
    search_fields = ["=username", "=record_id"]
    search_help_text = "A username or a record's id, in full."
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
