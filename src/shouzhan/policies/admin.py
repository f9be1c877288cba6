from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shouzhan.policies.models import PolicyDocument, PolicyVersion


class PolicyVersionInline(admin.TabularInline):
    """Versions are changed only through upload and publish (each audited), never edited here."""

    model = PolicyVersion
    extra = 0
    fields = ("number", "status", "effective_from", "sha256", "uploaded_at", "published_at")
    readonly_fields = ("number", "status", "effective_from", "sha256", "uploaded_at", "published_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["code", "short_title", "issuer"]
    readonly_fields = ["code", "title", "short_title", "issuer", "created_at"]
    inlines = [PolicyVersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
