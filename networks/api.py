"""API for the register: /api/v1/commissioners/, /practices/, /pcns/. Reads scoped by role;
writes for commissioner staff in their own area (and superusers), through networks.services so
the history names who made each change. POST /api/v1/pcns/{code}/nominated-payee/ changes
who a PCN's payments go to."""

from collections.abc import Mapping

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from pcn_admin import access
from pcn_admin.drf import Allowed, BoundedTextMixin
from pcn_admin.plain_errors import PlainErrorsSerializer

from . import selectors, services
from .models import PCN, Commissioner, Membership, NominatedPayee, Practice

# Anyone signed in reads what their scope shows; commissioner staff write their own area's rows;
# only superusers delete (as in the admin): history and money hang off register rows.
REGISTER_ACCESS = {
    "write": access.Permission.EDIT_REGISTER,
    "destroy": access.Permission.DELETE_REGISTER,
}


# ODS codes are letters and digits. Anything else in the URL is a 404 before any query: some
# characters (a NUL) make PostgreSQL refuse the query outright, which would be a server error.
ODS_CODE_IN_URL = "[A-Za-z0-9]+"


def _check_area(request, commissioner: Commissioner | None) -> None:
    if commissioner is not None and not access.can(
        request.user, access.Permission.EDIT_REGISTER, commissioner
    ):
        raise PermissionDenied("You can only add or move organisations within your own area.")


class UpperCaseCodesMixin:
    """ODS codes arrive in any case; the register stores them upper-case (networks.md)."""

    code_fields = ("code", "commissioner")

    def to_internal_value(self, data):
        # Anything but an object (a JSON list, say) is left for DRF to refuse with a 400.
        if isinstance(data, Mapping):
            data = data.copy()
            for name in self.code_fields:
                if isinstance(data.get(name), str):
                    data[name] = data[name].strip().upper()
        return super().to_internal_value(data)


class CommissionerSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    class Meta:
        model = Commissioner
        fields = ["code", "name", "icb_code", "icb_name", "clinical_director_must_be_gp"]


class CommissionerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommissionerSerializer
    lookup_field = "code"
    lookup_value_regex = ODS_CODE_IN_URL
    filterset_fields = ["code"]

    def get_queryset(self):
        return access.visible_commissioners(self.request.user).order_by("code")


class PracticeFilter(django_filters.FilterSet):
    commissioner = django_filters.CharFilter(field_name="commissioner__code", lookup_expr="iexact")
    code = django_filters.CharFilter(lookup_expr="iexact")
    status = django_filters.ChoiceFilter(choices=Practice.Status.choices)

    class Meta:
        model = Practice
        fields = ["commissioner", "code", "status"]


class PracticeSerializer(
    PlainErrorsSerializer, UpperCaseCodesMixin, BoundedTextMixin, serializers.ModelSerializer
):
    commissioner = serializers.SlugRelatedField(
        slug_field="code", queryset=Commissioner.objects.all(), allow_null=True, required=False
    )
    pcn = serializers.SerializerMethodField(help_text="The current PCN's code, if any.")

    class Meta:
        model = Practice
        fields = ["code", "name", "commissioner", "address", "postcode", "status", "pcn"]

    def get_pcn(self, practice) -> str | None:
        current = getattr(practice, "current_memberships", None)
        return current[0].pcn.code if current else None

    def create(self, validated_data):
        by = self.context["request"].user
        return services.practice_create(practice=Practice(**validated_data), by=by)

    def update(self, instance, validated_data):
        by = self.context["request"].user
        return services.practice_update(practice=instance, by=by, **validated_data)


class PracticeViewSet(viewsets.ModelViewSet):
    serializer_class = PracticeSerializer
    permission_classes = [Allowed]
    access_permissions = REGISTER_ACCESS
    filterset_class = PracticeFilter
    lookup_field = "code"
    lookup_value_regex = ODS_CODE_IN_URL

    def get_queryset(self):
        current = Membership.objects.current().select_related("pcn")
        return (
            access.visible_practices(self.request.user)
            .select_related("commissioner")
            .prefetch_related(Prefetch("memberships", current, to_attr="current_memberships"))
            .order_by("code")
        )

    def perform_create(self, serializer):
        _check_area(self.request, serializer.validated_data.get("commissioner"))
        serializer.save()

    def perform_update(self, serializer):
        _check_area(self.request, serializer.validated_data.get("commissioner"))
        serializer.save()

    def perform_destroy(self, instance):
        services.register_row_delete(row=instance, by=self.request.user)


class PCNFilter(django_filters.FilterSet):
    commissioner = django_filters.CharFilter(field_name="commissioner__code", lookup_expr="iexact")
    code = django_filters.CharFilter(lookup_expr="iexact")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed")], method="filter_status"
    )

    class Meta:
        model = PCN
        fields = ["commissioner", "code", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(close_date__isnull=(value == "open"))


class PCNSerializer(
    PlainErrorsSerializer, UpperCaseCodesMixin, BoundedTextMixin, serializers.ModelSerializer
):
    commissioner = serializers.SlugRelatedField(
        slug_field="code", queryset=Commissioner.objects.all()
    )
    practices = serializers.SerializerMethodField(help_text="Current member practice codes.")
    registered_population = serializers.SerializerMethodField()
    weighted_population = serializers.SerializerMethodField()
    clinical_director = serializers.SerializerMethodField()
    nominated_payee = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = PCN
        fields = [
            "code",
            "name",
            "commissioner",
            "open_date",
            "close_date",
            "address",
            "postcode",
            "practices",
            "registered_population",
            "weighted_population",
            "clinical_director",
            "nominated_payee",
            "warnings",
        ]

    def _population(self, pcn):
        populations = self.context.get("populations")
        if populations is None or pcn.pk not in populations:
            populations = selectors.populations_on([pcn.pk])
            self.context["populations"] = {**self.context.get("populations", {}), **populations}
        return self.context["populations"][pcn.pk]

    def get_practices(self, pcn) -> list[str]:
        return [m.practice.code for m in getattr(pcn, "current_memberships", [])]

    def get_registered_population(self, pcn) -> int:
        return self._population(pcn).registered

    def get_weighted_population(self, pcn) -> str:
        return str(self._population(pcn).weighted)

    def get_clinical_director(self, pcn) -> str | None:
        directors = getattr(pcn, "current_clinical_directors", [])
        return directors[0].name if directors else None

    def get_nominated_payee(self, pcn) -> str | None:
        payees = getattr(pcn, "current_payees", [])
        return str(payees[0]) if payees else None

    def get_warnings(self, pcn) -> list[str]:
        return selectors.population_warnings(pcn, self._population(pcn))

    def validate(self, attrs):
        # A partial update may change one date only: compare with the stored other.
        open_date = attrs.get("open_date", getattr(self.instance, "open_date", None))
        close_date = attrs.get("close_date", getattr(self.instance, "close_date", None))
        if open_date and close_date and close_date < open_date:
            raise serializers.ValidationError(
                {"close_date": "A PCN cannot close before it opens: check both dates."}
            )
        return attrs

    def create(self, validated_data):
        by = self.context["request"].user
        return services.pcn_create(pcn=PCN(**validated_data), by=by)

    def update(self, instance, validated_data):
        by = self.context["request"].user
        return services.pcn_update(pcn=instance, by=by, **validated_data)


class NominatedPayeeSerializer(PlainErrorsSerializer, UpperCaseCodesMixin, serializers.Serializer):
    """A new nominated payee: a member practice (by code), or a bank account held for the
    network (by name), from a start date; the current payee is paid up to the day before."""

    code_fields = ("practice",)

    pcn = serializers.CharField(source="pcn.code", read_only=True)
    practice = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Practice.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "No practice in your area has the code {value}."},
    )
    account_name = serializers.CharField(
        max_length=NominatedPayee._meta.get_field("account_name").max_length,
        required=False,
        allow_blank=True,
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["practice"].queryset = access.visible_practices(request.user)

    def validate(self, attrs):
        if not attrs.get("practice") and not attrs.get("account_name"):
            raise serializers.ValidationError(
                {
                    "practice": "Give the code of the member practice to be paid, or the "
                    "account_name of the bank account held for the network."
                }
            )
        return attrs


class PCNViewSet(viewsets.ModelViewSet):
    serializer_class = PCNSerializer
    permission_classes = [Allowed]
    access_permissions = REGISTER_ACCESS
    filterset_class = PCNFilter
    lookup_field = "code"
    lookup_value_regex = ODS_CODE_IN_URL

    def get_queryset(self):
        return selectors.with_current_relationships(
            access.visible_pcns(self.request.user)
        ).order_by("code")

    def list(self, request, *args, **kwargs):
        # Populations for the whole page in one query, not one per PCN.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        context["populations"] = selectors.populations_on([pcn.pk for pcn in page])
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def perform_create(self, serializer):
        _check_area(self.request, serializer.validated_data.get("commissioner"))
        serializer.save()

    def perform_update(self, serializer):
        _check_area(self.request, serializer.validated_data.get("commissioner"))
        serializer.save()

    def perform_destroy(self, instance):
        services.register_row_delete(row=instance, by=self.request.user)

    @extend_schema(request=NominatedPayeeSerializer, responses={201: NominatedPayeeSerializer})
    @action(detail=True, methods=["post"], url_path="nominated-payee")
    def nominated_payee(self, request, code=None):
        pcn = self.get_object()  # 404 outside the user's area; 403 without register rights
        body = NominatedPayeeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        payee = services.nominated_payee_set(pcn=pcn, by=request.user, **body.validated_data)
        return Response(NominatedPayeeSerializer(payee).data, status=status.HTTP_201_CREATED)


# (URL prefix, viewset, basename): pcn_admin/urls.py registers these on the one router.
ROUTES = [
    ("commissioners", CommissionerViewSet, "commissioner"),
    ("practices", PracticeViewSet, "practice"),
    ("pcns", PCNViewSet, "pcn"),
]
