"""API for ARRS claims: /api/v1/claims/, with lines nested and review actions as routes.

The same services as the pages, so the same checks; scoped by pcn_admin.access (outside scope
is a 404, an action the role lacks a 403).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from networks.models import PCN
from pcn_admin import access
from pcn_admin.bounds import NOTES_MAX_LENGTH
from pcn_admin.drf import Allowed, api_validation_error
from pcn_admin.plain_errors import PlainErrorsSerializer

from .. import selectors, services
from ..forms import MAX_MONTHLY_COST, MONTH_FORMATS
from ..models import BREAKDOWN_FIELDS, Claim, ClaimLine

LINE = r"lines/(?P<line_pk>[0-9]+)"
COSTS = ("salary", "employer_ni", "employer_pension", "subcontract_fee")


class ClaimLineSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    person_name = serializers.CharField(source="post.person_name", read_only=True)
    role = serializers.CharField(source="post.role.code", read_only=True)
    over_cap_warning = serializers.CharField(read_only=True)
    # Where the maximum the line was priced on comes from (roles.models.Provenance): "published",
    # or "derived-band"/"derived-uplift" for a figure worked out rather than published.
    rate_provenance = serializers.CharField(
        source="rate_used.provenance", read_only=True, allow_null=True
    )

    class Meta:
        model = ClaimLine
        fields = [
            "id",
            "post",
            "person_name",
            "role",
            *BREAKDOWN_FIELDS,
            "rate_provenance",
            "over_cap_warning",
            "original_line",
            "status",
            "decision_reason",
            "decided_at",
            "approved_at",
        ]
        read_only_fields = [f for f in fields if f not in COSTS]
        extra_kwargs = {name: {"max_value": MAX_MONTHLY_COST} for name in COSTS}


class ClaimSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    pcn = serializers.SlugRelatedField(slug_field="code", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    approved_total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "pcn",
            "month",
            "kind",
            "original",
            "status",
            "declared_additional",
            "declared_costs_paid",
            "query",
            "warnings",
            "submitted_at",
            "returned_at",
            "line_count",
            "total",
            "approved_total",
        ]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    lines = ClaimLineSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class ClaimCreateSerializer(PlainErrorsSerializer, serializers.Serializer):
    pcn = serializers.SlugRelatedField(slug_field="code", queryset=PCN.objects.all())
    month = serializers.DateField(input_formats=MONTH_FORMATS)
    kind = serializers.ChoiceField(choices=Claim.Kind.choices, default=Claim.Kind.NORMAL)


class SubmitSerializer(PlainErrorsSerializer, serializers.Serializer):
    declared_additional = serializers.BooleanField()
    declared_costs_paid = serializers.BooleanField()


class ReasonSerializer(PlainErrorsSerializer, serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTES_MAX_LENGTH
    )


class QuerySerializer(PlainErrorsSerializer, serializers.Serializer):
    query = serializers.CharField(max_length=NOTES_MAX_LENGTH)


class ClaimViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Claims the user may see. PCN users create, fill in and submit; commissioner staff review."""

    filterset_fields = ["status", "kind", "month"]
    permission_classes = [Allowed]
    # The claim's own actions check PREPARE_CLAIMS or REVIEW_CLAIMS on the claim itself.
    access_permissions = {
        "read": access.Permission.VIEW_CLAIMS,
        "write": access.Permission.VIEW_CLAIMS,
        "create": access.Permission.PREPARE_CLAIMS,
    }

    def get_queryset(self):
        claims = selectors.claims_for_list(access.visible_claims(self.request.user))
        if self.action != "list":
            lines = ClaimLine.objects.select_related("post__role", "rate_used").order_by(
                "post__role__name", "post__person_name", "pk"
            )
            claims = claims.prefetch_related(Prefetch("lines", queryset=lines))
        return claims

    def get_serializer_class(self):
        if self.action == "create":
            return ClaimCreateSerializer
        if self.action == "list":
            return ClaimSerializer
        return ClaimDetailSerializer

    def _detail(self, claim_pk) -> Response:
        claim = self.get_queryset().get(pk=claim_pk)
        return Response(ClaimDetailSerializer(claim).data)

    def _line(self, claim: Claim, line_pk) -> ClaimLine:
        try:
            return claim.lines.select_related("post__role", "rate_used").get(pk=line_pk)
        except ClaimLine.DoesNotExist:
            raise NotFound("No such line on this claim.") from None

    def _as_preparer(self) -> Claim:
        claim = self.get_object()
        if not access.can(
            self.request.user, access.Permission.PREPARE_CLAIMS, claim.pcn, month=claim.month
        ):
            raise PermissionDenied(
                "Only the PCN's clinical director or the nominated payee practice's practice "
                "manager can change this claim."
            )
        return claim

    def _as_reviewer(self) -> Claim:
        claim = self.get_object()
        if not access.can(
            self.request.user, access.Permission.REVIEW_CLAIMS, claim.pcn.commissioner
        ):
            raise PermissionDenied("Only the commissioner's staff can review this claim.")
        return claim

    def create(self, request, *args, **kwargs):
        serializer = ClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pcn, month, kind = data["pcn"], data["month"].replace(day=1), data["kind"]
        if not access.visible_pcns(request.user).filter(pk=pcn.pk).exists():
            raise ValidationError({"pcn": "No PCN with this code is visible to you."})
        if not access.can(request.user, access.Permission.PREPARE_CLAIMS, pcn, month=month):
            raise PermissionDenied(
                "Only the PCN's clinical director or that month's nominated payee practice's "
                "practice manager can start this claim."
            )
        original = None
        if kind == Claim.Kind.ADJUSTMENT:
            original = Claim.objects.filter(pcn=pcn, month=month, kind=Claim.Kind.NORMAL).first()
            if original is None:
                raise ValidationError({"kind": "There is no claim for this month to adjust."})
        try:
            claim = services.claim_create(
                pcn=pcn, month=month, kind=kind, original=original, by=request.user
            )
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        response = self._detail(claim.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=ClaimLineSerializer, responses=ClaimLineSerializer)
    @action(detail=True, methods=["patch"], url_path=LINE)
    def line(self, request, pk=None, line_pk=None):
        """Enter a draft line's costs for the month; the figures are worked out on saving."""
        claim = self._as_preparer()
        line = self._line(claim, line_pk)
        serializer = ClaimLineSerializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        costs = {name: serializer.validated_data.get(name, getattr(line, name)) for name in COSTS}
        try:
            line = services.claim_line_update(line=line, by=request.user, **costs)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return Response(ClaimLineSerializer(line).data)

    @extend_schema(request=SubmitSerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        claim = self._as_preparer()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.claim_submit(claim=claim, by=request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return self._detail(claim.pk)

    @extend_schema(request=None, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="refresh-lines")
    def refresh_lines(self, request, pk=None):
        claim = self._as_preparer()
        try:
            services.claim_refresh_lines(claim=claim, by=request.user)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return self._detail(claim.pk)

    def _decide(self, request, line_pk, service):
        claim = self._as_reviewer()
        line = self._line(claim, line_pk)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            service(line=line, reason=serializer.validated_data["reason"], by=request.user)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return self._detail(claim.pk)

    @extend_schema(request=ReasonSerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path=LINE + "/approve")
    def approve_line(self, request, pk=None, line_pk=None):
        return self._decide(request, line_pk, services.claim_line_approve)

    @extend_schema(request=ReasonSerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path=LINE + "/reject")
    def reject_line(self, request, pk=None, line_pk=None):
        return self._decide(request, line_pk, services.claim_line_reject)

    @extend_schema(request=QuerySerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_practice(self, request, pk=None):
        claim = self._as_reviewer()
        serializer = QuerySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.claim_return(claim=claim, by=request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return self._detail(claim.pk)

    @extend_schema(request=None, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="approve-remaining")
    def approve_remaining(self, request, pk=None):
        claim = self._as_reviewer()
        try:
            services.claim_approve_remaining(claim=claim, by=request.user)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return self._detail(claim.pk)
