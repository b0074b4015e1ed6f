from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables

from compliance.audit.admin import ChangedOnlyThroughServices
from compliance.eligibility import services
from compliance.eligibility.models import ApiKey, ScreeningDecision, SnapshotVersion
from config.errors import DomainError


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_api_key` (the key is shown once, in a terminal);
    here admins rotate and revoke them through the services, which write the audit events."""

    list_display = ("prefix", "venue", "name", "created_at", "revoked_at")
    list_filter = ("venue", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name", "venue__mic")
    readonly_fields = ("venue", "name", "prefix", "key_hash", "created_by", "created_at", "revoked_at", "replaced_by")
    actions = ["rotate", "revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Rotate the selected keys (new key shown once)")
    @sensitive_variables("key", "rotated")
    def rotate(self, request, queryset):
        """Each new key is shown once, in this response only: never in a message (the default
        message storage is a signed, not encrypted, cookie), never logged, never cached."""
        rotated = []
        for api_key in queryset.select_related("venue"):
            try:
                new, key = services.api_key_rotate(actor=request.user, api_key=api_key, rationale="Rotated in admin")
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            rotated.append({"old_prefix": api_key.prefix, "new": new, "key": key})
        if not rotated:
            return None  # back to the list, with the errors
        opts = self.model._meta
        response = TemplateResponse(
            request,
            "admin/eligibility/apikey_rotated.html",
            {
                **self.admin_site.each_context(request),
                "title": "New API keys — copy them now" if len(rotated) > 1 else "New API key — copy it now",
                "opts": opts,
                "rotated": rotated,
            },
        )
        # The page carries keys in clear: keep it out of every cache.
        add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            try:
                services.api_key_revoke(actor=request.user, api_key=api_key, rationale="Revoked in admin")
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            self.message_user(request, f"{api_key.prefix}… revoked.", messages.SUCCESS)


@admin.register(ScreeningDecision)
class ScreeningDecisionAdmin(ChangedOnlyThroughServices, admin.ModelAdmin):
    list_display = ("decision_id", "evaluated_at", "venue", "client_order_id", "investor", "product", "eligible")
    list_filter = ("venue", "eligible")
    search_fields = ("decision_id", "client_order_id", "investor", "product")
    date_hierarchy = "evaluated_at"


@admin.register(SnapshotVersion)
class SnapshotVersionAdmin(ChangedOnlyThroughServices, admin.ModelAdmin):
    list_display = ("value", "bumped_at")
