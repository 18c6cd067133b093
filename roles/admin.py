"""Admin for ARRS reference data (edited by commissioner staff) and a read-only view of posts.

Rates a batched claim has used are read-only and cannot be deleted: correct them with a new
row dated later. Posts are kept by PCNs through the /roles/ pages; here commissioners see their
area's posts with a flag on anyone over 1.0 WTE this month.
"""

from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedHistoryMixin

from . import selectors, services
from .models import EntitlementRate, Post, PostHours, Rate, ReimbursementPercentage, Role


class ReferenceDataAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Anyone allowed into the admin reads; commissioner staff and superusers change."""

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


@admin.register(Role)
class RoleAdmin(ReferenceDataAdmin):
    list_display = ["name", "code", "first_reimbursable", "afc_band", "unit", "needs_registration"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # roles are referenced by rates and posts; PROTECT would refuse anyway


@admin.register(Rate)
class RateAdmin(ReferenceDataAdmin):
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
class ReimbursementPercentageAdmin(ReferenceDataAdmin):
    list_display = ["role", "afc_band", "effective_from", "percentage", "provenance"]
    list_filter = ["role", "provenance"]


@admin.register(EntitlementRate)
class EntitlementRateAdmin(ReferenceDataAdmin):
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
    inlines = [PostHoursInline]

    def get_queryset(self, request):
        return access.visible_posts(request.user).select_related(
            "role", "pcn", "employing_practice"
        )

    def get_list_display(self, request):
        # Who is over 1.0 WTE is worked out once per page (not per row, and not stored on the
        # shared admin instance), then looked up by each row.
        commissioner = None if access.sees_everything(request.user) else request.user.commissioner
        over = {
            person.key
            for person in selectors.people_over_one_wte(commissioner, timezone.localdate())
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
