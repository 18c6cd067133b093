"""Admin for each commissioner's evidence rule: its own staff (and superusers) set when claim
lines need evidence. The files themselves are not in the admin: they open only through the
claim pages' download link, which checks access and records the view."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedHistoryMixin

from . import services
from .models import EvidenceSetting

# The commissioner's claim rules are set by those who review its claims.
PERMISSION = access.Permission.REVIEW_CLAIMS


@admin.register(EvidenceSetting)
class EvidenceSettingAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    list_display = ["commissioner", "required", "updated_at", "updated_by"]
    list_select_related = ["commissioner", "updated_by"]
    fields = ["commissioner", "required", "updated_at", "updated_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(commissioner__in=access.visible_commissioners(request.user))

    def get_readonly_fields(self, request, obj=None):
        readonly = ["updated_at", "updated_by"]
        if obj is not None:
            readonly.append("commissioner")  # one row per commissioner, for good
        return [*readonly, *super().get_readonly_fields(request, obj)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commissioner":
            kwargs["queryset"] = access.visible_commissioners(request.user).exclude(
                evidence_setting__isnull=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_add_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, PERMISSION
        )

    def has_change_permission(self, request, obj=None):
        if not access.has(request.user, access.Permission.USE_ADMIN):
            return False
        return access.can(request.user, PERMISSION, obj.commissioner if obj else None)

    def has_delete_permission(self, request, obj=None):
        # Change the rule to "Not required" instead: its history stays with the row.
        return access.sees_everything(request.user)

    def save_model(self, request, obj, form, change):
        saved = services.evidence_setting_set(
            commissioner=obj.commissioner, required=obj.required, by=request.user
        )
        obj.pk = saved.pk
