"""REST API of the products app: parse, authorize through selectors, call a service, render."""

import re

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config import api_fields
from products import selectors, services
from products.models import (
    MAX_DELIVERY_REGIONS,
    MAX_DELIVERY_SITES,
    MAX_JURISDICTIONS,
    MAX_VENUES,
    ApplicationVersion,
    Approval,
    ComputeProduct,
    Issuer,
    Listing,
    ProductApplication,
    Venue,
)
from products.validators import SITE_ID_MAX_LENGTH, code_as_stored

LEI_SHAPE = re.compile(r"^[A-Z0-9]{20}$")


class ErrorSerializer(serializers.Serializer):
    code = api_fields.CharField()
    detail = api_fields.CharField()
    errors = serializers.DictField(required=False, help_text="Field name -> list of messages.")


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, with field-level messages."),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Not permitted for this role."),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not visible to you."),
}
READ_ERRORS = {k: ERRORS[k] for k in (401, 403, 404)}
TRANSITION_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(ErrorSerializer, description="Illegal in the current state."),
}


CASE_NOTE = "Read case-insensitively and stored upper case."


class CodeField(api_fields.CharField):
    """An ISO code (country, jurisdiction, currency, MIC), read leniently: surrounding spaces are
    stripped and ASCII letters upper-cased before validation, so "fr" is taken as "FR". Records
    and responses always carry the upper-case code, which is all the model validators accept
    (``code_as_stored``, as the web form reads codes)."""

    def to_internal_value(self, data):
        return code_as_stored(super().to_internal_value(data))


class UpperCaseCodes:
    """ModelSerializer mixin: the model fields in ``upper_case_codes`` (name -> what the code is)
    are read with CodeField, keeping everything else the model says about them (length,
    validators, blank, default)."""

    upper_case_codes: dict[str, str] = {}

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name in self.upper_case_codes:
            field_class = CodeField
            kwargs["help_text"] = f"{self.upper_case_codes[field_name]} {CASE_NOTE}"
        return field_class, kwargs


class IssuerSerializer(UpperCaseCodes, api_fields.ModelSerializer):
    upper_case_codes = {"country": "ISO 3166 alpha-2."}

    class Meta:
        model = Issuer
        fields = [
            "id",
            "legal_name",
            "lei",
            "country",
            "registration_number",
            "contact_name",
            "contact_email",
            "status",
            "created_at",
        ]
        read_only_fields = ["id", "status", "created_at"]
        # Uniqueness is the service's to judge (it answers with a field error, not a DB error).
        extra_kwargs = {"lei": {"validators": []}}


class DeliverySiteSerializer(serializers.Serializer):
    country = CodeField(max_length=2, help_text=f"ISO 3166 alpha-2. {CASE_NOTE}")
    site_id = api_fields.CharField(max_length=SITE_ID_MAX_LENGTH)


class LeiRelatedField(serializers.SlugRelatedField):
    """An issuer by LEI. The value is checked before the lookup: a NUL byte or a lone surrogate
    would otherwise reach PostgreSQL and fail there as a 500."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not LEI_SHAPE.match(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:40])
        return super().to_internal_value(data)


class ProductSerializer(UpperCaseCodes, api_fields.ModelSerializer):
    """Product terms. Codes are read case-insensitively (see CodeField); a code list that repeats
    a code, in any case (["US", "us"]), is refused by the model's duplicate check."""

    upper_case_codes = {"settlement_currency": "ISO 4217."}
    issuer = LeiRelatedField(slug_field="lei", queryset=Issuer.objects.all())
    delivery_regions = serializers.ListField(
        child=CodeField(max_length=2),
        max_length=MAX_DELIVERY_REGIONS,
        help_text=f"ISO 3166 alpha-2 codes. {CASE_NOTE}",
    )
    delivery_sites = DeliverySiteSerializer(many=True, max_length=MAX_DELIVERY_SITES)
    jurisdictions = serializers.ListField(
        child=CodeField(max_length=2),
        max_length=MAX_JURISDICTIONS,
        help_text=f"Jurisdictions of offer: ISO 3166 alpha-2 codes or EU. {CASE_NOTE}",
    )
    requested_venues = serializers.ListField(
        child=CodeField(max_length=4), max_length=MAX_VENUES, required=False, help_text=f"ISO 10383 MICs. {CASE_NOTE}"
    )
    is_tokenized = api_fields.BooleanField(read_only=True)

    class Meta:
        model = ComputeProduct
        exclude = ["id", "created_at", "updated_at"]
        read_only_fields = ["quantity_unit", "terms_version"]
        extra_kwargs = {"symbol": {"validators": []}}

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if "delivery_sites" in values:
            values["delivery_sites"] = [dict(site) for site in values["delivery_sites"]]
        return values


class ProductUpdateSerializer(ProductSerializer):
    class Meta(ProductSerializer.Meta):
        read_only_fields = ["quantity_unit", "terms_version", "issuer"]


class ApplicationVersionSerializer(api_fields.ModelSerializer):
    submitted_by = api_fields.CharField(source="submitted_by.username", read_only=True)

    class Meta:
        model = ApplicationVersion
        fields = ["number", "terms", "issuer_snapshot", "submitted_by", "submitted_at"]


class ApprovalSerializer(api_fields.ModelSerializer):
    officer = api_fields.CharField(source="officer.username", read_only=True)

    class Meta:
        model = Approval
        fields = ["version_number", "officer", "rationale", "created_at"]


class ApplicationSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol", read_only=True)
    issuer = api_fields.CharField(source="issuer.lei", read_only=True)
    versions = ApplicationVersionSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)
    legal_actions = serializers.SerializerMethodField()

    class Meta:
        model = ProductApplication
        fields = [
            "id",
            "product",
            "issuer",
            "state",
            "version",
            "created_at",
            "state_changed_at",
            "versions",
            "approvals",
            "legal_actions",
        ]

    def get_legal_actions(self, application) -> list[str]:
        return services.legal_actions(application, self.context["request"].user)


class ApplicationCreateSerializer(serializers.Serializer):
    product = api_fields.CharField(max_length=32, help_text="Symbol of one of your products.")


class RationaleSerializer(serializers.Serializer):
    rationale = api_fields.CharField(max_length=5000, allow_blank=True, required=False, default="")


class VenueSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["mic", "name", "country", "venue_type", "active"]


class ListingSerializer(api_fields.ModelSerializer):
    product = api_fields.CharField(source="product.symbol")
    venue = api_fields.CharField(source="venue.mic")
    application_version = api_fields.IntegerField(source="application_version.number")

    class Meta:
        model = Listing
        fields = [
            "id",
            "product",
            "venue",
            "status",
            "effective_from",
            "effective_to",
            "status_reason",
            "application",
            "application_version",
        ]


@extend_schema_view(
    list=extend_schema(responses={200: IssuerSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: IssuerSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: IssuerSerializer, **ERRORS}),
)
class IssuerViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = IssuerSerializer
    queryset = Issuer.objects.none()  # for schema introspection; get_queryset scopes by user

    def get_queryset(self):
        return selectors.issuers_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issuer = services.issuer_create(actor=request.user, **serializer.validated_data)
        return Response(IssuerSerializer(issuer).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: ProductSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: ProductSerializer, **READ_ERRORS}),
    create=extend_schema(request=ProductSerializer, responses={201: ProductSerializer, **ERRORS}),
    partial_update=extend_schema(
        request=ProductUpdateSerializer, responses={200: ProductSerializer, **TRANSITION_ERRORS}
    ),
)
class ProductViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProductSerializer
    lookup_field = "symbol"
    lookup_value_regex = "[A-Za-z0-9._-]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.products_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms = dict(serializer.validated_data)
        product = services.product_create(actor=request.user, issuer=terms.pop("issuer"), **terms)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        product = self.get_object()
        serializer = ProductUpdateSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(actor=request.user, product=product, **serializer.validated_data)
        return Response(ProductSerializer(product).data)


def _transition_action(name: str, attribute: str | None = None):
    """A POST action for one workflow transition; the body carries the (mandatory) rationale."""

    def handler(self, request, pk=None):
        application = self.get_object()
        body = RationaleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rationale = body.validated_data["rationale"]
        if name == "submit":
            application = services.application_submit(application=application, actor=request.user, note=rationale)
        else:
            application = services.ACTION_SERVICES[name](
                application=application, actor=request.user, rationale=rationale
            )
        application.refresh_from_db()
        return Response(ApplicationSerializer(application, context={"request": request}).data)

    # DRF maps the HTTP method to the function's name, which must equal the viewset attribute.
    handler.__name__ = attribute or name
    handler = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name)(handler)
    return extend_schema(request=RationaleSerializer, responses={200: ApplicationSerializer, **TRANSITION_ERRORS})(
        handler
    )


@extend_schema_view(
    list=extend_schema(responses={200: ApplicationSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: ApplicationSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, **TRANSITION_ERRORS},
    ),
)
class ApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ApplicationSerializer
    queryset = ProductApplication.objects.none()  # for schema introspection; get_queryset scopes by user

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user).prefetch_related(
            "versions__submitted_by", "approvals__officer"
        )

    def create(self, request, *args, **kwargs):
        body = ApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product = get_object_or_404(selectors.products_visible_to(request.user), symbol=body.validated_data["product"])
        application = services.application_create(actor=request.user, product=product)
        return Response(
            ApplicationSerializer(application, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    submit = _transition_action("submit")

    @extend_schema(request=None, responses={200: ApplicationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="rerun-checks", url_name="rerun_checks")
    def rerun_checks(self, request, pk=None):
        """Queue the jurisdiction checks again for an application stuck in `submitted`."""
        application = services.application_rerun_checks(application=self.get_object(), actor=request.user)
        application.refresh_from_db()
        return Response(ApplicationSerializer(application, context={"request": request}).data)

    withdraw = _transition_action("withdraw")
    approve = _transition_action("approve")
    request_changes = _transition_action("request_changes")
    reject = _transition_action("reject")
    list_on_venues = _transition_action("list", "list_on_venues")
    suspend = _transition_action("suspend")
    reinstate = _transition_action("reinstate")
    delist = _transition_action("delist")


@extend_schema_view(
    list=extend_schema(responses={200: VenueSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: VenueSerializer, **READ_ERRORS}),
)
class VenueViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VenueSerializer
    lookup_field = "mic"
    queryset = Venue.objects.all()


@extend_schema_view(
    list=extend_schema(responses={200: ListingSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: ListingSerializer, **READ_ERRORS}),
)
class ListingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ListingSerializer
    queryset = Listing.objects.none()  # for schema introspection; get_queryset scopes by user

    def get_queryset(self):
        return selectors.listings_visible_to(self.request.user).select_related("application_version")
