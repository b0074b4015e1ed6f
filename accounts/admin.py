from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class AttestUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Attest", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")
