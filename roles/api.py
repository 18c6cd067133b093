"""API for ARRS: /api/v1/roles/, /rates/ and /posts/. (A PCN's entitlement, the ARR sum, is
money: reimbursement.api.entitlement serves it.)

Reference data: read by anyone signed in; national figures, written only by national
administrators (superusers): commissioner staff get a 403.
Posts: scoped like the pages; a PCN's clinical director and practice managers write their own.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from networks.models import PCN, Practice
from pcn_admin import access
from pcn_admin.drf import Allowed, BoundedTextMixin, api_validation_error
from pcn_admin.plain_errors import PlainErrorsSerializer

from . import selectors, services
from .models import Post, Rate, Role

# ARRS reference data: read by anyone signed in, written only by national administrators.
REFERENCE_DATA_ACCESS = {"write": access.Permission.EDIT_RATES}


class RoleSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = [
            "code",
            "name",
            "first_reimbursable",
            "afc_band",
            "unit",
            "needs_registration",
            "subcontract_fee_monthly_max",
        ]


class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RoleSerializer
    queryset = Role.objects.order_by("first_reimbursable", "name")
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_]+"  # role codes; anything else is a 404, not a query
    filterset_fields = ["code", "unit"]


class RateSerializer(PlainErrorsSerializer, BoundedTextMixin, serializers.ModelSerializer):
    role = serializers.SlugRelatedField(slug_field="code", queryset=Role.objects.all())
    is_locked = serializers.BooleanField(read_only=True)
    superseded_by = serializers.PrimaryKeyRelatedField(read_only=True)
    confirmed_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Rate
        fields = [
            "id",
            "role",
            "region",
            "afc_band",
            "effective_from",
            "annual_max",
            "provenance",
            "basis",
            "superseded_by",
            "confirmed_at",
            "is_locked",
        ]
        # Uniqueness is checked by full_clean() in the service, with the model's own message.
        validators = []


class RateViewSet(viewsets.ModelViewSet):
    serializer_class = RateSerializer
    permission_classes = [Allowed]
    access_permissions = REFERENCE_DATA_ACCESS
    filterset_fields = ["region", "provenance", "role__code"]

    def get_queryset(self):
        return Rate.objects.select_related("role").order_by(
            "role__code", "region", "effective_from"
        )

    def _save(self, rate):
        try:
            services.rate_save(rate=rate, by=self.request.user)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        return rate

    def perform_create(self, serializer):
        serializer.instance = self._save(Rate(**serializer.validated_data))

    def perform_update(self, serializer):
        rate = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(rate, name, value)
        self._save(rate)

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except DjangoValidationError as error:
            raise api_validation_error(error) from None


class PostSerializer(PlainErrorsSerializer, serializers.ModelSerializer):
    pcn = serializers.SlugRelatedField(slug_field="code", queryset=PCN.objects.all())
    role = serializers.SlugRelatedField(slug_field="code", queryset=Role.objects.all())
    employing_practice = serializers.SlugRelatedField(
        slug_field="code", queryset=Practice.objects.all(), allow_null=True, required=False
    )
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        write_only=True,
        help_text="Contracted hours a week now (sessions for GPs). Writing it records a change.",
    )
    hours_from = serializers.DateField(
        write_only=True, required=False, help_text="When a change of hours applies from."
    )
    hours_history = serializers.SerializerMethodField()
    is_claimable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "pcn",
            "role",
            "person_name",
            "registration_number",
            "employing_practice",
            "subcontractor_name",
            "afc_band",
            "start_date",
            "end_date",
            "region",
            "in_post_at_baseline",
            "transferred_from_national_scheme",
            "cct_date",
            "earlier_post_at_pcn",
            "hours",
            "hours_from",
            "hours_history",
            "is_claimable",
        ]
        read_only_fields = ["end_date"]

    def to_representation(self, post):
        data = super().to_representation(post)
        hours = selectors.current_hours(post)
        data["hours"] = str(hours) if hours is not None else None
        return data

    def get_hours_history(self, post) -> list[dict]:
        return [
            {"effective_from": row.effective_from, "hours": str(row.hours)}
            for row in sorted(post.hours.all(), key=lambda row: row.effective_from)
        ]


class PostEndSerializer(PlainErrorsSerializer, serializers.Serializer):
    end_date = serializers.DateField()


class PostViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Posts are never deleted: end them (POST /posts/{id}/end/)."""

    serializer_class = PostSerializer
    permission_classes = [Allowed]
    access_permissions = {
        "read": access.Permission.VIEW_POSTS,
        "write": access.Permission.VIEW_POSTS,
    }
    filterset_fields = ["role__code", "pcn__code", "region"]

    def get_queryset(self):
        return selectors.posts_for_list(access.visible_posts(self.request.user))

    def _check_can_edit(self, pcn):
        if not access.can(self.request.user, access.Permission.EDIT_POSTS, pcn):
            raise PermissionDenied(
                "Only the PCN's clinical director or practice managers can change its posts."
            )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        pcn, hours = data.pop("pcn"), data.pop("hours")
        data.pop("hours_from", None)
        self._check_can_edit(pcn)
        try:
            post = services.post_create(pcn=pcn, hours=hours, by=self.request.user, **data)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        serializer.instance = selectors.with_hours(Post.objects.filter(pk=post.pk)).get()

    def perform_update(self, serializer):
        post = serializer.instance
        self._check_can_edit(post.pcn)
        data = dict(serializer.validated_data)
        if "pcn" in data and data.pop("pcn") != post.pcn:
            raise APIValidationError({"pcn": "A post cannot move PCN. End it and add a new one."})
        try:
            services.post_update(
                post=post,
                by=self.request.user,
                hours=data.pop("hours", None),
                hours_from=data.pop("hours_from", None),
                **data,
            )
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        serializer.instance = selectors.with_hours(Post.objects.filter(pk=post.pk)).get()

    @extend_schema(request=PostEndSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        post = self.get_object()
        self._check_can_edit(post.pcn)
        body = PostEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.post_end(post=post, end_date=body.validated_data["end_date"], by=request.user)
        except DjangoValidationError as error:
            raise api_validation_error(error) from None
        post = selectors.with_hours(Post.objects.filter(pk=post.pk)).get()
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)


# (URL prefix, viewset, basename): pcn_admin/urls.py registers these on the one router.
ROUTES = [
    ("roles", RoleViewSet, "role"),
    ("rates", RateViewSet, "rate"),
    ("posts", PostViewSet, "post"),
]
