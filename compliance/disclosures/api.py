"""REST API of the disclosures app: read and download documents, request renderings, publish,
record acknowledgements. Thin: parse, scope through selectors, call a service, render."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance.disclosures import selectors, services
from compliance.disclosures.models import (
    AcknowledgementChannel,
    DisclosureAcknowledgement,
    DisclosureDocument,
    DisclosureRendering,
)
from config import api_fields
from products.api import ERRORS, READ_ERRORS, TRANSITION_ERRORS
from products.selectors import products_visible_to


class DisclosureSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol", read_only=True)
    published_by = api_fields.CharField(source="published_by.username", read_only=True, allow_null=True)
    superseded_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    application_version = api_fields.IntegerField(source="application_version.number", read_only=True, allow_null=True)
    filename = api_fields.CharField(read_only=True)
    constraints_decided = api_fields.BooleanField(read_only=True)

    class Meta:
        model = DisclosureDocument
        fields = [
            "id",
            "product",
            "jurisdiction",
            "language",
            "version",
            "status",
            "sha256",
            "page_count",
            "template_version",
            "terms_version",
            "application_version",
            "mandatory_sections",
            "constraints_decided",
            "rendered_on",
            "rendered_at",
            "published_at",
            "published_by",
            "superseded_by",
            "filename",
        ]


class DisclosureRenderingSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol", read_only=True)
    document = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = DisclosureRendering
        fields = [
            "id",
            "product",
            "jurisdiction",
            "language",
            "status",
            "error",
            "document",
            "requested_at",
            "started_at",
            "finished_at",
        ]


class DisclosureRenderingRequestSerializer(serializers.Serializer):
    product = api_fields.CharField(max_length=32, help_text="Symbol of a product you may see.")
    jurisdiction = api_fields.CharField(max_length=2, help_text="One of the product's jurisdictions of offer.")
    language = api_fields.CharField(max_length=8, default="en", required=False)


class DisclosureAcknowledgementRequestSerializer(serializers.Serializer):
    investor = api_fields.CharField(max_length=64, help_text="The investor's reference (kyc.Investor.reference).")
    channel = serializers.ChoiceField(choices=AcknowledgementChannel.choices, default=AcknowledgementChannel.API)


class DisclosureAcknowledgementSerializer(api_fields.ModelSerializer):
    investor = api_fields.CharField(source="investor.reference", read_only=True)
    recorded_by = api_fields.CharField(source="recorded_by.username", read_only=True, allow_null=True)
    version = api_fields.IntegerField(source="document.version", read_only=True)

    class Meta:
        model = DisclosureAcknowledgement
        fields = ["id", "document", "version", "investor", "channel", "acknowledged_at", "recorded_by"]


def _investor_by_reference(reference: str):
    from compliance.kyc.models import Investor

    investor = Investor.objects.filter(reference=reference.strip()).first()
    if investor is None:
        raise serializers.ValidationError({"investor": ["No investor has this reference."]})
    return investor


def pdf_response(document: DisclosureDocument) -> HttpResponse:
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Content-Length"] = str(len(document.pdf))
    # The hash lets a client check the bytes it received against what Attest published.
    response["X-Content-SHA256"] = document.sha256
    return response


@extend_schema_view(
    list=extend_schema(responses={200: DisclosureSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: DisclosureSerializer, **READ_ERRORS}),
)
class DisclosureViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DisclosureSerializer
    queryset = DisclosureDocument.objects.none()  # for schema introspection; get_queryset scopes by user

    def get_queryset(self):
        return selectors.documents_visible_to(self.request.user).select_related("application_version")

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF document."),
            **READ_ERRORS,
        }
    )
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        document = self.get_object()
        return pdf_response(selectors.document_content(document.pk))

    @extend_schema(request=None, responses={200: DisclosureSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="publish", url_name="publish")
    def publish(self, request, pk=None):
        document = services.disclosure_publish(document=self.get_object(), actor=request.user)
        return Response(DisclosureSerializer(document).data)

    @extend_schema(
        methods=["get"],
        responses={200: DisclosureAcknowledgementSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["post"],
        request=DisclosureAcknowledgementRequestSerializer,
        responses={
            200: OpenApiResponse(
                DisclosureAcknowledgementSerializer, description="Already acknowledged: the first record."
            ),
            201: OpenApiResponse(DisclosureAcknowledgementSerializer, description="Acknowledgement recorded."),
            **TRANSITION_ERRORS,
        },
    )
    @action(detail=True, methods=["get", "post"], url_path="acknowledgements", url_name="acknowledgements")
    def acknowledgements(self, request, pk=None):
        document = self.get_object()
        if request.method == "GET":
            rows = selectors.acknowledgements_of(document)
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(DisclosureAcknowledgementSerializer(page, many=True).data)
        body = DisclosureAcknowledgementRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        acknowledgement, created = services.disclosure_acknowledge(
            document=document,
            investor=_investor_by_reference(body.validated_data["investor"]),
            channel=body.validated_data["channel"],
            actor=request.user,
        )
        return Response(
            DisclosureAcknowledgementSerializer(acknowledgement).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema_view(
    list=extend_schema(responses={200: DisclosureRenderingSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: DisclosureRenderingSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=DisclosureRenderingRequestSerializer,
        responses={202: DisclosureRenderingSerializer, **TRANSITION_ERRORS},
    ),
)
class DisclosureRenderingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rendering requests: POST queues a draft rendering on the worker; poll the request for its status."""

    serializer_class = DisclosureRenderingSerializer
    queryset = DisclosureRendering.objects.none()  # for schema introspection; get_queryset scopes by user

    def get_queryset(self):
        return selectors.renderings_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        body = DisclosureRenderingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product = get_object_or_404(products_visible_to(request.user), symbol=body.validated_data["product"])
        rendering = services.disclosure_rendering_request(
            product=product,
            jurisdiction=body.validated_data["jurisdiction"],
            language=body.validated_data.get("language") or "en",
            actor=request.user,
        )
        return Response(DisclosureRenderingSerializer(rendering).data, status=status.HTTP_202_ACCEPTED)


class DisclosureAcknowledgementsWithoutSlash(DisclosureViewSet):
    """The acknowledgements action also at ``/api/v1/disclosures/{id}/acknowledgements``, the path
    as the API is specified (the router's paths end in a slash, and a POST to a path without one
    cannot be redirected). Left out of the schema: it documents the same operation once."""

    schema = None
