from django.contrib import admin

from compliance.audit.models import AuditEvent


class ChangedOnlyThroughServices:
    """Admin mixin for records the admin shows but never adds, edits or deletes: they change only
    through the services, each inside a transaction with an audit event."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ChangedOnlyThroughServices, admin.ModelAdmin):
    list_display = ("id", "created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "request_id")
