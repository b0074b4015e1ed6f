from django.contrib import admin

from compliance.audit.admin import ChangedOnlyThroughServices
from compliance.disclosures.models import DisclosureAcknowledgement, DisclosureDocument, DisclosureRendering


@admin.register(DisclosureDocument)
class DisclosureDocumentAdmin(ChangedOnlyThroughServices, admin.ModelAdmin):
    """Read-only: documents change only through the services (render, publish)."""

    list_display = ["product", "jurisdiction", "language", "version", "status", "sha256", "published_at"]
    list_filter = ["status", "jurisdiction", "language"]
    search_fields = ["product__symbol", "sha256"]
    exclude = ["pdf", "html"]


@admin.register(DisclosureRendering)
class DisclosureRenderingAdmin(ChangedOnlyThroughServices, admin.ModelAdmin):
    list_display = ["product", "jurisdiction", "language", "status", "requested_at", "finished_at"]
    list_filter = ["status"]


@admin.register(DisclosureAcknowledgement)
class DisclosureAcknowledgementAdmin(ChangedOnlyThroughServices, admin.ModelAdmin):
    list_display = ["document", "investor", "channel", "acknowledged_at"]
    list_filter = ["channel"]
