"""KYC API: parties, investors, cases, documents and decisions.

Staff read everything; only officers write (the services refuse anyone else with 403).
Issuers get 403 on every endpoint: KYB is the compliance team's review of the issuer, and its
screening internals (hits, scores, risk factors) must not reach the party under review.
Officers register an issuer's KYB party (with ``issuer`` set to its LEI).
"""

import base64
import binascii

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance.kyc import documents, selectors, services
from compliance.kyc.models import (
    CaseDecision,
    Document,
    DocumentType,
    Investor,
    InvestorCategory,
    KycCase,
    Party,
    PartyRelation,
    RelationRole,
)
from compliance.sanctions.api import IsStaff
from config import api_fields
from products.api import (
    CASE_NOTE,
    ERRORS,
    READ_ERRORS,
    TRANSITION_ERRORS,
    CodeField,
    RationaleSerializer,
    UpperCaseCodes,
)
from products.file_signatures import FileType
from products.models import Issuer


def _country():
    return CodeField(min_length=2, max_length=2)


class CountryListField(serializers.ListField):
    """ISO 3166 alpha-2 codes, upper-cased (CodeField); a code given twice, in any case, is kept once."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"ISO 3166 alpha-2 codes. {CASE_NOTE} Repeats are dropped.")
        super().__init__(child=_country(), **kwargs)

    def to_internal_value(self, data):
        return list(dict.fromkeys(super().to_internal_value(data)))


class RelationSerializer(api_fields.ModelSerializer):
    related_name = api_fields.CharField(source="related.name", read_only=True)

    class Meta:
        model = PartyRelation
        fields = ["related", "related_name", "role", "ownership_pct"]


class LeiRelatedField(serializers.SlugRelatedField):
    """An issuer by LEI; text PostgreSQL cannot store (NUL) is refused before the lookup."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 20:
            self.fail("invalid")
        return super().to_internal_value(data)


# Ids beyond PostgreSQL's bigint are refused as input errors rather than reaching the database.
MAX_ID = 2**63 - 1


class PartySerializer(UpperCaseCodes, api_fields.ModelSerializer):
    upper_case_codes = {"residence_country": "ISO 3166 alpha-2.", "country": "ISO 3166 alpha-2."}
    issuer = LeiRelatedField(slug_field="lei", queryset=Issuer.objects.all(), required=False, allow_null=True)
    aliases = serializers.ListField(child=api_fields.CharField(max_length=300), max_length=20, required=False)
    nationalities = CountryListField(max_length=10, required=False)
    tax_residences = CountryListField(max_length=10, required=False)
    relations = RelationSerializer(many=True, read_only=True)

    class Meta:
        model = Party
        fields = [
            "id",
            "kind",
            "name",
            "aliases",
            "birth_date",
            "nationalities",
            "residence_country",
            "tax_residences",
            "lei",
            "registration_number",
            "country",
            "issuer",
            "relations",
            "kyc_status",
            "kyc_expires_on",
            "sanctions_state",
            "last_screened_at",
            "created_at",
        ]
        read_only_fields = ["kyc_status", "kyc_expires_on", "sanctions_state", "last_screened_at", "created_at"]
        # Uniqueness and field rules are the service's to judge (field errors, not DB errors).
        extra_kwargs = {"issuer": {"validators": []}}


class RelationCreateSerializer(serializers.Serializer):
    related = api_fields.IntegerField(min_value=1, max_value=MAX_ID, help_text="Id of the owner or director party.")
    role = serializers.ChoiceField(choices=RelationRole.choices)
    ownership_pct = api_fields.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(responses={200: PartySerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: PartySerializer, **READ_ERRORS}),
    create=extend_schema(request=PartySerializer, responses={201: PartySerializer, **ERRORS}),
)
class PartyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PartySerializer
    permission_classes = [permissions.IsAuthenticated, IsStaff]
    queryset = Party.objects.none()

    def get_queryset(self):
        return selectors.parties_visible_to(self.request.user).prefetch_related("relations__related")

    def create(self, request, *args, **kwargs):
        body = PartySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        party = services.party_create(actor=request.user, kind=data.pop("kind"), name=data.pop("name"), **data)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RelationCreateSerializer, responses={201: PartySerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="relations")
    def relations(self, request, pk=None):
        entity = self.get_object()
        body = RelationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        related = get_object_or_404(self.get_queryset(), pk=body.validated_data["related"])
        services.party_add_relation(
            actor=request.user,
            entity=entity,
            related=related,
            role=body.validated_data["role"],
            ownership_pct=body.validated_data.get("ownership_pct"),
        )
        return Response(PartySerializer(self.get_queryset().get(pk=entity.pk)).data, status=status.HTTP_201_CREATED)


class InvestorSerializer(UpperCaseCodes, api_fields.ModelSerializer):
    upper_case_codes = {"order_limit_currency": "ISO 4217."}
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    category = serializers.ChoiceField(choices=InvestorCategory.choices)
    residence_jurisdiction = CodeField(
        min_length=2,
        max_length=2,
        required=False,
        help_text=f"ISO 3166 alpha-2; the party's country when omitted. {CASE_NOTE}",
    )
    kyc_status = api_fields.CharField(source="party.kyc_status", read_only=True)
    kyc_expires_on = serializers.DateField(source="party.kyc_expires_on", read_only=True, allow_null=True)
    sanctions_state = api_fields.CharField(source="party.sanctions_state", read_only=True)

    class Meta:
        model = Investor
        fields = [
            "id",
            "party",
            "reference",
            "category",
            "category_evidence",
            "category_assessed_on",
            "residence_jurisdiction",
            "order_notional_limit",
            "order_limit_currency",
            "kyc_status",
            "kyc_expires_on",
            "sanctions_state",
        ]
        extra_kwargs = {"reference": {"validators": []}, "party": {"validators": []}}


@extend_schema_view(
    list=extend_schema(responses={200: InvestorSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: InvestorSerializer, **READ_ERRORS}),
    create=extend_schema(request=InvestorSerializer, responses={201: InvestorSerializer, **ERRORS}),
)
class InvestorViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InvestorSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaff]
    queryset = Investor.objects.none()

    def get_queryset(self):
        return selectors.investors_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        body = InvestorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        investor = services.investor_create(actor=request.user, **body.validated_data)
        return Response(InvestorSerializer(investor).data, status=status.HTTP_201_CREATED)


class DocumentSerializer(api_fields.ModelSerializer):
    uploaded_by = api_fields.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = Document
        fields = ["id", "doc_type", "file_type", "original_name", "sha256", "size", "uploaded_by", "uploaded_at"]


class DecisionSerializer(api_fields.ModelSerializer):
    officer = api_fields.CharField(source="officer.username", read_only=True)

    class Meta:
        model = CaseDecision
        fields = ["officer", "decision", "rationale", "created_at"]


class CaseSerializer(api_fields.ModelSerializer):
    party_name = api_fields.CharField(source="party.name", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = KycCase
        fields = [
            "id",
            "party",
            "party_name",
            "state",
            "risk_rating",
            "risk_factors",
            "checks",
            "expires_on",
            "opened_at",
            "state_changed_at",
            "decided_at",
            "documents",
            "decisions",
        ]


class CaseCreateSerializer(serializers.Serializer):
    party = api_fields.IntegerField(min_value=1, max_value=MAX_ID)


class DocumentUploadSerializer(serializers.Serializer):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    file_type = serializers.ChoiceField(choices=FileType.choices)
    name = api_fields.CharField(max_length=255)
    content_base64 = api_fields.CharField(
        help_text="The file, base64-encoded; its magic bytes must match file_type.",
        max_length=(documents.DEFAULT_MAX_BYTES * 4) // 3 + 8,
    )

    def validate_content_base64(self, value):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not valid base64.")


def _case_response(view, case, code=status.HTTP_200_OK):
    case = get_object_or_404(view.get_queryset(), pk=case.pk)
    return Response(CaseSerializer(case).data, status=code)


def _decide(decision: str):
    def handler(self, request, pk=None):
        case = self.get_object()
        body = RationaleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_decide(
            case=case, actor=request.user, decision=decision, rationale=body.validated_data["rationale"]
        )
        return _case_response(self, case)

    handler.__name__ = decision
    handler = action(detail=True, methods=["post"], url_path=decision, url_name=decision)(handler)
    return extend_schema(request=RationaleSerializer, responses={200: CaseSerializer, **TRANSITION_ERRORS})(handler)


@extend_schema_view(
    list=extend_schema(responses={200: CaseSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: CaseSerializer, **READ_ERRORS}),
    create=extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer, **TRANSITION_ERRORS}),
)
class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaff]
    queryset = KycCase.objects.none()

    def get_queryset(self):
        return selectors.cases_visible_to(self.request.user).prefetch_related(
            "documents__uploaded_by", "decisions__officer"
        )

    def create(self, request, *args, **kwargs):
        body = CaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        party = get_object_or_404(selectors.parties_visible_to(request.user), pk=body.validated_data["party"])
        case = services.case_open(actor=request.user, party=party)
        return _case_response(self, case, status.HTTP_201_CREATED)

    approve = _decide("approve")
    reject = _decide("reject")

    @extend_schema(request=None, responses={200: CaseSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="rerun-checks", url_name="rerun_checks")
    def rerun_checks(self, request, pk=None):
        case = self.get_object()
        services.case_rerun_checks(case=case, actor=request.user)
        return _case_response(self, case)

    @extend_schema(request=DocumentUploadSerializer, responses={201: CaseSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="documents", url_name="documents")
    def documents(self, request, pk=None):
        case = self.get_object()
        body = DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.document_add(
            actor=request.user,
            case=case,
            doc_type=data["doc_type"],
            file_type=data["file_type"],
            data=data["content_base64"],
            name=data["name"],
        )
        return _case_response(self, case, status.HTTP_201_CREATED)
