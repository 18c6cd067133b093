"""API for the register: /api/v1/commissioners/, /practices/, /pcns/. Reads scoped by role;
writes for commissioner staff in their own area (and superusers)."""

import django_filters
from django.db.models import Prefetch
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from pcn_admin import access
from pcn_admin.api import router

from . import selectors
from .models import PCN, Commissioner, Membership, Practice


class RegisterPermission(permissions.BasePermission):
    """Anyone signed in may read what their scope shows; only commissioner staff write."""

    message = "Only commissioner staff can change the register."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.is_authenticated
        return access.can_edit_register(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return access.can_edit_register(request.user, obj.commissioner)


def _check_area(request, commissioner: Commissioner | None) -> None:
    if commissioner is not None and not access.can_edit_register(request.user, commissioner):
        raise PermissionDenied("You can only add or move organisations within your own area.")


class UpperCaseCodesMixin:
    """ODS codes arrive in any case; the register stores them upper-case (networks.md)."""

    code_fields = ("code", "commissioner")

    def to_internal_value(self, data):
        if hasattr(data, "copy"):
            data = data.copy()
            for name in self.code_fields:
                if isinstance(data.get(name), str):
                    data[name] = data[name].strip().upper()
        return super().to_internal_value(data)


class CommissionerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commissioner
        fields = ["code", "name", "icb_code", "icb_name", "clinical_director_must_be_gp"]


class CommissionerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommissionerSerializer
    lookup_field = "code"
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


class PracticeSerializer(UpperCaseCodesMixin, serializers.ModelSerializer):
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


class PracticeViewSet(viewsets.ModelViewSet):
    serializer_class = PracticeSerializer
    permission_classes = [RegisterPermission]
    filterset_class = PracticeFilter
    lookup_field = "code"

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


class PCNSerializer(UpperCaseCodesMixin, serializers.ModelSerializer):
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


class PCNViewSet(viewsets.ModelViewSet):
    serializer_class = PCNSerializer
    permission_classes = [RegisterPermission]
    filterset_class = PCNFilter
    lookup_field = "code"

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


router.register("commissioners", CommissionerViewSet, basename="commissioner")
router.register("practices", PracticeViewSet, basename="practice")
router.register("pcns", PCNViewSet, basename="pcn")
