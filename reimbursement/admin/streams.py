"""Admin for the Network Contract DES payment streams and their dated rates: national figures,
read by anyone allowed into the admin, changed only by national administrators (superusers,
pcn_admin.access EDIT_RATES), as the ARRS maxima are (roles/admin.py). Each rate shows its
provenance and basis, and a figure not yet confirmed against the published one can be
confirmed as published. A rate a finalised batch has paid with is locked: read-only here, and
refused by the model whatever the route; a new rate from a later date replaces it.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedHistoryMixin
from roles import services as figure_services

from .. import services
from ..models import PaymentStream, StreamRate

LOCKED_MESSAGE = (
    "This rate has been used by a finalised payment batch, so it cannot change: a paid figure "
    "must always be explainable. You can still end it (not before a month it paid), then add "
    "a new rate from the next day."
)


class NationalFigureAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
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
        return self.has_add_permission(request)


@admin.register(PaymentStream)
class PaymentStreamAdmin(NationalFigureAdmin):
    list_display = ["name", "code", "paid_to", "basis", "reported", "display_order"]
    search_fields = ["name", "code"]
    fields = [
        "code",
        "name",
        "paid_to",
        "basis",
        "display_order",
        "reported_columns",
        "description",
    ]
    # What a stream is and how it is paid is fixed once amounts are paid under its code.
    FIXED = ["code", "paid_to", "basis"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [name for name in self.FIXED if name not in readonly]
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False  # paid amounts and reported payments refer to it (PROTECT)

    @admin.display(description="NHS Payments to General Practice column(s)")
    def reported(self, stream):
        return ", ".join(stream.reported_columns) or "–"

    def save_model(self, request, obj, form, change):
        services.stream_save(stream=obj, by=request.user)


@admin.register(StreamRate)
class StreamRateAdmin(NationalFigureAdmin):
    list_display = [
        "stream",
        "per_patient",
        "start_date",
        "end_date",
        "provenance",
        "basis_summary",
        "is_locked",
    ]
    list_filter = ["stream", "provenance"]
    search_fields = ["stream__name", "basis"]
    list_select_related = ["stream"]
    date_hierarchy = "start_date"
    fields = [
        "stream",
        "per_patient",
        "start_date",
        "end_date",
        "provenance",
        "basis",
        "confirmed_by",
        "confirmed_at",
        "locked_at",
    ]
    readonly_fields = ["confirmed_by", "confirmed_at", "locked_at"]
    actions = ["confirm_as_published"]

    @admin.display(boolean=True, description="used by a finalised batch")
    def is_locked(self, rate):
        return rate.locked_at is not None

    @admin.display(description="basis")
    def basis_summary(self, rate):
        text = rate.basis or ""
        short = text if len(text) <= 80 else text[:79] + "…"
        return format_html('<span title="{}">{}</span>', text, short) if text else "–"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.locked_at is not None:
            # All but the end date: the amount and start are locked by the model, which lets a
            # rate that runs on be ended (not before a month it paid), and the provenance is
            # changed only by confirming it (the action), as for the ARRS maxima.
            return [f.name for f in StreamRate._meta.fields if f.name not in ("id", "end_date")]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.locked_at is not None:
            return False
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stream":
            kwargs["queryset"] = PaymentStream.objects.filter(
                basis__in=[PaymentStream.Basis.REGISTERED, PaymentStream.Basis.WEIGHTED]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rate = self.get_object(request, object_id)
        if rate is not None and rate.locked_at is not None and request.method == "GET":
            self.message_user(request, LOCKED_MESSAGE, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        services.stream_rate_save(rate=obj, by=request.user)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The model's own refusal (a locked rate, whatever the form let through): said
            # plainly, nothing saved.
            for text in error.messages:
                self.message_user(request, text, messages.ERROR)
            return redirect(request.path)

    @admin.action(description="Confirm as published", permissions=["change"])
    def confirm_as_published(self, request, queryset):
        confirmed = sum(
            figure_services.figure_confirm(figure=rate, by=request.user) for rate in queryset
        )
        already = len(queryset) - confirmed
        if confirmed:
            messages.success(
                request,
                f"{confirmed} rate{'s' if confirmed != 1 else ''} confirmed as published, "
                "with your name and today's date in their history.",
            )
        if already:
            messages.warning(
                request,
                f"{already} rate{'s were' if already != 1 else ' was'} already published: "
                "left as they were.",
            )


__all__ = ["PaymentStreamAdmin", "StreamRateAdmin"]
