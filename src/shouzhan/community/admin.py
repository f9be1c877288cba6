"""Django admin for the community models.

Day-to-day work goes through the pages (and their services, which write the audit trail); the
admin is for the administrator's corrections. Check-ins, feedback and follow-up notes are records
of what happened and stay read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shouzhan.community.models import (
    ContactRequest,
    Event,
    EventSeries,
    Feedback,
    FollowUpNote,
    Listing,
    MentorProfile,
    OfficeHour,
    Registration,
)
from shouzhan.community.search.documents import listing_tokens


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = Event
    fields = ["number_in_series", "title", "starts_at", "capacity"]
    extra = 0
    show_change_link = True


@admin.register(EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [EventInline]


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ("user", "project", "status", "code", "created_at", "checked_in_at", "checked_in_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):  # the search index follows its saves by signals
    list_display = ["title", "kind", "series", "number_in_series", "starts_at", "venue", "capacity"]
    list_filter = ["kind", "series", "registration_open"]
    search_fields = ["title", "summary", "speakers", "venue"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["mentors"]
    readonly_fields = ["created_at"]
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Status may be corrected; who checked in when is a record and cannot be changed."""

    list_display = ["event", "user", "status", "code", "created_at", "checked_in_at"]
    list_filter = ["status", "event"]
    search_fields = ["code", "user__name", "user__mobile", "event__title"]
    raw_id_fields = ["event", "user", "project"]
    readonly_fields = ["code", "created_at", "checked_in_at", "checked_in_by"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):  # the search index follows its saves by signals
    list_display = ["user", "headline", "expertise", "availability"]
    search_fields = ["user__name", "expertise", "headline"]
    raw_id_fields = ["user"]
    filter_horizontal = ["followed_projects"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["event", "project", "mentor", "created_at", "updated_at"]
    list_filter = ["event"]
    search_fields = ["text", "project__title", "mentor__user__name"]


@admin.register(FollowUpNote)
class FollowUpNoteAdmin(ReadOnlyAdmin):
    list_display = ["mentor", "project", "created_at"]
    search_fields = ["text", "project__title"]


@admin.register(OfficeHour)
class OfficeHourAdmin(admin.ModelAdmin):
    list_display = ["mentor", "starts_at", "ends_at", "place", "booked_by"]
    list_filter = ["mentor"]
    raw_id_fields = ["booked_by"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):  # the search index follows its saves by signals
    list_display = ["title", "direction", "patent_number", "field", "legal_status", "status", "owner_name"]
    list_filter = ["direction", "status", "legal_status", "field"]
    search_fields = ["title", "patent_number", "abstract"]
    raw_id_fields = ["owner_person", "owner_enterprise", "created_by"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A correction is segmented once, here, like a listing saved through the services.
        obj.search_tokens = " ".join(listing_tokens(obj.title, obj.abstract, obj.field))
        super().save_model(request, obj, form, change)


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    """The outcome is recorded when the introduction case ends; the request itself is a record."""

    list_display = ["listing", "requester", "enterprise", "case_id", "outcome", "created_at"]
    list_filter = ["outcome"]
    search_fields = ["listing__title", "requester__name", "message"]
    readonly_fields = [
        "listing",
        "from_listing",
        "requester",
        "enterprise",
        "message",
        "case_id",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
