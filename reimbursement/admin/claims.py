"""Admin for claims: commissioner staff review their area's claims here as on the review page,
through the same services. Everything else is read-only; every change is in the history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import path
from django.utils.text import smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin

from pcn_admin import access
from pcn_admin.admin import LargeListMixin, ScopedHistoryMixin
from roles.models import Post

from .. import services
from ..models import BREAKDOWN_FIELDS as BREAKDOWN
from ..models import Claim, ClaimLine
from . import pay_awards


class ScopedAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    def has_module_permission(self, request):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return access.has(request.user, access.Permission.USE_ADMIN)

    def has_add_permission(self, request, obj=None):
        return False  # claims are made by the PCN on the claim pages

    def has_delete_permission(self, request, obj=None):
        return False  # money history: never deleted


class ClaimLineInline(admin.TabularInline):
    model = ClaimLine
    fields = ("post", "status", "reimbursable", "decision_reason", "approved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ClaimReturnForm(forms.ModelForm):
    return_query = forms.CharField(
        label="Return to the practice with this question",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave empty to keep the claim as it is.",
    )

    class Meta:
        model = Claim
        fields = []


@admin.register(Claim)
class ClaimAdmin(LargeListMixin, ScopedAdmin):
    form = ClaimReturnForm
    list_display = ["__str__", "pcn", "month", "kind", "status", "submitted_at"]
    list_filter = ["status", "kind", "month"]
    search_fields = ["pcn__code", "pcn__name"]
    list_select_related = ["pcn"]
    history_related = ("pcn",)
    inlines = [ClaimLineInline]
    actions = ["approve_remaining"]
    readonly_fields = [
        "pcn",
        "month",
        "kind",
        "original",
        "status",
        "declared_additional",
        "declared_costs_paid",
        "query",
        "warnings",
        "created_at",
        "created_by",
        "submitted_at",
        "submitted_by",
        "returned_at",
        "returned_by",
    ]

    def get_queryset(self, request):
        return access.visible_claims(request.user).select_related("pcn")

    def get_urls(self):
        # A national pay award drafts adjustment claims; the Rate list links here.
        award = path(
            "pay-award/",
            self.admin_site.admin_view(self.pay_award_view),
            name="reimbursement_pay_award",
        )
        return [award, *super().get_urls()]

    def pay_award_view(self, request):
        return pay_awards.pay_award_view(self.admin_site, request)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return access.has(request.user, access.Permission.USE_ADMIN) and access.has(
                request.user, access.Permission.REVIEW_CLAIMS
            )
        return access.has(request.user, access.Permission.USE_ADMIN) and access.can(
            request.user, access.Permission.REVIEW_CLAIMS, obj.pcn.commissioner
        )

    def save_model(self, request, obj, form, change):
        query = form.cleaned_data.get("return_query", "").strip()
        if not query:
            return
        try:
            services.claim_return(claim=obj, query=query, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        pass  # the inline is read-only; lines change through their own page

    @admin.action(description="Approve all remaining lines of the selected claims")
    def approve_remaining(self, request, queryset):
        for claim in queryset.select_related("pcn__commissioner"):
            if not access.can(
                request.user, access.Permission.REVIEW_CLAIMS, claim.pcn.commissioner
            ):
                continue
            try:
                services.claim_approve_remaining(claim=claim, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{claim}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{claim}: remaining lines approved.")


class LineDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        choices=[("", "Leave undecided"), ("approve", "Approve"), ("reject", "Reject")],
        required=False,
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when rejecting: the practice sees it.",
    )

    class Meta:
        model = ClaimLine
        fields = []


@admin.register(ClaimLine)
class ClaimLineAdmin(LargeListMixin, ScopedAdmin):
    form = LineDecisionForm
    list_display = ["__str__", "claim", "status", "reimbursable", "approved_at"]
    list_filter = ["status", "claim__month"]
    list_select_related = ["claim__pcn", "post__role"]
    history_related = ("post__role", "claim__pcn")
    # Newest claims first, each one's lines together: read backwards along the lines' claim
    # index, where the model's order (by role and person across every claim) sorts the whole
    # table, millions of lines at ten years, for every page.
    ordering = ["-claim_id", "-pk"]
    search_fields = ["post__person_name", "claim__pcn__code"]
    readonly_fields = [
        "claim",
        "post",
        "original_line",
        *BREAKDOWN,
        "status",
        "decision_reason",
        "decided_at",
        "decided_by",
        "approved_at",
    ]

    def get_queryset(self, request):
        return ClaimLine.objects.filter(claim__in=access.visible_claims(request.user))

    def get_search_results(self, request, queryset, search_term):
        """Every word searched for in the person's name or the PCN's code, as Django's search
        does. The posts and PCNs of the user's area that match are found first, in two small
        queries, and the lines then by their post and claim: Django's own join reads every
        post in the country (125,000 at ten years) for every page and count."""
        words = [
            unescape_string_literal(word) if word[0] in "\"'" and word[-1] == word[0] else word
            for word in smart_split(search_term)
        ]
        if not words:
            return queryset, False
        pcns = access.visible_pcns(request.user)
        named = Q()
        for word in words:
            named |= Q(person_name__icontains=word)
        posts = list(Post.objects.filter(named, pcn__in=pcns).values_list("pk", "person_name"))
        codes = list(pcns.values_list("pk", "code"))
        for word in (word.upper() for word in words):
            queryset = queryset.filter(
                Q(post_id__in=[pk for pk, name in posts if word in name.upper()])
                | Q(claim__pcn_id__in=[pk for pk, code in codes if word in code.upper()])
            )
        return queryset, False

    def has_change_permission(self, request, obj=None):
        if not (
            access.has(request.user, access.Permission.USE_ADMIN)
            and access.has(request.user, access.Permission.REVIEW_CLAIMS)
        ):
            return False
        return obj is None or (obj.status == ClaimLine.Status.PENDING and obj.claim.in_review)

    def save_model(self, request, obj, form, change):
        decision, reason = form.cleaned_data.get("decision"), form.cleaned_data.get("reason", "")
        if not access.can(
            request.user, access.Permission.REVIEW_CLAIMS, obj.claim.pcn.commissioner
        ):
            self.message_user(
                request, "You can only review your own area's claims.", messages.ERROR
            )
            return
        try:
            if decision == "approve":
                services.claim_line_approve(line=obj, reason=reason, by=request.user)
            elif decision == "reject":
                services.claim_line_reject(line=obj, reason=reason, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
