from importlib import import_module

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from knox.models import AuthToken

from accounts import services
from accounts.models import Role, User
from compliance.audit.admin import ChangedOnlyThroughServices
from config.errors import DomainError


class AccessChangeForm(forms.Form):
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Recorded with the change in the audit trail.",
    )


class RoleChangeForm(AccessChangeForm):
    role = forms.ChoiceField(choices=Role.choices)
    field_order = ["role", "rationale"]


class ChangedOnlyThroughActions(ChangedOnlyThroughServices):
    """Read-only in the admin: rows change only through the actions (permission "access",
    administrators only), each a service call with an audit event."""

    def has_access_permission(self, request):
        return getattr(request.user, "role", None) == Role.ADMIN


@admin.register(User)
class AttestUserAdmin(ChangedOnlyThroughActions, UserAdmin):
    """Users are created with `manage.py create_user`; here admins read them and change their
    access through the actions, each a service call with an audit event. The stock change form
    would edit the role, the staff and superuser flags and the groups without a trace, and a
    role decides who may give a four-eyes approval, so the form is read-only."""

    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "is_active", "acts_for")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "is_active",
        "acts_for",
        "last_login",
        "date_joined",
    )
    actions = ["change_role", "deactivate", "reactivate"]

    @admin.display(description="Acts for")
    def acts_for(self, user):
        return ", ".join(user.issuers.values_list("legal_name", flat=True)) or "—"

    @admin.action(description="Change the role of the selected users", permissions=["access"])
    def change_role(self, request, queryset):
        return self._access_change(
            request,
            queryset,
            RoleChangeForm,
            "Change role",
            lambda user, data: services.user_role_set(
                actor=request.user, user=user, role=data["role"], rationale=data["rationale"]
            ),
        )

    @admin.action(description="Deactivate the selected users", permissions=["access"])
    def deactivate(self, request, queryset):
        return self._access_change(
            request,
            queryset,
            AccessChangeForm,
            "Deactivate users",
            lambda user, data: services.user_active_set(
                actor=request.user, user=user, active=False, rationale=data["rationale"]
            ),
        )

    @admin.action(description="Reactivate the selected users", permissions=["access"])
    def reactivate(self, request, queryset):
        return self._access_change(
            request,
            queryset,
            AccessChangeForm,
            "Reactivate users",
            lambda user, data: services.user_active_set(
                actor=request.user, user=user, active=True, rationale=data["rationale"]
            ),
        )

    def _access_change(self, request, queryset, form_class, title, change):
        """An intermediate page asks for the details; on 'apply' each user is changed in its own
        transaction and each refusal is reported by name."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed = []
            for user in queryset:
                try:
                    change(user, form.cleaned_data)
                except ValidationError as exc:
                    self.message_user(request, f"{user.username}: {' '.join(exc.messages)}", messages.ERROR)
                except DomainError as exc:
                    self.message_user(request, f"{user.username}: {exc.message}", messages.ERROR)
                else:
                    changed.append(user.username)
            if changed:
                self.message_user(request, f"{title}: {', '.join(changed)}.", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/accounts/user/access_change.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "form": form,
                "users": queryset,
                "action": request.POST.get("action", ""),
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


# knox registers its own admin on import; import it first so it can be replaced whatever the
# order of INSTALLED_APPS.
import_module("knox.admin")
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(ChangedOnlyThroughActions, admin.ModelAdmin):
    """Tokens are issued with `manage.py create_api_token` (shown once, in a terminal). Here admins
    see who holds one and revoke it, on the audit trail; knox's own admin minted tokens for any
    user and deleted them without a trace."""

    list_display = ("token_key", "user", "created", "expiry")
    search_fields = ("token_key", "user__username")
    readonly_fields = ("token_key", "user", "created", "expiry")
    fields = readonly_fields
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens", permissions=["access"])
    def revoke(self, request, queryset):
        revoked = []
        for token in queryset.select_related("user"):
            services.user_api_token_revoke(actor=request.user, token=token, rationale="Revoked in admin")
            revoked.append(f"{token.token_key}… ({token.user.username})")
        self.message_user(request, f"Revoked: {', '.join(revoked)}.", messages.SUCCESS)
