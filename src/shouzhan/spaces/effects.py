"""A 协拍 (filming location) case decides its pending booking: the handlers of the effects the case type
declares (cases/workflow.py), registered in SpacesConfig.ready(). They run inside the transition."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import CaseTransitioned, effect_handler_register
from shouzhan.core.actors import Actor, actor_user, system_actor
from shouzhan.spaces import services
from shouzhan.spaces.models import Booking


def _booking(event: CaseTransitioned) -> Booking | None:
    case = event.case
    if case.related_type_id != ContentType.objects.get_for_model(Booking).pk:
        return None
    return Booking.objects.filter(pk=case.related_id).first()


def _actor(event: CaseTransitioned) -> Actor:
    return event.actor if actor_user(event.actor) is not None else system_actor("cases")


def on_booking_confirm(event: CaseTransitioned) -> None:
    booking = _booking(event)
    if booking is not None:
        services.booking_confirm(actor=_actor(event), booking=booking, note=f"case #{event.case.pk}")


def on_booking_refuse(event: CaseTransitioned) -> None:
    """Refused: the slot is freed and offered to the waitlist; the reason goes with it."""
    booking = _booking(event)
    if booking is not None:
        reason = event.note or event.case.decision_reasons or ""
        services.booking_reject(
            actor=_actor(event), booking=booking, note=f"case #{event.case.pk} {reason}".strip()
        )


def on_booking_withdraw(event: CaseTransitioned) -> None:
    booking = _booking(event)
    if booking is not None:
        services.booking_withdraw(actor=_actor(event), booking=booking, note=f"case #{event.case.pk}")


def register() -> None:
    effect_handler_register(wf.BOOKING_CONFIRM, on_booking_confirm)
    effect_handler_register(wf.BOOKING_REFUSE, on_booking_refuse)
    effect_handler_register(wf.BOOKING_WITHDRAW, on_booking_withdraw)
