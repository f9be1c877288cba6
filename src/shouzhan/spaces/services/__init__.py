"""Writes to spaces: bookings, the waitlist and tenancies. Keyword-only, atomic, each with its audit entry.

One module per section — `slots` (checks, fees, alternatives, the conflict error), `bookings`, `waitlist`,
`tenancies` — re-exported here so callers keep `from shouzhan.spaces import services; services.booking_create`.
Who may do what is `shouzhan.spaces.permissions`.
"""

from shouzhan.spaces.services.bookings import (
    BOOKING_FIELDS,
    FILMING_CASE_TYPE,
    booking_cancel,
    booking_confirm,
    booking_create,
    booking_reject,
    booking_withdraw,
)
from shouzhan.spaces.services.slots import (
    MAX_DAILY_DAYS,
    MAX_DAYS_AHEAD,
    SLOT_MINUTES,
    BookingConflict,
    Slot,
    alternatives_for,
    booking_fee,
    day_slot,
    validate_slot,
)
from shouzhan.spaces.services.tenancies import relief_decide, tenancy_end, tenancy_move, tenancy_start
from shouzhan.spaces.services.waitlist import waitlist_accept, waitlist_join, waitlist_withdraw

__all__ = [
    "BOOKING_FIELDS",
    "FILMING_CASE_TYPE",
    "MAX_DAILY_DAYS",
    "MAX_DAYS_AHEAD",
    "SLOT_MINUTES",
    "BookingConflict",
    "Slot",
    "alternatives_for",
    "booking_cancel",
    "booking_confirm",
    "booking_create",
    "booking_fee",
    "booking_reject",
    "booking_withdraw",
    "day_slot",
    "relief_decide",
    "tenancy_end",
    "tenancy_move",
    "tenancy_start",
    "validate_slot",
    "waitlist_accept",
    "waitlist_join",
    "waitlist_withdraw",
]
