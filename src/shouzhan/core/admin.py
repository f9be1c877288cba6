from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from shouzhan.core.models import AuditEntry, ConfirmedYear, WorkdayOverride

# ModelAdmin is generic only in the type stubs (django_stubs_ext is not a run-time dependency).
if TYPE_CHECKING:
    _WorkdayOverrideAdmin = admin.ModelAdmin[WorkdayOverride]
    _ConfirmedYearAdmin = admin.ModelAdmin[ConfirmedYear]
    _AuditEntryAdmin = admin.ModelAdmin[AuditEntry]
else:
    _WorkdayOverrideAdmin = _ConfirmedYearAdmin = _AuditEntryAdmin = admin.ModelAdmin


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(_WorkdayOverrideAdmin):
    list_display = ["date", "is_workday", "reason"]
    list_filter = ["is_workday"]


@admin.register(ConfirmedYear)
class ConfirmedYearAdmin(_ConfirmedYearAdmin):
    list_display = ["year", "note"]


@admin.register(AuditEntry)
class AuditEntryAdmin(_AuditEntryAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["at", "actor_label", "action", "target_type", "target_label", "enterprise_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_label", "actor_label", "note"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
