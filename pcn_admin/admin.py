"""Admin for users, and the mixin that scopes every admin page through access.py.

Commissioner staff work in the admin; what they see and change there is decided by the same
access module as the pages and the API, not by Django's model permissions.
"""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils.functional import cached_property
from knox.models import AuthToken

from . import access
from .models import User

# One service, one name: the admin is PCN Admin's, in the NHS's look (templates/admin/
# base_site.html, static/css/admin-nhs.css), for the register and reference data.
admin.site.site_header = "PCN Admin"
admin.site.site_title = "PCN Admin"
admin.site.index_title = "Register and reference data"


def planned_rows(queryset) -> int | None:
    """How many rows PostgreSQL's planner expects the queryset to return (its statistics, not
    a count: one EXPLAIN, whatever the size); None on another database."""
    if not isinstance(queryset, QuerySet):
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # a filter nothing can match (an empty list of choices)
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """The paginator of the admin's lists of big tables (claims, claim lines, referrals, audit
    events): counting a few million rows exactly takes longer than the whole page otherwise.

    On PostgreSQL the list is counted only as far as ESTIMATE_ABOVE rows (a count over at most
    that many, however big the table). A list that reaches it is given the planner's estimate
    instead (or the rows counted, if more), and templates/admin/pagination.html says "about",
    so its page links reach about the right last page; a page past the true end shows no rows.
    Both queries are run whatever the list's size, so a page's queries do not grow with the
    data. Elsewhere (SQLite in the tests), an exact count, as Django's own paginator makes.
    """

    ESTIMATE_ABOVE = 20_000
    estimated = False

    @cached_property
    def count(self) -> int:
        planned = planned_rows(self.object_list)
        if planned is None:
            return super().count
        counted = self.object_list.order_by()[: self.ESTIMATE_ABOVE + 1].count()
        if counted <= self.ESTIMATE_ABOVE:
            return counted
        self.estimated = True
        return max(planned, counted)


class LargeListMixin:
    """An admin list over a table that grows by the million: the estimated count above, and no
    second count of the whole table for the "(N total)" link beside a filtered list."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False


class ScopedHistoryMixin:
    """History pages follow the change page: the same scoped queryset, and read-only.

    Django's history list and django-simple-history's version page would otherwise find the
    row (or its last historical copy) without the admin's scoping, and the version page's
    "revert" saves without asking whether the user may change the row. Claims, batches and
    the register change only through their services, so reverting is refused here even if
    SIMPLE_HISTORY_REVERT_DISABLED is turned off in settings.
    """

    def _history_object(self, request, object_id):
        """The row as the change page would load it: outside the user's scope is a 404."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such record in your area.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._history_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._history_object(request, object_id)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(
                "Earlier versions can be viewed but not restored: make the change through "
                "the record's own page."
            )
        request.viewing_history_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True  # hides the version page's "Revert" button

    # The related rows each history row's description reads (its __str__: a claim names its
    # PCN), fetched once for the page by set_history_delta_changes below rather than once per
    # row, so a history page costs the same queries however long the history.
    history_related: tuple[str, ...] = ()

    def set_history_delta_changes(self, request, historical_records, *args, **kwargs):
        super().set_history_delta_changes(request, historical_records, *args, **kwargs)
        if not self.history_related:
            return
        records = list(historical_records)
        # history_object builds a fresh copy of the row on every read; each record keeps one.
        copies = [record.history_object for record in records]
        prefetch_related_objects(copies, *self.history_related)
        for record, copy in zip(records, copies, strict=True):
            record.history_object = copy

    # The version page builds the change form even for a user who may not change the row, so
    # its drop-downs would list every PCN and practice in the country. There, every field of
    # the version is shown as text instead, and the form has no fields at all.
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if getattr(request, "viewing_history_version", False):
            opts = self.model._meta
            fields = [*opts.concrete_fields, *opts.many_to_many]
            readonly += [f.name for f in fields if not f.primary_key and f.name not in readonly]
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        # `change` stays in kwargs: Django's UserAdmin.get_form takes no third positional.
        if getattr(request, "viewing_history_version", False):
            kwargs["form"] = forms.ModelForm  # not the admin's form, with its own inputs
        return super().get_form(request, obj, **kwargs)


class ScopedAdminMixin(ScopedHistoryMixin):
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
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_add_permission(self, request, *args):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.EDIT_REGISTER
        )

    def has_change_permission(self, request, obj=None):
        if not access.has(request.user, access.Permission.USE_ADMIN):
            return False
        commissioner = self._commissioner_of(obj) if obj is not None else None
        return access.can(request.user, access.Permission.EDIT_REGISTER, commissioner)

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
class UserAdmin(ScopedHistoryMixin, DjangoUserAdmin):
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
        return access.has(request.user, access.Permission.USE_ADMIN) and access.can(
            request.user, access.Permission.EDIT_REGISTER, commissioner
        )

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

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

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # A network agreement's core members: only practices the user may see are offered.
        if db_field.related_model.__name__ == "Practice":
            kwargs["queryset"] = access.visible_practices(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# API tokens: knox keeps only a digest of each. List who holds one and until when, and let a
# superuser revoke one by deleting it; tokens are issued only at /api/v1/auth-token/.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(ScopedHistoryMixin, admin.ModelAdmin):
    list_display = ["user", "created", "expiry"]
    fields = ["user", "created", "expiry"]
    readonly_fields = fields
    search_fields = ["user__username"]

    def has_module_permission(self, request):
        return access.sees_everything(request.user)

    def has_view_permission(self, request, obj=None):
        return access.sees_everything(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return access.sees_everything(request.user)
