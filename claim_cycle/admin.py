"""Admin for the claim cycle: commissioner staff set their own area's claim window and finance
file layout (superusers any area's), and read every reminder sent in their area.

Scoped through pcn_admin.access like the rest of the admin: rows outside the user's area are
not found; changing needs SET_CLAIM_CYCLE for the row's commissioner.
"""

import datetime as dt

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import ScopedAdminMixin

from . import finance_file
from .models import ClaimWindow, FinanceLayout, FinanceLayoutColumn, ReminderMessage

# How many months' deadlines the claim window's page shows.
DEADLINES_SHOWN = 6


def _last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


class ClaimCycleAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """A commissioner's own setting: its staff add and change it; only a superuser deletes."""

    list_select_related = ["commissioner"]

    def has_add_permission(self, request, *args):
        return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
            request.user, access.Permission.SET_CLAIM_CYCLE
        )

    def has_change_permission(self, request, obj=None):
        if not access.has(request.user, access.Permission.USE_ADMIN):
            return False
        commissioner = obj.commissioner if obj is not None else None
        return access.can(request.user, access.Permission.SET_CLAIM_CYCLE, commissioner)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and "commissioner" not in readonly:
            readonly.append("commissioner")  # a setting stays with its commissioner
        return readonly


@admin.register(ClaimWindow)
class ClaimWindowAdmin(ClaimCycleAdmin):
    list_display = ["commissioner", "deadline_rule", "reminder_working_days", "next_deadline"]
    fields = [
        "commissioner",
        "rule",
        "day",
        "reminder_working_days",
        "review_wait_working_days",
        "upcoming_deadlines",
    ]
    readonly_fields = ["upcoming_deadlines"]

    def scoped_queryset(self, request):
        return access.visible_claim_windows(request.user)

    @admin.display(description="deadline")
    def deadline_rule(self, window):
        return window.describe()

    @admin.display(description="next claim deadline")
    def next_deadline(self, window):
        today = timezone.localdate()
        month = _last_month(today)
        while window.deadline_for(month) < today:
            month = _next_month(month)
        deadline = window.deadline_for(month)
        return f"{month:%B %Y} claim: {deadline:%a} {deadline.day} {deadline:%b %Y}"

    @admin.display(description="deadlines this gives")
    def upcoming_deadlines(self, window):
        if window is None or window.pk is None:
            return "Shown once saved."
        month = _last_month(timezone.localdate())
        rows = []
        for _ in range(DEADLINES_SHOWN):
            deadline = window.deadline_for(month)
            reminders = window.reminders_from(month)
            rows.append(
                (
                    f"{month:%B %Y}",
                    f"{deadline:%A} {deadline.day} {deadline:%B %Y}",
                    f"{reminders:%a} {reminders.day} {reminders:%b}",
                )
            )
            month = _next_month(month)
        return format_html_join(
            "",
            "<div>{} claim: due by {} (practices reminded from {})</div>",
            rows,
        )


class FinanceLayoutColumnInline(admin.TabularInline):
    model = FinanceLayoutColumn
    fields = ["position", "field", "header", "text"]
    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        # A layout has at least one column (the admin's inlines do not check min_num alone).
        return super().get_formset(request, obj, validate_min=True, **kwargs)

    def _can_edit(self, request, obj):
        commissioner = obj.commissioner if obj is not None else None
        return access.has(request.user, access.Permission.USE_ADMIN) and access.can(
            request.user, access.Permission.SET_CLAIM_CYCLE, commissioner
        )

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_add_permission(self, request, obj=None):
        return self._can_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_edit(request, obj)  # a column, not the layout: removed at will


@admin.register(FinanceLayout)
class FinanceLayoutAdmin(ClaimCycleAdmin):
    list_display = ["commissioner", "delimiter", "date_format", "column_headers"]
    fields = [
        "commissioner",
        "delimiter",
        "date_format",
        "month_format",
        "encoding",
        "include_header",
        "header_preview",
    ]
    readonly_fields = ["header_preview"]
    inlines = [FinanceLayoutColumnInline]

    def scoped_queryset(self, request):
        return access.visible_finance_layouts(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("columns")

    @admin.display(description="columns")
    def column_headers(self, layout):
        return ", ".join(
            column.header or column.get_field_display() for column in layout.columns.all()
        )

    @admin.display(description="the file's first row")
    def header_preview(self, layout):
        if layout is None or layout.pk is None:
            return "Shown once saved."
        current = finance_file.layout_for(layout.commissioner_id)
        separator = finance_file.DELIMITERS[current.delimiter]
        return separator.join(column.header for column in current.columns)


@admin.register(ReminderMessage)
class ReminderMessageAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Every reminder the job sent in the area: read-only, kept as the record of what went."""

    list_display = ["created_at", "kind", "address", "subject", "sent_at"]
    list_filter = ["kind", "month"]
    search_fields = ["address", "subject", "pcn__code", "recipient__username"]
    list_select_related = ["commissioner", "pcn", "recipient"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "commissioner",
        "pcn",
        "month",
        "recipient",
        "address",
        "subject",
        "body",
        "key",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    def scoped_queryset(self, request):
        return access.visible_reminder_messages(request.user)

    def has_add_permission(self, request, *args):
        return False  # recorded by the reminder job only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record that a message went: never deleted
