"""API of the referrals app: /api/v1/referrals/ (the PCN's link workers, with who was
referred, and its clinical director, without: decision 0010; every record shown is audited),
/api/v1/organisations/ and /api/v1/services/ (the directory: readable by anyone signed in,
written by commissioner staff and by an organisation's own staff for their own entries)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination

from pcn_admin import access
from pcn_admin.drf import Allowed, BoundedTextMixin, api_validation_error
from pcn_admin.plain_errors import PlainErrorsSerializer

from . import services
from .models import AuditEvent, Organisation, Referral, Service

# Referrals ------------------------------------------------------------------------------------


class ReferralSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    reasons = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)
    practice = serializers.SlugRelatedField(slug_field="code", read_only=True)
    pcn = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "given_name",
            "family_name",
            "nhs_number",
            "date_of_birth",
            "phone",
            "email",
            "preferred_contact_method",
            "practice",
            "pcn",
            "source",
            "referrer_name",
            "reasons",
            "link_worker",
            "status",
            "received_on",
            "gp_code",
            "outcome",
            "closed_on",
            "gp_appointments_before",
            "gp_appointments_after",
        ]


class DeidentifiedReferralSerializer(ReferralSerializer):
    """A referral without who was referred: what a clinical director sees (decision 0010),
    as on the referral page. Leaves out every identifying field the model lists."""

    class Meta(ReferralSerializer.Meta):
        fields = [
            name
            for name in ReferralSerializer.Meta.fields
            if name not in Referral.PERSONAL_DATA_FIELDS
        ]


class ReferralCursor(CursorPagination):
    """Referrals come a page at a time by cursor (`next` and `previous` links), newest first:
    each page is read from the index where the last one ended, with no count of them all and
    no OFFSET past every page before it. No client uses a total or a page number (the pages
    and the tests follow `results`); the other lists keep their numbered pages and `count`."""

    ordering = ("-received_on", "-pk")


class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    """The PCN's referrals. A link worker gets every field; the clinical director gets each
    referral without its identifying fields (names, NHS number, date of birth, contact
    details, referrer), as the referral pages show it."""

    serializer_class = ReferralSerializer
    filterset_fields = ["status", "link_worker"]
    pagination_class = ReferralCursor

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or access.has(
            self.request.user, access.Permission.SEE_REFERRAL_IDENTITIES
        ):
            return ReferralSerializer
        return DeidentifiedReferralSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built with no user
            return Referral.objects.none()
        if not access.has(self.request.user, access.Permission.VIEW_REFERRALS):
            raise PermissionDenied("Only a PCN's link workers and clinical director see referrals.")
        return (
            access.visible_referrals(self.request.user)
            .select_related("practice", "pcn", "source")
            .prefetch_related("reasons")
            .order_by("-received_on", "-pk")
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", response.data)
        ids = [row["id"] for row in rows]
        services.audit_records(
            user=request.user,
            action=AuditEvent.Action.LIST,
            instances=[Referral(pk=pk) for pk in ids],
            detail="api",
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        services.audit_record(
            user=request.user,
            action=AuditEvent.Action.VIEW,
            instance=Referral(pk=response.data["id"]),
            detail="api",
        )
        return response


# The directory ------------------------------------------------------------------------------


# Anyone signed in reads the directory; commissioner staff, or an organisation's own staff for
# their own entry, change it.
DIRECTORY_ACCESS = {"write": access.Permission.EDIT_DIRECTORY}


def _organisation_of(entry):
    return entry if isinstance(entry, Organisation) else entry.organisation


class _ServiceWrites:
    """Serializer writes go through the service functions, so full_clean() always runs."""

    def _save(self, serializer, **extra):
        try:
            serializer.save(**extra)
        except DjangoValidationError as error:
            raise api_validation_error(error) from error


class OrganisationSerializer(PlainErrorsSerializer, BoundedTextMixin, serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "email",
            "phone",
            "website",
            "address",
            "postcode",
            "charity_number",
        ]

    def create(self, validated_data):
        return services.organisation_save(
            organisation=Organisation(**validated_data), by=self.context["request"].user
        )

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.organisation_save(organisation=instance, by=self.context["request"].user)


class OrganisationViewSet(_ServiceWrites, viewsets.ModelViewSet):
    serializer_class = OrganisationSerializer
    permission_classes = [Allowed]
    access_permissions = DIRECTORY_ACCESS
    access_object = staticmethod(_organisation_of)
    queryset = Organisation.objects.order_by("name")
    filterset_fields = ["kind"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        if not access.has(self.request.user, access.Permission.KEEP_DIRECTORY):
            raise PermissionDenied("Only commissioner staff add organisations to the directory.")
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)


class ServiceSerializer(PlainErrorsSerializer, BoundedTextMixin, serializers.ModelSerializer):
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "organisation",
            "name",
            "description",
            "not_offered",
            "minimum_age",
            "maximum_age",
            "conditions",
            "areas_served",
            "must_be_accompanied_by_carer",
            "how_to_refer",
            "surgery_attendance",
            "email",
            "phone",
            "website",
            "venue_name",
            "address",
            "postcode",
            "capacity",
            "taxonomy_terms",
            "last_reviewed",
            "review_overdue",
            "is_active",
        ]

    def create(self, validated_data):
        terms = validated_data.pop("taxonomy_terms", None)
        return services.service_save(
            service=Service(**validated_data), taxonomy_terms=terms, by=self.context["request"].user
        )

    def update(self, instance, validated_data):
        terms = validated_data.pop("taxonomy_terms", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.service_save(
            service=instance, taxonomy_terms=terms, by=self.context["request"].user
        )


class ServiceViewSet(_ServiceWrites, viewsets.ModelViewSet):
    serializer_class = ServiceSerializer
    permission_classes = [Allowed]
    access_permissions = DIRECTORY_ACCESS
    access_object = staticmethod(_organisation_of)
    queryset = (
        Service.objects.select_related("organisation")
        .prefetch_related("taxonomy_terms")
        .order_by("organisation__name", "name")
    )
    filterset_fields = ["organisation", "capacity", "is_active"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _check_organisation(self, serializer):
        organisation = serializer.validated_data.get("organisation")
        if organisation and not access.can(
            self.request.user, access.Permission.EDIT_DIRECTORY, organisation
        ):
            raise PermissionDenied("You can only add or move services for your own organisation.")

    def perform_create(self, serializer):
        self._check_organisation(serializer)
        self._save(serializer)

    def perform_update(self, serializer):
        self._check_organisation(serializer)
        self._save(serializer)


# (URL prefix, viewset, basename): pcn_admin/urls.py registers these on the one router.
ROUTES = [
    ("referrals", ReferralViewSet, "referral"),
    ("organisations", OrganisationViewSet, "organisation"),
    ("services", ServiceViewSet, "service"),
]
