"""REST API of the delivery app. Providers POST reports and attestations with a provider key;
staff (and issuer users, for their own products) read reports, SLA periods and incidents."""

import base64
import binascii

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from knox.auth import TokenAuthentication
from rest_framework import generics, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config import api_fields
from delivery import selectors, services
from delivery.auth import IsProvider, IsStaffOrIssuerUser, ProviderKeyAuthentication
from delivery.models import AttestingRole, CapacityAttestation, DeliveryReport, Incident, SlaPeriod
from products.api import ERRORS, READ_ERRORS, CodeField, ErrorSerializer
from products.models import ComputeProduct

MAX_BATCH = 10_000


class ProviderKeyScheme(OpenApiAuthenticationExtension):
    target_class = "delivery.auth.ProviderKeyAuthentication"
    name = "providerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Provider-Key <key>`; create one with `manage.py create_provider_key --lei <LEI>`.",
        }


class ReportInSerializer(serializers.Serializer):
    """One report; documentation of the body. Validation is delivery.ingest.parse_report, the
    same code the CSV upload uses, so both refuse the same things with the same messages."""

    product = api_fields.CharField(max_length=32, help_text="Product symbol.")
    granularity = serializers.ChoiceField(choices=["hour", "day"])
    period_start = serializers.DateTimeField(help_text="UTC, on the hour (hourly) or at midnight (daily).")
    scheduled_gpu_hours = api_fields.DecimalField(max_digits=14, decimal_places=3, min_value=0, coerce_to_string=False)
    delivered_gpu_hours = api_fields.DecimalField(max_digits=14, decimal_places=3, min_value=0, coerce_to_string=False)
    availability_pct = api_fields.DecimalField(
        max_digits=6, decimal_places=3, min_value=0, max_value=100, coerce_to_string=False
    )
    benchmark_pct = api_fields.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=0,
        max_value=1000,
        required=False,
        allow_null=True,
        coerce_to_string=False,
        help_text="Benchmark result as % of the product's reference benchmark.",
    )


class ReportBatchSerializer(serializers.Serializer):
    reports = ReportInSerializer(many=True, help_text=f"1 to {MAX_BATCH} reports.")


class ItemResultSerializer(serializers.Serializer):
    index = api_fields.IntegerField()
    status = api_fields.IntegerField(
        help_text="201 created, 200 corrected/unchanged, 400 invalid, 403 not yours, 404 unknown."
    )
    outcome = serializers.ChoiceField(choices=["created", "corrected", "unchanged", "refused"])
    product = api_fields.CharField(allow_blank=True)
    granularity = api_fields.CharField(allow_blank=True)
    period_start = serializers.DateTimeField(allow_null=True)
    revision = api_fields.IntegerField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=api_fields.CharField()))


class IngestResponseSerializer(serializers.Serializer):
    counts = serializers.DictField(child=api_fields.IntegerField())
    results = ItemResultSerializer(many=True)


class ReportSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol")
    # Plain strings, not enums: an enum on a field named "source" would collide in the schema
    # with other components' "source" enums and rename theirs.
    source = api_fields.CharField(help_text="api, csv or seed")

    class Meta:
        model = DeliveryReport
        fields = [
            "product",
            "granularity",
            "period_start",
            "scheduled_gpu_hours",
            "delivered_gpu_hours",
            "availability_pct",
            "benchmark_pct",
            "revision",
            "source",
            "received_at",
        ]


PRODUCT_FILTER = OpenApiParameter("product", OpenApiTypes.STR, description="Only this product (symbol).")
PROVIDER_ERRORS = {
    400: ERRORS[400],
    401: ERRORS[401],
    403: OpenApiResponse(ErrorSerializer, description="Not a provider key."),
}


def _filter_product(request, queryset):
    symbol = request.query_params.get("product")
    if not symbol:
        return queryset
    if "\x00" in symbol:  # PostgreSQL refuses NUL in a string literal: a 400, not a 500
        raise serializers.ValidationError({"product": ["Not a product symbol."]})
    return queryset.filter(product__symbol=symbol)


class _DeliveryAuth:
    authentication_classes = [ProviderKeyAuthentication, TokenAuthentication, SessionAuthentication]

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), IsProvider()]
        return [IsAuthenticated(), IsStaffOrIssuerUser()]


class DeliveryReportView(_DeliveryAuth, generics.ListAPIView):
    serializer_class = ReportSerializer
    queryset = DeliveryReport.objects.none()  # for schema introspection; get_queryset scopes by user

    def get_queryset(self):
        qs = selectors.reports_visible_to(self.request.user).order_by("product__symbol", "period_start", "granularity")
        return _filter_product(self.request, qs)

    @extend_schema(parameters=[PRODUCT_FILTER], responses={200: ReportSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ReportBatchSerializer,
        responses={
            200: OpenApiResponse(IngestResponseSerializer, description="Every report accepted."),
            207: OpenApiResponse(IngestResponseSerializer, description="Some reports refused; see each result."),
            **PROVIDER_ERRORS,
        },
        description="Submit delivery reports, idempotent per product, granularity and period: a resent "
        "identical report is `unchanged`, a different one for the same period is `corrected` (revision + 1).",
    )
    def post(self, request, *args, **kwargs):
        items = request.data.get("reports") if isinstance(request.data, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
            raise serializers.ValidationError({"reports": [f"Give a list of 1 to {MAX_BATCH} reports."]})
        result = services.delivery_reports_ingest(
            items=items,
            actor=request.user.get_username(),
            scope=services.provider_scope(request.auth),
            source="api",
        )
        body = IngestResponseSerializer(
            {"counts": result.counts, "results": [vars(item) for item in result.items]}
        ).data
        return Response(body, status=status.HTTP_207_MULTI_STATUS if result.refused else status.HTTP_200_OK)


class SiteSerializer(serializers.Serializer):
    site_id = api_fields.CharField(max_length=64)
    country = CodeField(min_length=2, max_length=2, help_text="ISO 3166 alpha-2; read case-insensitively.")
    accelerator_model = api_fields.CharField(max_length=64)
    accelerator_count = api_fields.IntegerField(min_value=1, max_value=services.MAX_SITE_ACCELERATORS)


class EvidenceInSerializer(serializers.Serializer):
    filename = api_fields.CharField(max_length=200)
    content_base64 = api_fields.CharField(help_text="The document, base64-encoded.")


class AttestationInSerializer(serializers.Serializer):
    product = api_fields.CharField(max_length=32)
    attested_on = serializers.DateField()
    attesting_party = api_fields.CharField(max_length=200)
    attesting_role = serializers.ChoiceField(choices=AttestingRole.choices)
    sites = SiteSerializer(many=True, allow_empty=False, max_length=500)
    evidence = EvidenceInSerializer(many=True, allow_empty=False, max_length=20)


class EvidenceSerializer(serializers.Serializer):
    filename = api_fields.CharField()
    sha256 = api_fields.CharField()
    size = api_fields.IntegerField()


class AttestationSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol")
    sites = SiteSerializer(many=True)
    evidence = EvidenceSerializer(many=True)

    class Meta:
        model = CapacityAttestation
        fields = [
            "id",
            "product",
            "attested_on",
            "attesting_party",
            "attesting_role",
            "sites",
            "accelerator_count",
            "evidence",
            "filed_by",
            "created_at",
        ]


class CapacityAttestationView(_DeliveryAuth, generics.ListAPIView):
    serializer_class = AttestationSerializer
    queryset = CapacityAttestation.objects.none()  # for schema introspection

    def get_queryset(self):
        from products.selectors import products_visible_to

        qs = CapacityAttestation.objects.filter(product__in=products_visible_to(self.request.user))
        return _filter_product(self.request, qs.select_related("product").prefetch_related("evidence"))

    @extend_schema(parameters=[PRODUCT_FILTER], responses={200: AttestationSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=AttestationInSerializer,
        responses={201: AttestationSerializer, **PROVIDER_ERRORS, 404: READ_ERRORS[404]},
        description="File a capacity attestation (accelerators per site) with its evidence documents.",
    )
    def post(self, request, *args, **kwargs):
        body = AttestationInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        product = ComputeProduct.objects.filter(symbol=data["product"], provider_lei=request.auth.provider_lei).first()
        if product is None:
            from django.http import Http404

            raise Http404
        evidence = []
        for number, document in enumerate(data["evidence"], start=1):
            try:
                content = base64.b64decode(document["content_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError({"evidence": [f"Document {number}: not valid base64."]})
            evidence.append((document["filename"], content))
        # The service refuses more than services.MAX_EVIDENCE_BYTES in all (a 400 here).
        attestation = services.attestation_file(
            product=product,
            filed_by=request.auth.prefix,
            attested_on=data["attested_on"],
            attesting_party=data["attesting_party"],
            attesting_role=data["attesting_role"],
            sites=[dict(site) for site in data["sites"]],
            evidence=evidence,
            actor=request.user.get_username(),
        )
        return Response(AttestationSerializer(attestation).data, status=status.HTTP_201_CREATED)


class SlaPeriodSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol")

    class Meta:
        model = SlaPeriod
        exclude = ["id"]


class IncidentSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol")
    status = api_fields.CharField(help_text="open or resolved")  # a string for the reason given at `source` above
    assigned_to = api_fields.CharField(source="assigned_to.username", allow_null=True, default=None)
    resolved_by = api_fields.CharField(source="resolved_by.username", allow_null=True, default=None)

    class Meta:
        model = Incident
        fields = [
            "id",
            "product",
            "kind",
            "severity",
            "peak_severity",
            "status",
            "measured",
            "threshold",
            "detail",
            "opened_at",
            "updated_at",
            "condition_cleared_at",
            "assigned_to",
            "resolved_at",
            "resolved_by",
            "resolution",
            "disclosure_update_required",
            "auto_suspended",
        ]


@extend_schema_view(
    list=extend_schema(parameters=[PRODUCT_FILTER], responses={200: SlaPeriodSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: SlaPeriodSerializer, **READ_ERRORS}),
)
class SlaPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SlaPeriodSerializer
    queryset = SlaPeriod.objects.none()  # for schema introspection
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsStaffOrIssuerUser]

    def get_queryset(self):
        return _filter_product(self.request, selectors.sla_periods_visible_to(self.request.user))


@extend_schema_view(
    list=extend_schema(parameters=[PRODUCT_FILTER], responses={200: IncidentSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: IncidentSerializer, **READ_ERRORS}),
)
class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IncidentSerializer
    queryset = Incident.objects.none()  # for schema introspection
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsStaffOrIssuerUser]

    def get_queryset(self):
        return _filter_product(self.request, selectors.incidents_visible_to(self.request.user))
