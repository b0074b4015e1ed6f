"""Sanctions API: name screening for staff, hits and their decisions, list versions.

Every endpoint is for staff (officers, seniors, auditors, admins); issuers get 403 and never
see a hit or a score, not even on their own KYB party. Only officers decide hits.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.sanctions import selectors, services
from compliance.sanctions.models import ListVersion, ScreeningHit, SourceCode
from config import api_fields
from products.api import ERRORS, READ_ERRORS, TRANSITION_ERRORS, CodeField, RationaleSerializer
from products.validators import validate_country

MAX_QUERIES = 1000


class IsStaff(permissions.BasePermission):
    message = "Only compliance staff may use sanctions screening."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.sees_all_issuers)


class ScreenQuerySerializer(serializers.Serializer):
    name = api_fields.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=["person", "entity"])
    birth_date = serializers.DateField(required=False, allow_null=True)
    country = CodeField(min_length=2, max_length=2, required=False, allow_blank=True)

    def validate_name(self, value):
        if not value.strip():
            raise serializers.ValidationError("A name is required.")
        return value

    def validate_country(self, value):
        if value:
            try:
                validate_country(value)
            except Exception as exc:  # Django's ValidationError -> a field message
                raise serializers.ValidationError(str(exc.messages[0]) if hasattr(exc, "messages") else str(exc))
        return value


class ScreenRequestSerializer(serializers.Serializer):
    queries = ScreenQuerySerializer(many=True, max_length=MAX_QUERIES, min_length=1)


class ScreenHitSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=SourceCode.choices)
    ref = api_fields.CharField(help_text="The entry's id in that list.")
    name = api_fields.CharField(help_text="The listed name (primary or alias) that matched.")
    score = serializers.FloatField(min_value=0.0, max_value=1.0)
    factors = serializers.DictField(help_text="How the score came about (name similarity, date of birth, country).")


class ScreenResultSerializer(serializers.Serializer):
    hits = ScreenHitSerializer(many=True)


class ScreenResponseSerializer(serializers.Serializer):
    results = ScreenResultSerializer(many=True)


class ScreenView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsStaff]

    @extend_schema(
        request=ScreenRequestSerializer,
        responses={200: ScreenResponseSerializer, **ERRORS},
        description=f"Screen up to {MAX_QUERIES} names against the current lists. Results follow query order; "
        "hits are sorted by score and include only those at or above ATTEST_SANCTIONS_THRESHOLD.",
    )
    def post(self, request):
        body = ScreenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        results = services.screen_queries(body.validated_data["queries"])
        return Response({"results": [{"hits": hits} for hits in results]})


class ListVersionSerializer(api_fields.ModelSerializer):
    source = api_fields.CharField(source="source.code")
    is_current = serializers.SerializerMethodField()
    added = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField()
    changed = serializers.SerializerMethodField()

    class Meta:
        model = ListVersion
        fields = [
            "id",
            "source",
            "number",
            "checksum",
            "counts",
            "malformed",
            "added",
            "removed",
            "changed",
            "imported_by",
            "imported_at",
            "is_current",
        ]

    def get_is_current(self, version) -> bool:
        return version.source.current_id == version.pk

    def get_added(self, version) -> int:
        return len(version.added)

    def get_removed(self, version) -> int:
        return len(version.removed)

    def get_changed(self, version) -> int:
        return len(version.changed)


@extend_schema_view(
    list=extend_schema(responses={200: ListVersionSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: ListVersionSerializer, **READ_ERRORS}),
)
class ListVersionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ListVersionSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaff]
    queryset = ListVersion.objects.none()

    def get_queryset(self):
        return selectors.versions_visible_to(self.request.user).order_by("source__code", "-number")


class HitSerializer(api_fields.ModelSerializer):
    party_name = api_fields.CharField(source="party.name", read_only=True)
    listed_name = api_fields.CharField(source="entry.primary_name", read_only=True)
    decided_by = api_fields.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ScreeningHit
        fields = [
            "id",
            "party",
            "party_name",
            "source",
            "ref",
            "listed_name",
            "screened_name",
            "matched_name",
            "alias_type",
            "score",
            "factors",
            "state",
            "rationale",
            "decided_by",
            "decided_at",
            "created_at",
            "last_seen_at",
        ]


def _decision(name: str):
    def handler(self, request, pk=None):
        hit = self.get_object()
        body = RationaleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service = services.hit_clear if name == "clear" else services.hit_confirm
        hit = service(hit=hit, actor=request.user, rationale=body.validated_data["rationale"])
        return Response(HitSerializer(get_object_or_404(self.get_queryset(), pk=hit.pk)).data)

    handler.__name__ = name
    handler = action(detail=True, methods=["post"], url_path=name, url_name=name)(handler)
    return extend_schema(request=RationaleSerializer, responses={200: HitSerializer, **TRANSITION_ERRORS})(handler)


@extend_schema_view(
    list=extend_schema(responses={200: HitSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: HitSerializer, **READ_ERRORS}),
)
class HitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HitSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaff]
    queryset = ScreeningHit.objects.none()

    def get_queryset(self):
        return selectors.hits_visible_to(self.request.user).order_by("-created_at", "-id")

    clear = _decision("clear")
    confirm = _decision("confirm")
