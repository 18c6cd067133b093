"""Admin for the PCN maturity matrix and the prospectus expectations: national reference data.

Commissioner staff read them; only national administrators (superusers) add, change, delete,
confirm a version against the published matrix, or copy it as a new version to revise it
(pcn_admin.access, EDIT_MATURITY_MATRIX). Rounds and assessments are kept on the /maturity/
pages, not here.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedHistoryMixin

from . import services
from .models import Descriptor, Domain, Expectation, MatrixVersion, Stage


def _reads(request) -> bool:
    return access.has(request.user, access.Permission.USE_ADMIN)


def _edits(request) -> bool:
    return _reads(request) and access.has(request.user, access.Permission.EDIT_MATURITY_MATRIX)


class NationalAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Anyone allowed into the admin reads; only national administrators change."""

    def has_module_permission(self, request):
        return _reads(request)

    def has_view_permission(self, request, obj=None):
        return _reads(request)

    def has_add_permission(self, request):
        return _edits(request)

    def has_change_permission(self, request, obj=None):
        return _edits(request)

    def has_delete_permission(self, request, obj=None):
        return _edits(request)

    def save_model(self, request, obj, form, change):
        services.reference_save(instance=obj, by=request.user)


class NationalInline(admin.TabularInline):
    extra = 0

    def has_view_permission(self, request, obj=None):
        return _reads(request)

    def has_add_permission(self, request, obj=None):
        return _edits(request)

    def has_change_permission(self, request, obj=None):
        return _edits(request)

    def has_delete_permission(self, request, obj=None):
        return _edits(request)


class StageInline(NationalInline):
    model = Stage
    fields = ["position", "name"]


class DomainInline(NationalInline):
    model = Domain
    fields = ["position", "name", "description"]
    show_change_link = True


@admin.register(MatrixVersion)
class MatrixVersionAdmin(NationalAdmin):
    list_display = ["name", "date", "status", "verified", "confirmed_at"]
    list_filter = ["status", "verified"]
    readonly_fields = ["verification", "confirmed_by", "confirmed_at"]
    fields = ["name", "date", "status", "source", "verification", "confirmed_by", "confirmed_at"]
    inlines = [StageInline, DomainInline]
    actions = ["confirm_against_published", "copy_as_new_version"]

    @admin.display(description="verification")
    def verification(self, obj):
        return obj.verification_text if obj.pk else "Unverified until confirmed."

    @admin.action(description="Confirm against the published matrix", permissions=["change"])
    def confirm_against_published(self, request, queryset):
        confirmed = sum(
            services.matrix_version_confirm(version=version, by=request.user)
            for version in queryset
        )
        messages.success(
            request,
            f"{confirmed} version{'s' if confirmed != 1 else ''} confirmed, with your name and "
            "today's date in their history. Pages no longer mark them unverified.",
        )

    @admin.action(description="Copy as a new draft version, to revise", permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        for version in queryset:
            name = f"{version.name} (revision)"
            try:
                copy = services.matrix_version_copy(version=version, name=name, by=request.user)
            except ValidationError as error:
                messages.error(request, f"{version.name}: {' '.join(error.messages)}")
            else:
                messages.success(
                    request,
                    f"“{copy.name}” made as a draft: edit it, then set its status to In use.",
                )


class DescriptorInline(NationalInline):
    model = Descriptor
    fields = ["stage", "text"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the stages of the domain's own version.
        if db_field.name == "stage":
            domain_id = request.resolver_match.kwargs.get("object_id")
            version = Domain.objects.filter(pk=domain_id).values("version_id")
            kwargs["queryset"] = Stage.objects.filter(version_id__in=version)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Domain)
class DomainAdmin(NationalAdmin):
    list_display = ["name", "position", "version"]
    list_filter = ["version"]
    list_select_related = ["version"]
    fields = ["version", "position", "name", "description"]
    inlines = [DescriptorInline]


@admin.register(Expectation)
class ExpectationAdmin(NationalAdmin):
    list_display = ["position", "text", "due_date", "measure"]
    fields = ["key", "position", "text", "due_date", "measure", "source"]
