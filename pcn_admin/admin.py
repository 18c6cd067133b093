"""Admin for users, and the mixin that scopes every admin page through access.py.

Commissioner staff work in the admin; what they see and change there is decided by the same
access module as the pages and the API, not by Django's model permissions.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import access
from .models import User


class ScopedAdminMixin:
    """Limit an admin to the rows the user may see; changes need register-editing rights.

    Subclasses say how a row reaches its commissioner (`commissioner_path`) and which
    querysets scope it (`scoped_queryset`).
    """

    commissioner_path = "commissioner"

    def scoped_queryset(self, request):
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pk__in=self.scoped_queryset(request).values("pk"))

    def _commissioner_of(self, obj):
        for part in self.commissioner_path.split("__"):
            obj = getattr(obj, part, None)
        return obj

    def has_module_permission(self, request):
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_use_admin(request.user)

    def has_add_permission(self, request, *args):
        return access.can_use_admin(request.user) and access.can_edit_register(request.user)

    def has_change_permission(self, request, obj=None):
        if not access.can_use_admin(request.user):
            return False
        commissioner = self._commissioner_of(obj) if obj is not None else None
        return access.can_edit_register(request.user, commissioner)

    def has_delete_permission(self, request, obj=None):
        # The register keeps history: rows end or close, they are not deleted.
        return access.sees_everything(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = {
            "commissioner": access.visible_commissioners,
            "pcn": access.visible_pcns,
            "practice": access.visible_practices,
        }
        if db_field.name in choices:
            kwargs["queryset"] = choices[db_field.name](request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model.__name__ == "Practice":
            kwargs["queryset"] = access.visible_practices(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "organisation_name", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            "Organisation and role",
            {"fields": ["role", "commissioner", "pcn", "practice", "organisation"]},
        ),
    )
    raw_id_fields = ["pcn", "practice"]


class ScopedInlineMixin:
    """Inlines follow their parent row: editable when the parent's commissioner is the user's."""

    def _can_edit(self, request, obj):
        commissioner = getattr(obj, "commissioner", None) if obj is not None else None
        return access.can_use_admin(request.user) and access.can_edit_register(
            request.user, commissioner
        )

    def has_view_permission(self, request, obj=None):
        return access.can_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return self._can_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.sees_everything(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = {"pcn": access.visible_pcns, "practice": access.visible_practices}
        if db_field.name in choices:
            kwargs["queryset"] = choices[db_field.name](request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
