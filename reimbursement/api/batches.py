"""API for payment batches: /api/v1/batches/, the monthly payment batches (read-only).

Scoped by pcn_admin.access, like the pages.
"""

from decimal import Decimal

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from pcn_admin import access
from pcn_admin.drf import Allowed
from pcn_admin.plain_errors import PlainErrorsSerializer

from ..forms import MONTH_FORMATS
from ..models import Batch, BatchPayee

# Payment batches: read-only. Commissioner staff see their area's batches whole; a clinical
# director or a payee practice's manager sees only the batches paying them, and in each only
# their own subtotals (the figures of other PCNs are not theirs to see).

SCOPED_FIGURE = (
    " For a clinical director or practice manager, this counts only the payees listed here "
    "(their own PCN's, or those paid to their practice), not the whole batch."
)


class BatchPayeeSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    pcn = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="PCN code.")
    pcn_name = serializers.CharField(source="pcn.name", read_only=True)
    payee_practice = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="The nominated payee practice's code; null when the payee is an account.",
    )

    class Meta:
        model = BatchPayee
        fields = [
            "pcn",
            "pcn_name",
            "payee_practice",
            "payee_name",
            "amount",
            "line_count",
            "late_line_count",
        ]
        read_only_fields = fields


def _money_field(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, **kwargs)


class BatchSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    commissioner = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The commissioner's ODS code."
    )
    created = serializers.DateTimeField(source="created_at", read_only=True)
    total = serializers.SerializerMethodField()
    line_count = serializers.SerializerMethodField()
    late_line_count = serializers.SerializerMethodField()
    payees = BatchPayeeSerializer(
        many=True,
        read_only=True,
        source="visible_payees",
        help_text="One subtotal per PCN, paid to its nominated payee." + SCOPED_FIGURE,
    )

    class Meta:
        model = Batch
        fields = [
            "reference",
            "commissioner",
            "month",
            "created",
            "status",
            "total",
            "line_count",
            "late_line_count",
            "paid_on",
            "payment_reference",
            "payees",
        ]
        read_only_fields = fields

    def _whole(self, batch: Batch) -> bool:
        return access.can(
            self.context["request"].user, access.Permission.MANAGE_BATCHES, batch.commissioner
        )

    @extend_schema_field(_money_field(help_text="The amount the batch pays." + SCOPED_FIGURE))
    def get_total(self, batch: Batch) -> str:
        if self._whole(batch):
            value = batch.total
        else:
            value = sum((payee.amount for payee in batch.visible_payees), Decimal("0"))
        return _money_field().to_representation(value)

    @extend_schema_field(serializers.IntegerField(help_text="Claim lines paid." + SCOPED_FIGURE))
    def get_line_count(self, batch: Batch) -> int:
        if self._whole(batch):
            return batch.line_count
        return sum(payee.line_count for payee in batch.visible_payees)

    @extend_schema_field(
        serializers.IntegerField(
            help_text="Lines from months before the batch's month." + SCOPED_FIGURE
        )
    )
    def get_late_line_count(self, batch: Batch) -> int:
        if self._whole(batch):
            return batch.late_line_count
        return sum(payee.late_line_count for payee in batch.visible_payees)


class BatchFilter(django_filters.FilterSet):
    month = django_filters.DateFilter(
        input_formats=MONTH_FORMATS,
        method="filter_month",
        help_text="The month paid for, as YYYY-MM (or any date in the month).",
    )

    class Meta:
        model = Batch
        fields = ["status", "month"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))


SCOPE_NOTE = (
    "Commissioner staff see their own area's batches whole. A clinical director sees the "
    "batches paying their PCN, and a practice manager those paying their practice; for them "
    "`payees` lists only their own rows and `total`, `line_count` and `late_line_count` are "
    "the sums of those rows, not of the whole batch."
)


@extend_schema_view(
    list=extend_schema(summary="Payment batches you may see", description=SCOPE_NOTE),
    retrieve=extend_schema(summary="One payment batch, by its reference", description=SCOPE_NOTE),
)
class BatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly payment batches, newest first, looked up by reference (e.g. 00L-2025-06)."""

    serializer_class = BatchSerializer
    filterset_class = BatchFilter
    permission_classes = [Allowed]
    access_permissions = {"read": access.Permission.VIEW_REMITTANCES}
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9_-]+"  # "00L-2025-06"; anything else is a 404

    def get_queryset(self):
        user = self.request.user
        payees = (
            access.visible_batch_payees(user)
            .select_related("pcn", "payee_practice")
            .order_by("pcn__code")
        )
        return (
            access.visible_batches(user)
            .select_related("commissioner")
            .prefetch_related(Prefetch("payees", queryset=payees, to_attr="visible_payees"))
            .order_by("-month", "commissioner__code")
        )
