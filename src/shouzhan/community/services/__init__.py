"""Writes of the community module: keyword-only, atomic, each with its own audit entry.

One module per section — `events` (events and registrations), `mentors` (profiles, feedback, follow-ups,
office hours), `listings` (the technology market), `listing_import` (patents from a spreadsheet),
`contacts` (introductions) — re-exported here, so callers keep `services.listing_create`.
Who may do what is `shouzhan.community.permissions`, shared with the selectors.
"""

from shouzhan.community.services.contacts import contact_outcome_record, contact_request_create
from shouzhan.community.services.events import (
    EVENT_FIELDS,
    event_create,
    event_update,
    normalise_code,
    registration_cancel,
    registration_check_in,
    registration_code_new,
    registration_create,
)
from shouzhan.community.services.listing_import import ListingImportReport, RowError, listing_import
from shouzhan.community.services.listings import (
    LISTING_FIELDS,
    listing_create,
    listing_set_status,
    listing_update,
)
from shouzhan.community.services.mentors import (
    feedback_save,
    followup_note_add,
    mentor_follow,
    mentor_profile_save,
    office_hour_book,
    office_hour_create,
    office_hour_release,
)

__all__ = [
    "EVENT_FIELDS",
    "LISTING_FIELDS",
    "ListingImportReport",
    "RowError",
    "contact_outcome_record",
    "contact_request_create",
    "event_create",
    "event_update",
    "feedback_save",
    "followup_note_add",
    "listing_create",
    "listing_import",
    "listing_set_status",
    "listing_update",
    "mentor_follow",
    "mentor_profile_save",
    "normalise_code",
    "office_hour_book",
    "office_hour_create",
    "office_hour_release",
    "registration_cancel",
    "registration_check_in",
    "registration_code_new",
    "registration_create",
]
