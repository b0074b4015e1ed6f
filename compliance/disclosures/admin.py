from django.contrib import admin

from compliance.disclosures.models import DisclosureAcknowledgement, DisclosureDocument, DisclosureRendering


@admin.register(DisclosureDocument)
class DisclosureDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents change only through the services (render, publish)."""

    list_display = ["product", "jurisdiction", "language", "version", "status", "sha256", "published_at"]
    list_filter = ["status", "jurisdiction", "language"]
    search_fields = ["product__symbol", "sha256"]
    exclude = ["pdf", "html"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DisclosureRendering)
class DisclosureRenderingAdmin(admin.ModelAdmin):
    list_display = ["product", "jurisdiction", "language", "status", "requested_at", "finished_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DisclosureAcknowledgement)
class DisclosureAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["document", "investor", "channel", "acknowledged_at"]
    list_filter = ["channel"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
