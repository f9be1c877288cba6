from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shouzhan.core.models import AuditEntry, ConfirmedYear, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "reason"]
    list_filter = ["is_workday"]


@admin.register(ConfirmedYear)
class ConfirmedYearAdmin(admin.ModelAdmin):
    list_display = ["year", "note"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["at", "actor_label", "action", "target_type", "target_label", "enterprise_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_label", "actor_label", "note"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
