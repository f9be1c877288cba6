"""Listeners: a 协拍预约 case decides its pending filming-location booking."""

from __future__ import annotations

from typing import Any

from shouzhan.spaces.services import FILMING_CASE_TYPE


def on_case_state_changed(sender: Any, *, case: Any, to_state: str, actor: Any = None, **kwargs: Any) -> None:
    """`approved` confirms the pending booking; `rejected` (refused) and `withdrawn` (by the applicant) free
    it and offer the slot to the waitlist."""
    if getattr(case, "case_type", None) != FILMING_CASE_TYPE or to_state not in {
        "approved",
        "rejected",
        "withdrawn",
    }:
        return
    from django.contrib.contenttypes.models import ContentType

    from shouzhan.spaces import services
    from shouzhan.spaces.models import Booking

    if case.related_type_id != ContentType.objects.get_for_model(Booking).pk:
        return
    booking = Booking.objects.filter(pk=case.related_id).first()
    if booking is None:
        return
    note = f"case #{case.pk}"
    system = actor if getattr(actor, "is_authenticated", False) else "system:cases"
    if to_state == "approved":
        services.booking_confirm(actor=system, booking=booking, note=note)
    elif to_state == "rejected":
        reason = getattr(case, "decision_reasons", "") or ""
        services.booking_reject(actor=system, booking=booking, note=f"{note} {reason}".strip())
    else:
        services.booking_withdraw(actor=system, booking=booking, note=note)
