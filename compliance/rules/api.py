"""REST API of the rules app: rule runs and findings of visible applications, packs and rules."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from compliance.rules import selectors
from compliance.rules.models import Finding, JurisdictionResult, Rule, RulePack, RuleRun
from config import api_fields
from products.api import ERRORS, READ_ERRORS


class RuleSerializer(api_fields.ModelSerializer):
    outcome = api_fields.CharField(help_text="block, warn or require:<artifact>")
    disclosure_sections = serializers.ListField(child=api_fields.CharField())
    distribution = serializers.DictField(help_text="Constraints imposed when the rule fires.")
    attributes = serializers.ListField(child=api_fields.CharField())

    class Meta:
        model = Rule
        fields = [
            "rule_id",
            "position",
            "title",
            "citation",
            "condition",
            "rationale",
            "outcome",
            "disclosure_sections",
            "distribution",
            "attributes",
        ]


class RulePackSerializer(api_fields.ModelSerializer):
    regulators = serializers.ListField(child=serializers.DictField(child=api_fields.CharField()))
    rule_count = api_fields.IntegerField(source="rules.count", read_only=True)

    class Meta:
        model = RulePack
        fields = [
            "id",
            "jurisdiction",
            "version",
            "title",
            "effective_from",
            "effective_to",
            "content_hash",
            "source_name",
            "regulators",
            "loaded_at",
            "rule_count",
        ]


class RulePackDetailSerializer(RulePackSerializer):
    rules = RuleSerializer(many=True, read_only=True)

    class Meta(RulePackSerializer.Meta):
        fields = [*RulePackSerializer.Meta.fields, "rules"]


class FindingSerializer(api_fields.ModelSerializer):
    title = serializers.SerializerMethodField()
    citation = serializers.SerializerMethodField()
    rationale = serializers.SerializerMethodField()
    evidence = serializers.DictField(help_text="Attribute -> the value the condition read.")
    overridden_by = api_fields.CharField(source="overridden_by.username", allow_null=True, default=None)
    blocking = api_fields.BooleanField(source="is_blocking")

    class Meta:
        model = Finding
        fields = [
            "id",
            "jurisdiction",
            "rule_code",
            "title",
            "citation",
            "rationale",
            "outcome",
            "artifact",
            "fired",
            "blocking",
            "evidence",
            "error",
            "overridden_by",
            "override_rationale",
            "overridden_at",
        ]

    def get_title(self, finding) -> str:
        return finding.rule.title if finding.rule else "No rule pack in force"

    def get_citation(self, finding) -> str:
        return finding.rule.citation if finding.rule else ""

    def get_rationale(self, finding) -> str:
        return finding.rule.rationale if finding.rule else ""


class JurisdictionResultSerializer(api_fields.ModelSerializer):
    pack_version = api_fields.CharField(source="pack.version", allow_null=True, default=None)
    allowed_investor_categories = serializers.ListField(
        child=api_fields.CharField(), allow_null=True, help_text="null: not restricted"
    )
    disclosure_sections = serializers.ListField(child=api_fields.CharField())
    required_artifacts = serializers.ListField(child=api_fields.CharField())

    class Meta:
        model = JurisdictionResult
        fields = [
            "jurisdiction",
            "pack_version",
            "status",
            "started_at",
            "finished_at",
            "allowed_investor_categories",
            "appropriateness_required",
            "acknowledgement_required",
            "jurisdiction_blocked",
            "disclosure_sections",
            "required_artifacts",
        ]


class RuleRunSerializer(api_fields.ModelSerializer):
    jurisdictions = serializers.ListField(child=api_fields.CharField())
    pack_versions = serializers.DictField(child=api_fields.CharField(allow_null=True))
    application_attributes = serializers.DictField()
    diff = serializers.DictField(allow_null=True)

    class Meta:
        model = RuleRun
        fields = [
            "id",
            "application",
            "version_number",
            "reason",
            "status",
            "as_of",
            "jurisdictions",
            "pack_versions",
            "application_attributes",
            "previous_run",
            "diff",
            "started_at",
            "finished_at",
        ]


class RuleRunDetailSerializer(RuleRunSerializer):
    results = JurisdictionResultSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta(RuleRunSerializer.Meta):
        fields = [*RuleRunSerializer.Meta.fields, "results", "findings"]


APPLICATION_FILTER = OpenApiParameter(
    "application", OpenApiTypes.INT, description="Only runs of this application (id).", required=False
)


@extend_schema_view(
    list=extend_schema(parameters=[APPLICATION_FILTER], responses={200: RuleRunSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: RuleRunDetailSerializer, **READ_ERRORS}),
)
class RuleRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Rule runs with their per-jurisdiction results and per-rule findings.

    An issuer sees only the runs of its own applications; staff see all.
    """

    serializer_class = RuleRunSerializer
    lookup_value_regex = r"\d+"
    queryset = RuleRun.objects.none()  # for schema introspection; get_queryset scopes by user

    def get_serializer_class(self):
        return RuleRunDetailSerializer if self.action == "retrieve" else RuleRunSerializer

    def get_queryset(self):
        qs = selectors.runs_visible_to(self.request.user).order_by("-started_at", "-id")
        if self.action == "retrieve":
            return qs.prefetch_related(
                Prefetch("results", queryset=JurisdictionResult.objects.select_related("pack")),
                Prefetch("findings", queryset=Finding.objects.select_related("rule", "overridden_by")),
            )
        application = self.request.query_params.get("application")
        if application is not None:
            # ASCII digits only: str.isdigit() is also true of "²", which int() refuses.
            if not (application.isascii() and application.isdecimal()) or len(application) > 18:
                raise ValidationError({"application": ["Give an application id (a positive integer)."]})
            qs = qs.filter(application_id=int(application))
        return qs


@extend_schema_view(
    list=extend_schema(responses={200: RulePackSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: RulePackDetailSerializer, **READ_ERRORS}),
)
class RulePackViewSet(viewsets.ReadOnlyModelViewSet):
    """Loaded rule packs; a pack's detail lists its rules in order."""

    serializer_class = RulePackSerializer
    lookup_value_regex = r"\d+"
    queryset = RulePack.objects.none()

    def get_serializer_class(self):
        return RulePackDetailSerializer if self.action == "retrieve" else RulePackSerializer

    def get_queryset(self):
        qs = RulePack.objects.order_by("jurisdiction", "-effective_from")
        if self.action == "retrieve":
            return qs.prefetch_related(Prefetch("rules", queryset=Rule.objects.order_by("position")))
        return qs
